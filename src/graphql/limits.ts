import { EnvelopArmor } from '@escape.tech/graphql-armor';
import {
  getNamedType,
  getNullableType,
  GraphQLError,
  isListType,
  Kind,
  type DefinitionNode,
  type ExecutionResult,
  type FragmentDefinitionNode,
  type GraphQLField,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type ValidationContext,
  type ValidationRule,
} from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { GraphQLContext } from './builder.js';
import { toGraphQLError } from './errors.js';

/** How much one GraphQL operation may ask for. Each is refused with VALIDATION_ERROR before any resolver runs. */
export interface GraphQLLimits {
  /** Deepest selection nesting. @default 10 */
  maxDepth: number;
  /** Most aliased fields in one document. @default 30 */
  maxAliases: number;
  /** Most lexical tokens in one document, counted while parsing (so a huge document stops early). @default 2000 */
  maxTokens: number;
  /** Most directives in one document. @default 20 */
  maxDirectives: number;
  /** Highest estimated cost (see `operationCost`). @default 20000 */
  maxCost: number;
  /** Largest serialised answer, in bytes; a larger one is replaced by an error. @default 4194304 */
  maxResponseBytes: number;
}

/**
 * How many items a list field without a `limit` argument is assumed to return (members...),
 * and the most a `limit` argument may ask for (messages allows at most 100).
 */
export const DEFAULT_LIST_SIZE = 50;

/**
 * What `rooms` without `limit` counts for: more than a typical user's rooms, so two aliases of
 * `rooms { id members { userId online } }` are refused. A user in more rooms still gets all of them
 * (their members and presence load in batches of 500 per query); clients page with `limit`/`after`.
 */
export const UNPAGED_ROOMS = 100;

/** The most items a `limit` argument counts for (the largest page any list field serves). */
export const MAX_LIST_SIZE = 100;

const refused = (message: string, limit: string) =>
  new GraphQLError(message, { extensions: { code: 'VALIDATION_ERROR', limit } });

/**
 * The estimated cost of an operation: every field costs 1, and the selection under a list field
 * costs once per item it may return. The item count is the field's `limit` argument when it is an
 * integer literal (at most MAX_LIST_SIZE); a `limit` given by a variable counts as MAX_LIST_SIZE; a
 * list asked for without one counts as its field's `extensions.listSize` (`rooms`: UNPAGED_ROOMS), or
 * else DEFAULT_LIST_SIZE (members).
 * `{ rooms { id members { userId online } } }` costs 1 + 100 × (1 + 1 + 50 × 2) = 10,201; 300 aliases
 * of `messages(limit: 100) { id content }` cost 300 × (1 + 100 × 2) = 60,300.
 */
export function operationCost(
  context: ValidationContext,
  operation: OperationDefinitionNode,
  stopAbove: number,
): number {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of context.getDocument().definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  }
  const schema = context.getSchema();
  const rootType =
    operation.operation === 'query'
      ? schema.getQueryType()
      : operation.operation === 'mutation'
        ? schema.getMutationType()
        : schema.getSubscriptionType();

  // `parentType` is the object or interface type the selection set selects from (null when unknown).
  const costOf = (selectionSet: SelectionSetNode, parentType: unknown, spreads: Set<string>): number => {
    let cost = 0;
    for (const selection of selectionSet.selections) {
      if (cost > stopAbove) return cost;
      if (selection.kind === Kind.FRAGMENT_SPREAD) {
        const name = selection.name.value;
        const fragment = fragments.get(name);
        // A fragment cycle is its own validation error; count each spread once per path.
        if (!fragment || spreads.has(name)) continue;
        const type = schema.getType(fragment.typeCondition.name.value);
        cost += costOf(fragment.selectionSet, type, new Set(spreads).add(name));
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        const type = selection.typeCondition ? schema.getType(selection.typeCondition.name.value) : parentType;
        cost += costOf(selection.selectionSet, type, spreads);
      } else {
        cost += 1;
        // Introspection (GraphiQL, codegen) reads the schema, not the database: its lists are not counted.
        if (!selection.selectionSet || selection.name.value.startsWith('__')) continue;
        const fields = (
          parentType as { getFields?: () => Record<string, GraphQLField<unknown, unknown>> } | null
        )?.getFields?.();
        const field = fields?.[selection.name.value];
        let items = 1;
        if (!field || isListType(getNullableType(field.type))) {
          const limitArg = selection.arguments?.find((arg) => arg.name.value === 'limit');
          const literal = limitArg?.value.kind === Kind.INT ? Number(limitArg.value.value) : undefined;
          const listSize = field?.extensions?.listSize;
          items =
            literal !== undefined && literal >= 1
              ? Math.min(literal, MAX_LIST_SIZE)
              : limitArg
                ? MAX_LIST_SIZE
                : typeof listSize === 'number'
                  ? listSize
                  : DEFAULT_LIST_SIZE;
        }
        cost += items * costOf(selection.selectionSet, field ? getNamedType(field.type) : null, spreads);
      }
    }
    return cost;
  };
  return costOf(operation.selectionSet, rootType, new Set());
}

/** Refuses an operation whose `operationCost` is above `maxCost`. */
export function listCostRule(maxCost: number): ValidationRule {
  return (context) => ({
    OperationDefinition(operation) {
      const cost = operationCost(context, operation, maxCost);
      if (cost > maxCost) {
        context.reportError(
          refused(
            `Query is too expensive: its estimated cost is above the limit of ${maxCost} (list fields count once per item; ask for smaller pages)`,
            'GRAPHQL_MAX_COST',
          ),
        );
      }
    },
  });
}

/** Results the size cap serialised already, with their JSON text (read by the HTTP answer). */
export const serialisedResults = new WeakMap<ExecutionResult, string>();

