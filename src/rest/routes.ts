import type { IncomingMessage, ServerResponse } from 'node:http';
import Router, { type HTTPVersion } from 'find-my-way';
import type { Session } from '../auth/session.js';
import { notFound } from '../errors.js';
import type { MessageData } from '../events/events.js';
import type { Logger } from '../logger.js';
import type { Services } from '../services/index.js';
import { rateLimitExceeded, rateLimitHeaders, type RateLimitState } from '../services/rateLimits.js';
import type { MemberView, RoomView } from '../services/rooms.js';
import { admitHttpRequest } from './admission.js';
import { registerAdminRoutes } from './admin.js';
import { intParam, readJsonObject, sendError, sendJson } from './http.js';

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

const room = (r: RoomView) => ({
  room_id: r.id,
  type: r.type,
  unique_key: r.uniqueKey,
  name: r.name,
  last_seq: r.lastSeq,
  created_at: r.createdAt.toISOString(),
});

const member = (m: MemberView) => ({ user_id: m.userId, role: m.role, joined_at: m.joinedAt.toISOString() });

const message = (m: MessageData) => ({
  message_id: m.id,
  room_id: m.roomId,
  sender_id: m.senderId,
  seq: m.seq,
  content: m.content,
  meta: m.meta,
  client_message_id: m.clientMessageId,
  created_at: m.createdAt,
});

export function createRestRouter(services: Services, logger: Logger, options: { maxBodyBytes: number; trustProxy: boolean }) {
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
        const admission = await admitHttpRequest(services, req, options.trustProxy);
        limit = admission.limit;
        if (limit?.retryAfter !== undefined) throw rateLimitExceeded(limit.retryAfter);
        return admission.session;
      };
      try {
        const [status, body] = await handler({
          params,
          query: new URLSearchParams(query as Record<string, string>),
          session: () => (session ??= authenticate()),
          body: (optional) => readJsonObject(req, options.maxBodyBytes, optional),
        });
        sendJson(res, status, body, limit ? rateLimitHeaders(limit) : {});
      } catch (err) {
        sendError(res, err, logger, limit ? rateLimitHeaders(limit) : {});
      }
    });

  registerAdminRoutes(on, services);

  on('GET', '/health', async () => {
    const health = await services.health.check();
    return [
      health.status === 'error' ? 503 : 200,
      { status: health.status, uptime: health.uptime, db_writable: health.dbWritable, ...(health.reason ? { reason: health.reason } : {}), ...(health.redis ? { redis: health.redis } : {}) },
    ];
  });

  on('POST', '/rooms', async (r) => {
    const session = await r.session();
    session.requireUser();
    const body = await r.body();
    return [201, room(await services.rooms.create(session, { type: body.type, members: body.members, name: body.name }))];
  });

  on('GET', '/rooms', async (r) => [200, (await services.rooms.listForUser(await r.session())).map(room)]);

  on('GET', '/rooms/:room_id', async (r) => {
    const found = await services.rooms.get(await r.session(), r.params.room_id);
    if (!found) throw notFound('Room');
    return [200, room(found)];
  });

  on('GET', '/rooms/:room_id/members', async (r) => [
    200,
    (await services.rooms.listMembers(await r.session(), r.params.room_id)).map(member),
  ]);

  on('POST', '/rooms/:room_id/messages', async (r) => {
    const session = await r.session();
    session.requireUser();
    const body = await r.body();
    const { message: sent } = await services.messages.send(session, r.params.room_id, {
      content: body.content,
      meta: body.meta,
      clientMessageId: body.client_message_id,
    });
    return [201, { message_id: sent.id, seq: sent.seq, created_at: sent.createdAt }];
  });

  on('GET', '/rooms/:room_id/messages', async (r) => {
    const session = await r.session();
    const page = await services.messages.list(session, r.params.room_id, {
      afterSeq: intParam(r.query, 'after_seq') ?? 0,
      limit: intParam(r.query, 'limit'),
    });
    return [200, page.map(message)];
  });

  on('POST', '/acks', async (r) => {
    const session = await r.session();
    session.requireUser();
    const body = await r.body();
    await services.messages.ack(session, body.room_id, body.seq);
    return [200, { success: true }];
  });

  on('POST', '/notify', async (r) => {
    const session = await r.session();
    session.requireUser();
    const body = await r.body();
    const sent = await services.notifications.notify(session, { topic: body.topic, payload: body.payload, targets: body.targets });
    return [202, { notification_id: sent.id, created_at: sent.createdAt, recipients: sent.recipients }];
  });

  on('POST', '/notifications/:notification_id/ack', async (r) => {
    await services.notifications.ack(await r.session(), r.params.notification_id);
    return [200, { success: true }];
  });

  return router;
}

export type RestRouter = ReturnType<typeof createRestRouter>;
