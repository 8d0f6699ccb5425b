import type { IncomingMessage, ServerResponse } from 'node:http';
import { GraphQLError, type ExecutionResult } from 'graphql';
import { createYoga, type Plugin, type YogaServerInstance } from 'graphql-yoga';
import type { Session } from '../auth/session.js';
import { invalid, publicError, tooLarge, unauthenticated } from '../errors.js';
import type { Admit } from '../http/admission.js';
import { checkDeclaredLength, parseJson, readBody } from '../http/body.js';
import { sendError } from '../http/respond.js';
import type { Logger } from '../logger.js';
import { rateLimitExceeded, rateLimitHeaders, type RateLimitState } from '../services/rateLimits.js';
import type { Services } from '../services/index.js';
import type { GraphQLContext } from './builder.js';
import { graphqlLimitPlugins, serialisedResults, type GraphQLLimits } from './limits.js';
import { normaliseErrors, toGraphQLError, useErrorCodes } from './errors.js';
import { ANONYMOUS_MAX_DOCUMENT_BYTES, MISSING_KEY, requireOperation, useDocumentGuards } from './guards.js';
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

/** What an HTTP answer of /graphql is made of, whichever path produced it. */
interface Answer {
  status: number;
  headers: Record<string, string>;
  text: string;
}

/** The one place a /graphql HTTP answer is written: both paths end here, with the rate-limit headers. */
function sendAnswer(res: ServerResponse, answer: Answer, limit: RateLimitState | undefined): void {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(limit ? rateLimitHeaders(limit) : {})) {
    // Retry-After comes with the RATE_LIMIT_EXCEEDED error itself (in answer.headers).
    if (name.toLowerCase() !== 'retry-after') headers[name.toLowerCase()] = value;
  }
  for (const [name, value] of Object.entries(answer.headers)) headers[name.toLowerCase()] = value;
  headers['content-length'] = String(Buffer.byteLength(answer.text));
  res.writeHead(answer.status, headers);
  res.end(answer.text);
}

/** A GraphQL result as JSON: a request-level error (credentials, limit, database away) sets the status. */
function resultAnswer(result: ExecutionResult, logger: Logger, status = 200): Answer {
  result = normaliseErrors(result, logger);
  const http = result.errors?.[0]?.extensions?.http as
    | { status?: number; headers?: Record<string, string> }
    | undefined;
  if (http?.status && result.data == null) status = http.status;
  const text = result.errors
    ? JSON.stringify({
        ...result,
        errors: result.errors.map(({ extensions: { http: _, ...extensions }, ...error }) => ({ ...error, extensions })),
      })
    : (serialisedResults.get(result) ?? JSON.stringify(result));
  return { status, headers: { 'content-type': 'application/json; charset=utf-8', ...http?.headers }, text };
}

/** A refused or failed request, before or outside execution. */
function errorAnswer(err: unknown, logger: Logger): Answer {
  const status = err instanceof GraphQLError ? 400 : publicError(err).status;
  const answer = resultAnswer({ errors: [toGraphQLError(err, logger)] }, logger, status);
  // The body may not have been read: closing the connection keeps the next request's bytes clean.
  if (status === 413) answer.headers.connection = 'close';
  return answer;
}

/**
 * GraphQL over HTTP at /graphql.
 *
 * Every request is admitted first (credentials, then one point of a rate limit: the tenant's, or
 * the address's anonymous one), then its body is read under one limit (maxBodyBytes, whatever the
 * content type or framing) and only then parsed. A caller without credentials may send a small
 * document of health and introspection only (./guards.ts).
 *
 * Two paths then run the operation:
 * - The fast path, POST with a JSON body and a JSON answer (the common request), calls Yoga's
 *   enveloped pipeline (`yoga.getEnveloped`: the same plugins' onParse/onValidate/onContextBuilding/
 *   onExecute hooks, parser and validation caches, context and error masking) directly on Node's
 *   request and response. Yoga's fetch-API adapter was measured at about 0.5 ms of CPU per request
 *   here (Request, AbortSignal and stream objects per request), several times the cost of the
 *   operation itself.
 *   Contract: the fast path BYPASSES Yoga's server-level hooks (onRequest, onRequestParse,
 *   onParams, onResultProcess, onResponse) and Yoga's own request parsing and status mapping.
 *   So a plugin that must hold for every request must never be written as one of those hooks:
 *   write it as an envelop hook (onParse, onValidate, onExecute, onSubscribe, onContextBuilding),
 *   or here, in `handle`, before either path.
 * - Everything else (GET, other content types, SSE and multipart answers) goes to Yoga's handler,
 *   with the body already read and the session already known.
 * Both answer through `sendAnswer`; test/graphql-parity.test.ts holds them to the same answers.
 */