/** The answer, serialised, is at most `maxBytes`; otherwise it is replaced by one coded error. */
function useResponseSizeCap(maxBytes: number): Plugin<GraphQLContext> {
  const cap = (result: ExecutionResult): ExecutionResult | undefined => {
    // Serialising is native and far cheaper than the resolvers that built the result; the text is
    // kept so that the HTTP answer does not serialise it a second time.
    const text = JSON.stringify(result);
    if (Buffer.byteLength(text) <= maxBytes) {
      serialisedResults.set(result, text);
      return undefined;
    }
    return {
      errors: [
        refused(
          `The answer would be larger than ${maxBytes} bytes; ask for less (fewer fields, aliases or smaller pages)`,
          'GRAPHQL_MAX_RESPONSE_BYTES',
        ),
      ],
    };
  };
  return {
    onExecute() {
      return {
        onExecuteDone({ result, setResult }) {
          if (Symbol.asyncIterator in (result as object)) return;
          const replaced = cap(result as ExecutionResult);
          if (replaced) setResult(replaced);
        },
      };
    },
    onSubscribe() {
      return {
        onSubscribeResult() {
          return {
            onNext({ result, setResult }) {
              const replaced = cap(result);
              if (replaced) setResult(replaced);
            },
          };
        },
      };
    },
  };
}

/**
 * Each mutation root field (aliases included) costs one point of the tenant's rate limit: the
 * request's admission paid for the first, the others are taken here before any of them runs, and
 * the whole operation is refused with RATE_LIMIT_EXCEEDED when the window cannot pay for them.
 */
function useMutationPoints(): Plugin<GraphQLContext> {
  return {
    onExecute({ args, setResultAndStopExecution }) {
      const operation = args.document.definitions.find(
        (d: DefinitionNode): d is OperationDefinitionNode =>
          d.kind === Kind.OPERATION_DEFINITION && (args.operationName == null || d.name?.value === args.operationName),
      );
      if (operation?.operation !== 'mutation') return;
      const context = args.contextValue as GraphQLContext;
      const fields = countRootFields(operation.selectionSet, args.document.definitions);
      // One field was paid for by the request's admission: no extra promise on the common path.
      if (fields <= 1) return;
      return context.services.limits.admitExtra(context.session, fields - 1).then(
        () => undefined,
        (err: unknown) => {
          // Coded here: over graphql-ws no later hook gives a stopped execution's errors their code.
          setResultAndStopExecution({ errors: [toGraphQLError(err)] });
        },
      );
    },
  };
}

function countRootFields(
  selectionSet: SelectionSetNode,
  definitions: readonly DefinitionNode[],
  seen = new Set<string>(),
): number {
  let count = 0;
  for (const selection of selectionSet.selections) {
    if (selection.kind === Kind.FIELD) {
      if (!selection.name.value.startsWith('__')) count += 1;
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      count += countRootFields(selection.selectionSet, definitions, seen);
    } else if (!seen.has(selection.name.value)) {
      seen.add(selection.name.value);
      const fragment = definitions.find(
        (d): d is FragmentDefinitionNode =>
          d.kind === Kind.FRAGMENT_DEFINITION && d.name.value === selection.name.value,
      );
      if (fragment) count += countRootFields(fragment.selectionSet, definitions, seen);
    }
  }
  return count;
}

/**
 * The envelop plugins that bound the work of one GraphQL operation, for every transport (HTTP
 * through Yoga or the fast path, and graphql-ws: all of them parse and validate through
 * `yoga.getEnveloped`). Armor bounds the document (tokens while parsing; depth, aliases and
 * directives as validation rules); `listCostRule` bounds what it may fetch; the size cap bounds
 * the answer; mutation fields pay rate-limit points. Batched (array) requests are refused
 * outright: the fast path accepts one JSON object and Yoga's batching is off.
 */
export function graphqlLimitPlugins(limits: GraphQLLimits): Plugin<GraphQLContext>[] {
  // Armor's validation rules throw by default, which a caller of `validate` (graphql-ws) would see
  // as an unexpected error: report them as validation errors instead.
  const asValidationError = {
    propagateOnRejection: false,
    onReject: [(context: ValidationContext | null, error: GraphQLError) => context?.reportError(error)],
  };
  const armor = new EnvelopArmor({
    maxDepth: {
      ...asValidationError,
      n: limits.maxDepth,
      ignoreIntrospection: true,
      flattenFragments: true,
      errorMessage: `Query is nested too deeply (the limit is ${limits.maxDepth} levels)`,
      exposeLimits: false,
    },
    maxAliases: {
      ...asValidationError,
      n: limits.maxAliases,
      errorMessage: `Query has too many aliases (the limit is ${limits.maxAliases})`,
      exposeLimits: false,
    },
    maxTokens: {
      n: limits.maxTokens,
      errorMessage: `Query is too long (the limit is ${limits.maxTokens} tokens)`,
      exposeLimits: false,
    },
    maxDirectives: {
      ...asValidationError,
      n: limits.maxDirectives,
      errorMessage: `Query has too many directives (the limit is ${limits.maxDirectives})`,
      exposeLimits: false,
    },
    // Armor's own cost limit does not multiply by list sizes: listCostRule below does.
    costLimit: { enabled: false },
    // Field suggestions ("Did you mean ...?") stay: the schema is public.
    blockFieldSuggestion: { enabled: false },
  });
  return [
    ...(armor.protect().plugins as Plugin<GraphQLContext>[]),
    { onValidate: ({ addValidationRule }) => addValidationRule(listCostRule(limits.maxCost)) },
    useResponseSizeCap(limits.maxResponseBytes),
    useMutationPoints(),
  ];
}
