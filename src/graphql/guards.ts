import { getOperationAST, GraphQLError, Kind, type DocumentNode } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { invalid, unauthenticated } from '../errors.js';
import type { GraphQLContext } from './builder.js';

/**
 * Deepest bracket nesting (selections, arguments, lists) a document may have. graphql-js parses,
 * validates and executes recursively; thousands of levels would overflow the stack.
 */
export const MAX_DOCUMENT_DEPTH = 64;

/** Largest document a caller without credentials may send: enough for health and introspection. */
export const ANONYMOUS_MAX_DOCUMENT_BYTES = 16 * 1024;

/** Root fields a caller without credentials may select. */
const PUBLIC_FIELDS = new Set(['health', '__schema', '__type', '__typename']);

export const MISSING_KEY = 'Missing X-API-Key header';

/** Bracket nesting of a GraphQL document, outside strings and comments; stops early past `max`. */
export function documentDepth(source: string, max = MAX_DOCUMENT_DEPTH): number {
  let depth = 0;
  let deepest = 0;
  for (let i = 0; i < source.length; i++) {
    const c = source[i];
    if (c === '#') {
      while (i < source.length && source[i] !== '\n' && source[i] !== '\r') i++;
    } else if (c === '"') {
      if (source.startsWith('"""', i)) {
        const end = source.indexOf('"""', i + 3);
        i = end < 0 ? source.length : end + 2;
        // an escaped \""" inside a block string is rare; worst case it only under-counts nesting
      } else {
        for (i++; i < source.length && source[i] !== '"' && source[i] !== '\n'; i++) if (source[i] === '\\') i++;
      }
    } else if (c === '{' || c === '(' || c === '[') {
      if (++depth > deepest && (deepest = depth) > max) return deepest;
    } else if (c === '}' || c === ')' || c === ']') depth--;
  }
  return deepest;
}

/** True when every operation of `document` selects only health and introspection at its root. */
export function onlyPublicFields(document: DocumentNode): boolean {
  return document.definitions.every(
    (definition) =>
      definition.kind !== Kind.OPERATION_DEFINITION ||
      (definition.operation === 'query' &&
        definition.selectionSet.selections.every((s) => s.kind === Kind.FIELD && PUBLIC_FIELDS.has(s.name.value))),
  );
}

/** The operation to run, or a VALIDATION_ERROR naming `operationName` when there is none or it is ambiguous. */
export function requireOperation(document: DocumentNode, operationName: string | undefined) {
  const operation = getOperationAST(document, operationName);
  if (operation) return operation;
  throw operationName
    ? invalid(`Unknown operation named "${operationName}"`, 'operationName')
    : invalid('The document has several operations: operationName must name one', 'operationName');
}

/**
 * Checks every GraphQL document (HTTP, fast path and Yoga's, and WebSocket alike) before and right
 * after parsing: too deeply nested is refused unparsed; a caller without credentials may only ask
 * for health and introspection.
 */
export function useDocumentGuards(): Plugin<GraphQLContext> {
  return {
    onParse({ params, context }) {
      const source = typeof params.source === 'string' ? params.source : params.source.body;
      // Refused like a syntax error (400 on every path): the document is never parsed.
      if (documentDepth(source) > MAX_DOCUMENT_DEPTH) {
        throw new GraphQLError(`The document nests deeper than ${MAX_DOCUMENT_DEPTH} levels`, {
          extensions: { code: 'VALIDATION_ERROR', field: 'query', http: { status: 400 } },
        });
      }
      return ({ result }) => {
        if (!result || result instanceof Error || !('definitions' in result)) return;
        const session = (context as Partial<GraphQLContext>).session;
        if (session?.actor.kind === 'anonymous' && !onlyPublicFields(result)) throw unauthenticated(MISSING_KEY);
      };
    },
  };
}
