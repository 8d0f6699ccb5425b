import type { IncomingMessage, ServerResponse } from 'node:http';
import Router, { type HTTPVersion } from 'find-my-way';
import type { Session } from '../auth/session.js';
import { notFound } from '../errors.js';
import type { Admit } from '../http/admission.js';
import { readJsonObject } from '../http/body.js';
import { sendError, sendJson } from '../http/respond.js';
import { inRestDialect } from './dialect.js';
import type { Logger } from '../logger.js';
import { rateLimitExceeded, rateLimitHeaders, type RateLimitState } from '../services/rateLimits.js';

/**
 * The original ChatAPI's documented REST endpoints, unchanged: paths, headers, snake_case fields.
 * Each handler translates HTTP to one service call and the result back; nothing else.
 */
export interface Request {
  params: Record<string, string | undefined>;
  query: URLSearchParams;
  /**
   * The caller, from the one authentication path. A tenant user's request is admitted here: it
   * spends one point of the tenant's rate limit, and the response carries X-RateLimit-* headers.
   */
  session(): Promise<Session>;
  /** The JSON object body; with `optional`, an empty body reads as `{}`. */
  body(optional?: boolean): Promise<Record<string, unknown>>;
}

export type Handler = (request: Request) => Promise<[status: number, body: unknown]>;
export type On = (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', path: string, handler: Handler) => void;

/** A find-my-way router whose routes (added by each `register`) answer JSON through `Handler`s. */
export function createRestRouter(
  admit: Admit,
  logger: Logger,
  options: { maxBodyBytes: number },
  register: Array<(on: On) => void>,
) {
  const router = Router<HTTPVersion.V1>({
    ignoreTrailingSlash: true,
    defaultRoute: (_req, res) => sendError(res, notFound('Route'), logger),
    onBadUrl: (_path, _req, res) => sendError(res, notFound('Route'), logger),
  });

  const on: On = (method, path, handler) =>
    router.on(method, path, async (req: IncomingMessage, res: ServerResponse, params, _store, query) => {
      let limit: RateLimitState | undefined;
      let session: Promise<Session> | undefined;
      const authenticate = async () => {
        const admission = await admit(req);
        limit = admission.limit;
        if (limit?.retryAfter !== undefined) throw rateLimitExceeded(limit.retryAfter);
        return admission.session;
      };
      try {
        const [status, body] = await handler({
          params,
          query: new URLSearchParams(query as Record<string, string>),
          session: () => (session ??= authenticate()),
          body: async (optional) => {
            // Credentials before the body: a caller without any is refused before a byte is parsed,
            // with the refusal the service itself would give (admin API or tenant API).
            const caller = await (session ??= authenticate());
            if (caller.actor.kind === 'anonymous') {
              if (path.startsWith('/admin/')) caller.assert('tenant:admin');
              else caller.assert('tenant:read');
            }
            return readJsonObject(req, options.maxBodyBytes, optional);
          },
        });
        sendJson(res, status, body, limit ? rateLimitHeaders(limit) : {});
      } catch (err) {
        sendError(res, inRestDialect(err), logger, limit ? rateLimitHeaders(limit) : {});
      }
    });

  for (const add of register) add(on);
  return router;
}
