import { describe, expect, it } from 'vitest';
import { graphql } from './gql/index.js';
import { adminClient, createRoom } from './helpers/client.js';
import { Subscription, graphqlWsClient, sleep } from './helpers/ws.js';
import { useTenant, seed } from './helpers/kit.js';

const Notifications = graphql(`
  subscription Notifications($topics: [String!]) {
    notifications(topics: $topics) {
      id
      topic
      payload
      createdAt
    }
  }
`);

const Notify = graphql(`
  mutation Notify($input: NotifyInput!) {
    notify(input: $input) {
      id
      topic
      payload
    }
  }
`);

const AckNotification = graphql(`
  mutation AckNotification($id: ID!) {
    ackNotification(id: $id)
  }
`);

const Topic = graphql(`
  mutation Topic($topic: String!) {
    subscribeTopic(topic: $topic)
  }
`);

const Untopic = graphql(`
  mutation Untopic($topic: String!) {
    unsubscribeTopic(topic: $topic)
  }
`);

describe('notifications', () => {
  const { server, tenant } = useTenant({ WORKER_INTERVAL: '50ms', RETRY_INTERVAL: '150ms', RETRY_MAX_ATTEMPTS: '2' });

  // Delivery is at least once (the worker retries while a copy is unacknowledged): clients dedupe by id.
  const topicsOf = (sub: Subscription<any>) => [
    ...new Map(sub.values.map((v: any) => [v.notifications.id, v.notifications.topic])).values(),
  ];

  const listen = async (userId: string, topics?: string[]) => {
    const client = graphqlWsClient(server, { apiKey: tenant.apiKey, userId });
    const sub = new Subscription(client, Notifications, topics ? { topics } : {});
    await sleep(150);
    return { client, sub };
  };

  it('reaches exactly the targeted users: listed users, room members and topic subscribers', async () => {
    const room = await createRoom(tenant.as('owner'), 'group', ['member']);
    expect((await tenant.as('fan').graphql(Topic, { topic: 'deploys' })).body.data).toEqual({ subscribeTopic: true });
    await tenant.as('exfan').graphql(Topic, { topic: 'deploys' });
    await tenant.as('exfan').graphql(Untopic, { topic: 'deploys' });
    const users = ['listed', 'owner', 'member', 'fan', 'exfan', 'bystander'];
    const listeners = Object.fromEntries(await Promise.all(users.map(async (u) => [u, await listen(u)] as const)));

    const res = await tenant.as('owner').post('/notify', {
      topic: 'deploys',
      payload: { version: 42 },
      targets: { user_ids: ['listed', 'member'], room_id: room, topic_subscribers: true },
    });
    expect(res.status).toBe(202);
    expect(res.body).toEqual({
      notification_id: expect.stringMatching(/^ntf_/),
      created_at: expect.any(String),
      recipients: 4,
    });

    for (const u of ['listed', 'owner', 'member', 'fan']) {
      await listeners[u]!.sub.count(1);
      expect(listeners[u]!.sub.values[0]!.notifications).toMatchObject({
        id: res.body.notification_id,
        topic: 'deploys',
        payload: { version: 42 },
      });
    }
    await sleep(200);
    expect(listeners.exfan!.sub.values).toEqual([]);
    expect(listeners.bystander!.sub.values).toEqual([]);
    for (const { client } of Object.values(listeners)) await client.dispose();
  });

  it('keeps a notification for an offline user until they connect and acknowledge it', async () => {
    const sent = await tenant.as('backend').graphql(Notify, {
      input: { topic: 'billing', payload: { due: '2026-12-01' }, targets: { userIds: ['offline'] } },
    });
    const id = sent.body.data!.notify.id;
    await tenant.as('backend').post('/notify', { topic: 'other', payload: 1, targets: { user_ids: ['offline'] } });

    const filtered = await listen('offline', ['billing']);
    await filtered.sub.count(1);
    expect(topicsOf(filtered.sub)).toEqual(['billing']);
    await filtered.client.dispose();

    const later = await listen('offline');
    await later.sub.count(2);
    expect(topicsOf(later.sub)).toEqual(['billing', 'other']);
    expect((await tenant.as('offline').graphql(AckNotification, { id })).body.data).toEqual({ ackNotification: true });
    await later.client.dispose();

    const afterAck = await listen('offline');
    await afterAck.sub.count(1);
    await sleep(150);
    expect(topicsOf(afterAck.sub)).toEqual(['other']);
    await afterAck.client.dispose();

    // Someone else cannot acknowledge it, nor can another tenant.
    expect((await tenant.as('someone').graphql(AckNotification, { id })).body.errors![0]!.extensions.code).toBe(
      'NOT_FOUND',
    );
    const other = await seed(server).tenant('Other');
    expect((await other.as('offline').post(`/notifications/${id}/ack`, {})).status).toBe(404);
  });

  it('retries an unacknowledged notification while its target is connected, then dead-letters it', async () => {
    const { client, sub } = await listen('silent');
    const { client: ackingClient, sub: acking } = await listen('acker');
    const res = await tenant
      .as('backend')
      .post('/notify', { topic: 'alerts', payload: { n: 1 }, targets: { user_ids: ['silent', 'acker'] } });
    await acking.count(1);
    await tenant.as('acker').post(`/notifications/${res.body.notification_id}/ack`, {});
    // First push, then RETRY_MAX_ATTEMPTS (2) retries with backoff, then a dead letter.
    await sub.count(3, 5_000);
    expect(new Set(sub.values.map((v) => v.notifications.id))).toEqual(new Set([res.body.notification_id]));

    const admin = adminClient(server);
    let dead: any;
    for (let i = 0; i < 50; i += 1) {
      dead = await admin.get(`/admin/dead-letters?tenant_id=${tenant.tenantId}`);
      dead.body.failed_notifications = dead.body.failed_notifications.filter((d: any) => d.topic === 'alerts');
      if (dead.body.failed_notifications.length > 0) break;
      await sleep(100);
    }
    expect(dead.status).toBe(200);
    expect(dead.body.failed_messages).toEqual([]);
    expect(dead.body.failed_notifications).toEqual([
      {
        notification_id: res.body.notification_id,
        tenant_id: tenant.tenantId,
        user_id: 'silent',
        topic: 'alerts',
        payload: { n: 1 },
        attempts: 2,
        last_attempt_at: expect.any(String),
        error: expect.stringContaining('not acknowledged'),
        created_at: res.body.created_at,
      },
    ]);
    await sleep(300);
    expect(acking.values).toHaveLength(1);
    expect((await tenant.as('x').get('/admin/dead-letters')).status).toBe(401);
    expect((await admin.get('/admin/dead-letters?limit=0')).status).toBe(400);
    await client.dispose();
    await ackingClient.dispose();
  });

  it.each([
    ['no topic', { payload: 1, targets: { user_ids: ['a'] } }, 'topic'],
    ['no payload', { topic: 't', targets: { user_ids: ['a'] } }, 'payload'],
    ['no targets', { topic: 't', payload: 1 }, 'targets'],
    ['empty targets', { topic: 't', payload: 1, targets: {} }, 'targets'],
    ['bad user ids', { topic: 't', payload: 1, targets: { user_ids: [''] } }, 'targets'],
    ['topic_subscribers not a boolean', { topic: 't', payload: 1, targets: { topic_subscribers: 'yes' } }, 'targets'],
  ])('rejects a notify with %s and stores nothing', async (_label, body, field) => {
    const res = await tenant.as('backend').post('/notify', body);
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code: 'VALIDATION_ERROR', field });
    const { client, sub } = await listen('a');
    await sleep(200);
    expect(sub.values).toEqual([]);
    await client.dispose();
  });

  it('refuses targeting a room the caller is not in', async () => {
    const room = await createRoom(tenant.as('insider'), 'group', []);
    const res = await tenant.as('outsider').post('/notify', { topic: 't', payload: 1, targets: { room_id: room } });
    expect(res.status).toBe(404);
  });
});
