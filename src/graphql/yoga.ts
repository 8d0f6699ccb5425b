import type { IncomingMessage, ServerResponse } from 'node:http';
import { getOperationAST, GraphQLError, type ExecutionResult } from 'graphql';
import { createYoga, type Plugin, type YogaServerInstance } from 'graphql-yoga';
import { invalid, publicError } from '../errors.js';
import type { Logger } from '../logger.js';
import { admitHttpRequest } from '../rest/admission.js';
import { readJson } from '../rest/http.js';
import type { Services } from '../services/index.js';
import { rateLimitExceeded, rateLimitHeaders, type RateLimitState } from '../services/rateLimits.js';
import type { GraphQLContext } from './builder.js';
import { graphqlLimitPlugins, type GraphQLLimits } from './limits.js';
import { normaliseErrors, toGraphQLError, useErrorCodes } from './errors.js';
import { schema } from './schema.js';

const SUBSCRIPTIONS_OVER_WEBSOCKET = 'Subscriptions run over WebSocket (graphql-transport-ws) on /graphql';

/**
 * Subscriptions run over WebSocket only, where the connection registry re-checks their key every
 * second and closes them when it stops working. Yoga would also stream them over SSE, where nothing
 * would cut a revoked key or a disabled tenant off.
 */
function webSocketSubscriptionsOnly(logger: Logger): Plugin<GraphQLContext> {
  return {
    onSubscribe({ args, setResultAndStopExecution }) {
      if (!(args.contextValue as Partial<GraphQLContext>).connection) {
        setResultAndStopExecution({ errors: [toGraphQLError(invalid(SUBSCRIPTIONS_OVER_WEBSOCKET), logger)] });
      }
    },
  };
}

export interface ServerContext {
  req: IncomingMessage;
  res: ServerResponse;
}

export type GraphQLServer = YogaServerInstance<ServerContext, GraphQLContext>;

export interface GraphQLHttp {
  /** The Yoga server: WebSocket operations run through its enveloped pipeline too. */
  yoga: GraphQLServer;
  /** Answers any HTTP request to /graphql. */
  handle(req: IncomingMessage, res: ServerResponse): void;
}

/**
 * GraphQL over HTTP at /graphql (GraphiQL in a browser).
 *
 * The common request, POST with a JSON body and a JSON answer, runs through Yoga's enveloped
 * pipeline (the same plugins, parser and validation caches, context and error masking as every
 * other path) directly on Node's request and response. Yoga's fetch-API adapter was measured at
 * about 0.5 ms of CPU per request here (Request, AbortSignal and stream objects per request),
 * several times the cost of the operation itself. Everything else (GET, GraphiQL, SSE and multipart
 * responses, other content types) goes to Yoga's full handler.
 */
