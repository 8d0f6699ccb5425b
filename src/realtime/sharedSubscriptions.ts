import {
  BREAK,
  createSourceEventStream,
  execute,
  Kind,
  TypeInfo,
  visit,
  visitWithTypeInfo,
  type DocumentNode,
  type ExecutionArgs,
  type ExecutionResult,
  type FieldNode,
  type GraphQLSchema,
  type OperationDefinitionNode,
} from 'graphql';
import { toGraphQLError } from '../graphql/errors.js';
import { isViewerDependent } from '../graphql/shareability.js';
import type { Logger } from '../logger.js';
import { MessageStream } from '../services/delivery/index.js';
import type { LiveConnection } from './connections.js';

/**
 * Fan-out without running GraphQL once per subscriber per event.
 *
 * graphql-ws executes the selection set for every subscriber and serialises every result; for a
 * room with N subscribers that is N executions of the same selection over the same message. Root
 * fields listed here resolve to the same object for every subscriber (the stored message from the
 * room feed). A document that selects no field declared `viewerDependent` (graphql/shareability.ts)
 * therefore resolves the same for every viewer, and subscribers whose operation and relevant
 * variables are identical share one execution (graphql-js `execute` over the event,
 * exactly what `subscribe` does per event, with errors masked by the same function as everywhere)
 * and one serialised payload; each socket then gets
 * `{"id":…,"type":"next","payload":…}` written in graphql-ws' exact format with that payload
 * spliced in. graphql-ws still handles everything else of the protocol.
 */
const SHAREABLE_FIELDS = new Set(['messageAdded', 'inbox']);

export type EnvelopedArgs = ExecutionArgs & {
  rootValue: {
    execute: (args: ExecutionArgs) => unknown;
    subscribe: (args: ExecutionArgs) => unknown;
  };
};

const documentIds = new WeakMap<DocumentNode, number>();
let nextDocumentId = 1;

/**
 * The sharing key of a subscription, or undefined when it cannot share: a single subscription
 * field from the list. Root-field arguments only choose the stream, so they are not part of the
 * key; variables used inside the selection are.
 */
