import { notFound } from '../errors.js';
import type { MessageData } from '../events/events.js';
import type { Services } from '../services/index.js';
import type { MemberView, RoomView } from '../services/rooms.js';
import { intParam } from './http.js';
import type { On } from './router.js';

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

/** REST's snake_case notify targets in the services' dialect; anything but an object goes on as is, for the service to refuse. */
const notifyTargets = (t: unknown) => {
  if (t === null || typeof t !== 'object' || Array.isArray(t)) return t;
  const { user_ids: userIds, room_id: roomId, topic_subscribers: topicSubscribers } = t as Record<string, unknown>;
  return { userIds, roomId, topicSubscribers };
};

/** The original ChatAPI's documented REST endpoints (see ./router.ts); the admin API is in ./admin.ts. */
export function registerRoutes(on: On, services: Services): void {
  on('GET', '/health', async () => {
    const health = await services.health.check();
    return [
      health.status === 'error' ? 503 : 200,
      {
        status: health.status,
        uptime: health.uptime,
        db_writable: health.dbWritable,
        ...(health.reason ? { reason: health.reason } : {}),
        ...(health.redis ? { redis: health.redis } : {}),
      },
    ];
  });

  on('POST', '/rooms', async (r) => {
    const session = await r.session();
    const body = await r.body();
    return [
      201,
      room(await services.rooms.create(session, { type: body.type, members: body.members, name: body.name })),
    ];
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
    const body = await r.body();
    await services.messages.ack(session, body.room_id, body.seq);
    return [200, { success: true }];
  });

  on('POST', '/notify', async (r) => {
    const session = await r.session();
    const body = await r.body();
    const sent = await services.notifications.notify(session, {
      topic: body.topic,
      payload: body.payload,
      targets: notifyTargets(body.targets),
    });
    return [202, { notification_id: sent.id, created_at: sent.createdAt, recipients: sent.recipients }];
  });

  on('POST', '/notifications/:notification_id/ack', async (r) => {
    await services.notifications.ack(await r.session(), r.params.notification_id);
    return [200, { success: true }];
  });
}