export function createGraphQLHttp(
  services: Services,
  logger: Logger,
  options: { trustProxy: boolean; maxBodyBytes: number; graphqlLimits: GraphQLLimits },
): GraphQLHttp {
  // Where each request handled by Yoga stands against its tenant's rate limit, for its headers.
  const limits = new WeakMap<IncomingMessage, RateLimitState>();
  const yoga = createYoga<ServerContext, GraphQLContext>({
    schema,
    graphqlEndpoint: '/graphql',
    landingPage: false,
    // Every GraphQL error is already logged where it matters (toGraphQLError logs unexpected ones);
    // Yoga's own lines are only useful when debugging.
    logging: {
      debug: (...args) => logger.debug({ yoga: args.slice(1) }, String(args[0])),
      info: (...args) => logger.debug({ yoga: args.slice(1) }, String(args[0])),
      warn: (...args) => logger.debug({ yoga: args.slice(1) }, String(args[0])),
      error: (...args) => logger.debug({ yoga: args.slice(1) }, String(args[0])),
    },
    maskedErrors: { maskError: (error) => toGraphQLError(error, logger) },
    // Over WebSocket and on the fast path the caller authenticated already and passes its session
    // in; requests Yoga handles itself authenticate here. Same path (admitHttpRequest) either way.
    context: async (initial) => {
      const { session, connection } = initial as Partial<GraphQLContext>;
      if (session) return { session, services, connection };
      const admission = await admitHttpRequest(services, initial.req, options.trustProxy);
      if (admission.limit) limits.set(initial.req, admission.limit);
      if (admission.limit?.retryAfter !== undefined) throw rateLimitExceeded(admission.limit.retryAfter);
      return { session: admission.session, services, connection };
    },
    plugins: [
      useErrorCodes(logger),
      webSocketSubscriptionsOnly(logger),
      ...graphqlLimitPlugins(options.graphqlLimits),
      {
        onResponse({ response, serverContext }) {
          const req = (serverContext as Partial<ServerContext> | undefined)?.req;
          const state = req && limits.get(req);
          if (!state) return;
          // Retry-After comes with the RATE_LIMIT_EXCEEDED error itself.
          for (const [name, value] of Object.entries(rateLimitHeaders(state))) if (name !== 'Retry-After') response.headers.set(name, value);
        },
      },
    ],
  });

  const viaYoga = (req: IncomingMessage, res: ServerResponse) => void yoga(req, res, { req, res });

  async function fastPath(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let limit: RateLimitState | undefined;
    let result: ExecutionResult;
    let status = 200;
    try {
      const body = await readJson(req, options.maxBodyBytes);
      if (!body || typeof body !== 'object' || Array.isArray(body)) throw invalid('POST body must be a JSON object with a "query"');
      const params = body as { query?: unknown; variables?: unknown; operationName?: unknown; extensions?: unknown };
      if (typeof params.query !== 'string' || params.query === '') throw invalid('"query" must be a non-empty string', 'query');
      if (params.variables != null && (typeof params.variables !== 'object' || Array.isArray(params.variables))) {
        throw invalid('"variables" must be an object', 'variables');
      }
      if (params.operationName != null && typeof params.operationName !== 'string') throw invalid('"operationName" must be a string', 'operationName');

      const admission = await admitHttpRequest(services, req, options.trustProxy);
      limit = admission.limit;
      if (limit?.retryAfter !== undefined) throw rateLimitExceeded(limit.retryAfter);

      const { parse, validate, contextFactory, execute, schema: envelopedSchema } = yoga.getEnveloped({
        req,
        res,
        session: admission.session,
        params,
      });
      const document = parse(params.query);
      const errors = validate(envelopedSchema, document);
      if (errors.length > 0) {
        result = { errors };
      } else if (getOperationAST(document, (params.operationName as string | undefined) ?? undefined)?.operation === 'subscription') {
        throw invalid(SUBSCRIPTIONS_OVER_WEBSOCKET);
      } else {
        result = (await execute({
          schema: envelopedSchema,
          document,
          variableValues: params.variables as Record<string, unknown> | undefined,
          operationName: params.operationName as string | undefined,
          contextValue: await contextFactory(),
        })) as ExecutionResult;
      }
    } catch (err) {
      // A syntax error (GraphQLError) or a refused request (AppError: bad input, credentials, limit).
      result = { errors: [toGraphQLError(err, logger)] };
      status = err instanceof GraphQLError ? 400 : publicError(err).status;
    }
    result = normaliseErrors(result, logger);
    // A request-level error (credentials, rate limit, database away) carries its HTTP status.
    const http = result.errors?.[0]?.extensions?.http as { status?: number; headers?: Record<string, string> } | undefined;
    if (http?.status && result.data == null) status = http.status;
    const text = JSON.stringify(
      result.errors ? { ...result, errors: result.errors.map(({ extensions: { http: _, ...extensions }, ...error }) => ({ ...error, extensions })) } : result,
    );
    res.writeHead(status, {
      'content-type': 'application/json; charset=utf-8',
      'content-length': Buffer.byteLength(text),
      ...(limit ? rateLimitHeaders(limit) : {}),
      ...http?.headers,
    });
    res.end(text);
  }

  return {
    yoga,
    handle(req, res) {
      const accept = req.headers.accept ?? '';
      const json = (req.headers['content-type'] ?? '').startsWith('application/json');
      if (req.method === 'POST' && json && !accept.includes('text/event-stream') && !accept.includes('multipart/mixed')) {
        fastPath(req, res).catch((err: unknown) => {
          logger.error({ err }, 'GraphQL request failed');
          if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ errors: [{ message: 'Internal server error', extensions: { code: 'INTERNAL_ERROR' } }] }));
        });
      } else {
        viaYoga(req, res);
      }
    },
  };
}