export function createGraphQLHttp(
  services: Services,
  logger: Logger,
  options: { admit: Admit; maxBodyBytes: number; graphqlLimits: GraphQLLimits },
): GraphQLHttp {
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
    // Every caller authenticated before its document was read (HTTP: `handle`; WebSocket: the
    // connection) and passes its session in.
    context: (initial) => {
      const { session, connection } = initial as Partial<GraphQLContext>;
      if (!session) throw unauthenticated(MISSING_KEY);
      return { session, services, connection };
    },
    // Checks that must hold on every path are envelop hooks (see the contract above).
    plugins: [
      useDocumentGuards(),
      useErrorCodes(logger),
      webSocketSubscriptionsOnly(logger),
      ...graphqlLimitPlugins(options.graphqlLimits),
    ],
  });

  /** Runs a JSON POST through the enveloped pipeline (see the contract above). */
  async function fastPath(req: IncomingMessage, res: ServerResponse, session: Session, body: Buffer): Promise<Answer> {
    const parsed = parseJson(body.toString('utf8'));
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed))
      throw invalid('POST body must be a JSON object with a "query"');
    const params = parsed as { query?: unknown; variables?: unknown; operationName?: unknown; extensions?: unknown };
    if (typeof params.query !== 'string' || params.query === '')
      throw invalid('"query" must be a non-empty string', 'query');
    if (params.variables != null && (typeof params.variables !== 'object' || Array.isArray(params.variables))) {
      throw invalid('"variables" must be an object', 'variables');
    }
    if (params.operationName != null && typeof params.operationName !== 'string')
      throw invalid('"operationName" must be a string', 'operationName');
    const operationName = (params.operationName as string | null | undefined) ?? undefined;

    const {
      parse,
      validate,
      contextFactory,
      execute,
      schema: envelopedSchema,
    } = yoga.getEnveloped({ req, res, session, params });
    const document = parse(params.query);
    const errors = validate(envelopedSchema, document);
    if (errors.length > 0) return resultAnswer({ errors }, logger);
    if (requireOperation(document, operationName).operation === 'subscription')
      throw invalid(SUBSCRIPTIONS_OVER_WEBSOCKET);
    const result = (await execute({
      schema: envelopedSchema,
      document,
      variableValues: params.variables as Record<string, unknown> | undefined,
      operationName,
      contextValue: await contextFactory(),
    })) as ExecutionResult;
    return resultAnswer(result, logger);
  }

  /** Hands the request, its body already read, to Yoga's own handler. */
  async function viaYoga(
    req: IncomingMessage,
    res: ServerResponse,
    session: Session,
    body: Buffer | undefined,
  ): Promise<Answer> {
    const headers = new yoga.fetchAPI.Headers();
    for (const [name, value] of Object.entries(req.headers)) {
      if (value === undefined || name === 'content-length' || name === 'transfer-encoding' || name === 'connection')
        continue;
      headers.set(name, Array.isArray(value) ? value.join(', ') : value);
    }
    // A plain JSON answer is asked for as graphql-response+json, whose statuses (400 for a request
    // that cannot run) are the fast path's; it is labelled application/json again below.
    const accept = headers.get('accept') ?? '';
    const plainJson = !/text\/event-stream|multipart\/mixed|text\/html/.test(accept);
    if (plainJson) headers.set('accept', 'application/graphql-response+json');
    const request = new yoga.fetchAPI.Request(`http://${req.headers.host ?? 'localhost'}${req.url ?? '/graphql'}`, {
      method: req.method,
      headers,
      ...(body && body.length > 0 ? { body: new Uint8Array(body) } : {}),
    });
    const response = await yoga.fetch(request, { req, res, session } as ServerContext);
    const answerHeaders: Record<string, string> = {};
    response.headers.forEach((value, name) => {
      if (name !== 'content-length') answerHeaders[name] = value;
    });
    if (plainJson && answerHeaders['content-type']?.startsWith('application/graphql-response+json')) {
      answerHeaders['content-type'] = 'application/json; charset=utf-8';
    }
    return { status: response.status, headers: answerHeaders, text: await response.text() };
  }

  async function answer(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let limit: RateLimitState | undefined;
    let result: Answer;
    try {
      // A query string is a document too: the same limit as a body.
      if ((req.url?.length ?? 0) > options.maxBodyBytes)
        throw tooLarge(`Request must be at most ${options.maxBodyBytes} bytes`);
      const admission = await options.admit(req);
      limit = admission.limit;
      if (limit?.retryAfter !== undefined) throw rateLimitExceeded(limit.retryAfter);
      const anonymous = admission.session.actor.kind === 'anonymous';
      // Without credentials only a small document of health and introspection fields is worth reading.
      let body: Buffer | undefined;
      try {
        if (req.method !== 'GET' && req.method !== 'HEAD')
          body = await readBody(req, anonymous ? ANONYMOUS_MAX_DOCUMENT_BYTES : options.maxBodyBytes);
      } catch (err) {
        throw anonymous && publicError(err).code === 'PAYLOAD_TOO_LARGE' ? unauthenticated(MISSING_KEY) : err;
      }
      const accept = req.headers.accept ?? '';
      const json = (req.headers['content-type'] ?? '').startsWith('application/json');
      result =
        req.method === 'POST' &&
        body &&
        json &&
        !accept.includes('text/event-stream') &&
        !accept.includes('multipart/mixed')
          ? await fastPath(req, res, admission.session, body)
          : await viaYoga(req, res, admission.session, body);
    } catch (err) {
      // A syntax error (GraphQLError) or a refused request (AppError: bad input, credentials, limit).
      result = errorAnswer(err, logger);
    }
    sendAnswer(res, result, limit);
  }

  return {
    yoga,
    handle(req, res) {
      // An announced oversized body is refused before anything else, as REST refuses it.
      try {
        checkDeclaredLength(req, options.maxBodyBytes);
      } catch (err) {
        sendError(res, err, logger);
        return;
      }
      answer(req, res).catch((err: unknown) => {
        logger.error({ err }, 'GraphQL request failed');
        if (res.headersSent) res.destroy();
        else sendAnswer(res, errorAnswer(err, logger), undefined);
      });
    },
  };
}
