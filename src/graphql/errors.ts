import { GraphQLError, type ExecutionResult } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { AppError, errorCodes, publicError, type ErrorCode } from '../errors.js';
import type { Logger } from '../logger.js';

const isRegistered = (code: unknown): code is ErrorCode => typeof code === 'string' && code in errorCodes;

/**
 * One GraphQL error shape for every failure: `extensions.code` from the registry in ../errors.ts.
 * Expected failures (AppError) keep their message and details; GraphQL's own request errors
 * (syntax, unknown field, wrong variable type) become VALIDATION_ERROR; anything else is masked as
 * INTERNAL_ERROR, with no stack or SQL in the response.
 */
export function toGraphQLError(error: unknown, logger?: Logger): GraphQLError {
  const gql = error instanceof GraphQLError ? error : undefined;
  let cause: unknown = gql ? gql.originalError : error;
  while (cause instanceof GraphQLError && cause.originalError) cause = cause.originalError;

  if (gql && (cause === undefined || cause instanceof GraphQLError)) {
    const source = (cause as GraphQLError | undefined) ?? gql;
    if (isRegistered(source.extensions.code)) return source;
    const status = (source.extensions.http as { status?: number } | undefined)?.status;
    const code: ErrorCode = status && status >= 500 ? 'INTERNAL_ERROR' : 'VALIDATION_ERROR';
    return new GraphQLError(code === 'INTERNAL_ERROR' ? errorCodes.INTERNAL_ERROR.message : source.message, {
      nodes: gql.nodes,
      source: gql.source,
      positions: gql.positions,
      path: gql.path,
      // A request that cannot run at all (syntax, unknown field, bad variables: no path) is a 400 on
      // every HTTP path, whichever answer format was asked for.
      extensions: {
        ...(code === 'VALIDATION_ERROR' && !gql.path ? { http: { status: 400 } } : {}),
        ...source.extensions,
        code,
      },
    });
  }
  if (!(cause instanceof AppError)) logger?.error({ err: cause }, 'Unexpected error in GraphQL operation');
  const app = publicError(cause);
  return new GraphQLError(app.message, {
    nodes: gql?.nodes,
    source: gql?.source,
    positions: gql?.positions,
    path: gql?.path,
    extensions: {
      code: app.code,
      ...app.details,
      // A request-level code fails the whole request: HTTP answers with its status instead of 200.
      ...(app.row.requestLevel ? { http: { status: app.status, headers: app.headers } } : {}),
    },
  });
}

/** Gives every error of a result a registry code (see toGraphQLError). */
export function normaliseErrors(result: ExecutionResult, logger: Logger): ExecutionResult {
  if (!result.errors?.some((e) => !isRegistered(e.extensions?.code))) return result;
  return { ...result, errors: result.errors.map((e) => toGraphQLError(e, logger)) };
}

/** Gives errors that never reach `maskError` (parse, validation, request errors) a registry code. */
export function useErrorCodes(logger: Logger): Plugin {
  return {
    onResultProcess({ result, setResult }) {
      if (Array.isArray(result)) setResult(result.map((r) => normaliseErrors(r, logger)));
      else if (result && typeof result === 'object' && 'errors' in result)
        setResult(normaliseErrors(result as ExecutionResult, logger));
    },
  };
}
