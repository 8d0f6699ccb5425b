import type { IncomingMessage, ServerResponse } from 'node:http';
import Router, { type HTTPVersion } from 'find-my-way';
import { credentialsFromHeaders, nodeHeaders } from '../auth/credentials.js';
import type { Session } from '../auth/session.js';
import { notFound } from '../errors.js';
import type { MessageData } from '../events/events.js';
import type { Logger } from '../logger.js';
import type { Services } from '../services/index.js';
import type { MemberView, RoomView } from '../services/rooms.js';
import { intParam, readJsonObject, sendError, sendJson } from './http.js';

/**
 * The original ChatAPI's documented REST endpoints, unchanged: paths, headers, snake_case fields.
 * Each handler translates HTTP to one service call and the result back; nothing else.
 */
interface Request {
  params: Record<string, string | undefined>;
  query: URLSearchParams;
  session(): Promise<Session>;
  body(): Promise<Record<string, unknown>>;
}

type Handler = (request: Request) => Promise<[status: number, body: unknown]>;

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

export function createRestRouter(services: Services, logger: Logger, maxBodyBytes: number) {
  const router = Router<HTTPVersion.V1>({
    ignoreTrailingSlash: true,
    defaultRoute: (_req, res) => sendError(res, notFound('Route'), logger),
    onBadUrl: (_path, _req, res) => sendError(res, notFound('Route'), logger),
  });

  const on = (method: 'GET' | 'POST', path: string, handler: Handler) =>
    router.on(method, path, async (req: IncomingMessage, res: ServerResponse, params, _store, query) => {
      try {
        const [status, body] = await handler({
          params,
          query: new URLSearchParams(query as Record<string, string>),
          session: () => services.auth.authenticate(credentialsFromHeaders(nodeHeaders(req.headers))),
          body: () => readJsonObject(req, maxBodyBytes),
        });
        sendJson(res, status, body);
      } catch (err) {
        sendError(res, err, logger);
      }
    });

  on('GET', '/health', async () => {
    const health = await services.health.check();
    return [health.status === 'ok' ? 200 : 503, { status: health.status, uptime: health.uptime, db_writable: health.dbWritable }];
  });

  on('POST', '/admin/tenants', async (r) => {
    const session = await r.session();
    session.requireMaster();
    const { tenant, apiKey } = await services.tenants.create(session, { name: (await r.body()).name });
    return [201, { tenant_id: tenant.id, api_key: apiKey, name: tenant.name, created_at: tenant.createdAt.toISOString() }];
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

  on('GET', '/admin/dead-letters', async (r) => {
    const session = await r.session();
    const failed = await services.notifications.deadLetters(session, {
      tenantId: r.query.get('tenant_id') || undefined,
      limit: intParam(r.query, 'limit'),
    });
    return [
      200,
      {
        // Messages never become dead letters: they are stored before anyone is told, and every
        // client catches up by seq. See docs/realtime.md.
        failed_messages: [],
        failed_notifications: failed.map((d) => ({
          notification_id: d.notificationId,
          tenant_id: d.tenantId,
          user_id: d.userId,
          topic: d.topic,
          payload: d.payload,
          attempts: d.attempts,
          last_attempt_at: d.lastAttemptAt?.toISOString() ?? null,
          error: d.error,
          created_at: d.createdAt.toISOString(),
        })),
      },
    ];
  });

  return router;
}

export type RestRouter = ReturnType<typeof createRestRouter>;