export function sharingKey(args: ExecutionArgs): string | undefined {
  const operations = args.document.definitions.filter(
    (d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION,
  );
  const operation = args.operationName
    ? operations.find((o) => o.name?.value === args.operationName)
    : operations.length === 1
      ? operations[0]
      : undefined;
  if (!operation || operation.operation !== 'subscription') return undefined;
  const selections = operation.selectionSet.selections;
  if (selections.length !== 1 || selections[0]!.kind !== Kind.FIELD) return undefined;
  const root = selections[0] as FieldNode;
  if (!SHAREABLE_FIELDS.has(root.name.value) || (root.directives?.length ?? 0) > 0) return undefined;
  if (selectsViewerDependentField(args.schema, args.document)) return undefined;
  if (args.document.definitions.some((d) => d.kind === Kind.FRAGMENT_DEFINITION)) {
    // Fragments may use variables too: key on all of them.
    const given = args.variableValues ?? {};
    return `${documentId(args.document)}|${operation.name?.value ?? ''}|${JSON.stringify(
      Object.keys(given)
        .sort()
        .map((k) => [k, given[k]]),
    )}`;
  }
  const used = new Set<string>();
  if (root.selectionSet) visit(root.selectionSet, { Variable: (node) => void used.add(node.name.value) });
  // An omitted variable (its default applies) differs from an explicit null.
  const given = args.variableValues ?? {};
  const values = [...used].sort().map((name) => (name in given ? [name, given[name]] : [name]));
  return `${documentId(args.document)}|${operation.name?.value ?? ''}|${JSON.stringify(values)}`;
}

const viewerDependentDocuments = new WeakMap<DocumentNode, boolean>();

/**
 * Whether any field anywhere in the document (fragments included) is declared viewer-dependent.
 * Walked once per document: Yoga's parser cache hands every subscriber of a query the same one.
 */
function selectsViewerDependentField(schema: GraphQLSchema, document: DocumentNode): boolean {
  let found = viewerDependentDocuments.get(document);
  if (found === undefined) {
    found = false;
    const typeInfo = new TypeInfo(schema);
    visit(
      document,
      visitWithTypeInfo(typeInfo, {
        Field() {
          const field = typeInfo.getFieldDef();
          if (field && isViewerDependent(field)) {
            found = true;
            return BREAK;
          }
          return undefined;
        },
      }),
    );
    viewerDependentDocuments.set(document, found);
  }
  return found;
}

function documentId(document: DocumentNode): number {
  let id = documentIds.get(document);
  if (id === undefined) {
    id = nextDocumentId++;
    documentIds.set(document, id);
  }
  return id;
}

/** Serialised payloads per event object and sharing key; entries go when the event is dropped. */
const payloads = new WeakMap<object, Map<string, string | Promise<string>>>();

/** The payload for `event` under `key`: computed by the first subscriber, reused by the others. */
function sharedPayload(event: object, key: string, args: EnvelopedArgs, logger: Logger): string | Promise<string> {
  let forEvent = payloads.get(event);
  if (!forEvent) {
    forEvent = new Map();
    payloads.set(event, forEvent);
  }
  let payload = forEvent.get(key);
  if (payload === undefined) {
    const serialise = (result: ExecutionResult) =>
      JSON.stringify(
        result.errors ? { ...result, errors: result.errors.map((e) => toGraphQLError(e, logger)) } : result,
      );
    // Synchronous for the shareable fields (their resolvers are); a promise otherwise.
    const result = execute({ ...args, rootValue: event });
    payload = result instanceof Promise ? result.then(serialise) : serialise(result);
    forEvent.set(key, payload);
  }
  return payload;
}

const isAsyncIterable = (value: unknown): value is AsyncIterable<unknown> & AsyncIterator<unknown> =>
  typeof (value as AsyncIterable<unknown>)?.[Symbol.asyncIterator] === 'function';

/**
 * Runs a shareable subscription: the field's `subscribe` resolver (authorisation, replay, live)
 * through graphql-js, then every event's payload from the shared cache, written straight to the
 * socket, synchronously as the room feed receives it (MessageStream's push mode). What it returns
 * to graphql-ws yields nothing and ends when the stream ends, after which graphql-ws sends
 * `complete` as usual.
 */
export async function subscribeShared(
  args: EnvelopedArgs,
  key: string,
  operationId: string,
  connection: LiveConnection,
  logger: Logger,
): Promise<AsyncIterableIterator<ExecutionResult> | ExecutionResult> {
  const source = await createSourceEventStream(args);
  if (!isAsyncIterable(source)) {
    return { errors: ((source as ExecutionResult).errors ?? []).map((e) => toGraphQLError(e, logger)) };
  }
  const prefix = `{"id":${JSON.stringify(operationId)},"type":"next","payload":`;
  // Frames go out in event order even if a payload ever had to be computed asynchronously.
  let pending: Promise<void> | undefined;
  const deliver = (event: object) => {
    const payload = sharedPayload(event, key, args, logger);
    if (typeof payload === 'string' && !pending) {
      connection.send(`${prefix}${payload}}`);
      return;
    }
    const previous = pending ?? Promise.resolve();
    pending = previous.then(async () => connection.send(`${prefix}${await payload}}`));
  };
  const streamed =
    source instanceof MessageStream
      ? source.pipeTo(deliver)
      : (async () => {
          for await (const event of source) deliver(event as object);
        })();
  // A stream that failed (storage unreadable) ends with an error, so the client resubscribes.
  const ended = streamed.then(
    async () => {
      await pending;
      return { value: undefined, done: true } as const;
    },
    (err: unknown) => {
      throw toGraphQLError(err, logger);
    },
  );
  const iterator: AsyncIterableIterator<ExecutionResult> = {
    next: () => ended,
    async return() {
      await source.return?.();
      return { value: undefined, done: true };
    },
    [Symbol.asyncIterator]() {
      return iterator;
    },
  };
  return iterator;
}
