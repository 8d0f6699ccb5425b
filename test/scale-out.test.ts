import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { graphql } from './gql/index.js';
import { Client, createRoom } from './helpers/client.js';
import { CuttableProxy, RedisServer } from './helpers/network.js';
import { seedCluster } from './helpers/kit.js';
import { startCluster, type Cluster } from './helpers/process.js';
import { LegacyClient, Subscription, graphqlWsClient, sleep } from './helpers/ws.js';

// Several real ChatAPI processes on one PostgreSQL database and one Redis behave as one service.
// This file runs in the postgresql project (vitest.config.ts): SQLite is the single-instance setup.

const Watch = graphql(`
  subscription ClusterWatch($roomId: ID!, $afterSeq: Int) {
    messageAdded(roomId: $roomId, afterSeq: $afterSeq) {
      seq
      content
    }
  }
`);

const Presence = graphql(`
  subscription ClusterPresence($roomId: ID!) {
    roomEvents(roomId: $roomId) {
      __typename
      ... on PresenceEvent {
        userId
        status
      }
    }
  }
`);

describe('several instances on PostgreSQL and Redis', () => {
  let cluster: Cluster;
  beforeAll(async () => {
    // Started together on a fresh database: migrations must run once, under the advisory lock.
    cluster = await startCluster(3, { PRESENCE_INSTANCE_TTL: '1s', PRESENCE_GRACE: '300ms' });
  }, 120_000);
  afterAll(() => cluster.stop());

  it('applied each migration exactly once although the instances started together', async () => {
    const client = new pg.Client({ connectionString: cluster.database.env.DATABASE_URL });
    await client.connect();
    const { rows } = await client.query<{ migration_name: string; n: string }>(
      'SELECT migration_name, count(*) AS n FROM "_prisma_migrations" GROUP BY migration_name',
    );
    await client.end();
    expect(rows.length).toBeGreaterThanOrEqual(3);
    for (const row of rows) expect(Number(row.n)).toBe(1);
  });

  it('delivers a message sent on one instance to a subscriber on another', async () => {
    const t = await seedCluster(cluster).tenant();
    const room = await createRoom(t.on(0).as('a'), 'group', ['b']);
    const client = t.on(1).as('b').ws();
    const sub = new Subscription(client, Watch, { roomId: room });
    // Wait until the subscription is live (a probe message arrives), however busy the machine is.
    for (let i = 0; i < 50 && sub.values.length === 0; i += 1) {
      await t.on(0).as('a').post(`/rooms/${room}/messages`, { content: 'probe' });
      await sub.until((x) => x.values.length > 0, 200).catch(() => {});
    }
    expect(sub.values.length).toBeGreaterThan(0);
    const started = Date.now();
    const sent = await t.on(0).as('a').post(`/rooms/${room}/messages`, { content: 'across' });
    await sub.until((x) => x.values.some((v) => v.messageAdded.content === 'across'), 5_000);
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(sub.values.find((v) => v.messageAdded.content === 'across')!.messageAdded.seq).toBe(sent.body.seq);
    await client.dispose();
  });

  it('keeps seqs unique and gapless when every instance accepts sends for one room at once', async () => {
    const t = await seedCluster(cluster).tenant();
    const room = await createRoom(t.on(0).as('a'), 'group', []);
    const sends = Array.from({ length: 150 }, (_, i) =>
      t
        .on(i % 3)
        .as('a')
        .post(`/rooms/${room}/messages`, { content: `c${i}` }),
    );
    const results = await Promise.all(sends);
    expect(results.every((r) => r.status === 201)).toBe(true);
    expect(results.map((r) => r.body.seq).sort((x, y) => x - y)).toEqual(Array.from({ length: 150 }, (_, i) => i + 1));
    const history = [
      ...(await t.on(2).as('a').get(`/rooms/${room}/messages?limit=100`)).body,
      ...(await t.on(1).as('a').get(`/rooms/${room}/messages?after_seq=100&limit=100`)).body,
    ];
    expect(history.map((m: any) => m.seq)).toEqual(Array.from({ length: 150 }, (_, i) => i + 1));
  });

  it('shares one rate limit between instances', async () => {
    const t = await seedCluster(cluster).tenant('Cluster', { rateLimit: 20 });
    await sleep(1_100);
    const results = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        t
          .on(i % 3)
          .as('u')
          .get('/rooms'),
      ),
    );
    expect(results.filter((r) => r.status === 200)).toHaveLength(20);
    expect(results.filter((r) => r.status === 429)).toHaveLength(10);
  });

  it('takes a disabled tenant and a revoked key off every instance within a second', async () => {
    const t = await seedCluster(cluster).tenant();
    const second = (await t.admin().post(`/admin/tenants/${t.tenantId}/rotate-key`, { grace_seconds: 3600 })).body;
    // Both keys are now cached on instance 2.
    expect((await t.on(2).as('u').get('/rooms')).status).toBe(200);
    expect(
      (await new Client(cluster.instances[2]!.url, { 'x-api-key': second.api_key, 'x-user-id': 'u' }).get('/rooms'))
        .status,
    ).toBe(200);
    const socket = await LegacyClient.connect(cluster.instances[2]!, second.api_key, 'u');

    await t.admin(0).request('DELETE', `/admin/tenants/${t.tenantId}/keys/${second.key_id}`);
    await sleep(1_000);
    expect(
      (await new Client(cluster.instances[2]!.url, { 'x-api-key': second.api_key, 'x-user-id': 'u' }).get('/rooms'))
        .status,
    ).toBe(401);
    expect((await socket.closed).code).toBe(4401);

    const other = await LegacyClient.connect(cluster.instances[1]!, t.apiKey, 'u');
    await t.admin(0).request('PATCH', `/admin/tenants/${t.tenantId}`, { disabled: true });
    await sleep(1_000);
    expect((await t.on(1).as('u').get('/rooms')).status).toBe(403);
    expect((await t.on(2).as('u').get('/rooms')).status).toBe(403);
    expect((await other.closed).code).toBe(4403);
  });

  it('counts presence over all instances, and an instance that dies does not leave its users ONLINE', async () => {
    const t = await seedCluster(cluster).tenant();
    const room = await createRoom(t.on(0).as('watcher'), 'group', ['pat']);
    const watcher = t.on(0).as('watcher').ws();
    const events = new Subscription(watcher, Presence, { roomId: room });
    await sleep(300);
    const patStatus = () =>
      events.values
        .map((v) => v.roomEvents)
        .filter((e: any) => e.userId === 'pat')
        .map((e: any) => e.status);

    const onOne = await LegacyClient.connect(cluster.instances[1]!, t.apiKey, 'pat');
    await events.until(() => patStatus().length === 1);
    const doomed = await cluster.add({ PRESENCE_INSTANCE_TTL: '1s', PRESENCE_GRACE: '300ms' });
    const onDoomed = await LegacyClient.connect(doomed, t.apiKey, 'pat');
    onOne.close();
    await sleep(1_000);
    // Still connected through the other instance: no OFFLINE.
    expect(patStatus()).toEqual(['ONLINE']);

    doomed.proc.kill('SIGKILL');
    await onDoomed.closed;
    await events.until(() => patStatus().length === 2, 10_000);
    expect(patStatus()).toEqual(['ONLINE', 'OFFLINE']);
    await watcher.dispose();
  });
});

describe('faults', () => {
  it('keeps storing while Redis is down, says so in /health, and delivers everything once Redis is back', async () => {
    const redis = await RedisServer.start();
    const cluster = await startCluster(2, { REDIS_URL: redis.url });
    try {
      const t = await seedCluster(cluster).tenant();
      const room = await createRoom(t.on(0).as('a'), 'group', ['b']);
      const client = t.on(1).as('b').ws();
      const sub = new Subscription(client, Watch, { roomId: room });
      await sleep(300);
      await t.on(0).as('a').post(`/rooms/${room}/messages`, { content: 'before' });
      await sub.count(1);

      await redis.stop();
      await sleep(300);
      for (let i = 0; i < 5; i += 1) {
        const sent = await t
          .on(0)
          .as('a')
          .post(`/rooms/${room}/messages`, { content: `during ${i}` });
        expect(sent.status).toBe(201);
      }
      expect((await t.on(1).as('b').get(`/rooms/${room}/messages`)).body).toHaveLength(6);
      const health = await new Client(cluster.instances[0]!.url).get('/health');
      expect(health.status).toBe(200);
      expect(health.body).toMatchObject({ status: 'degraded', db_writable: true, redis: 'down' });

      await redis.restart();
      await sub.count(6, 15_000);
      await t.on(0).as('a').post(`/rooms/${room}/messages`, { content: 'after' });
      await sub.count(7, 10_000);
      expect(sub.values.map((v) => v.messageAdded.seq)).toEqual([1, 2, 3, 4, 5, 6, 7]);
      for (let i = 0; i < 50; i += 1) {
        if ((await new Client(cluster.instances[0]!.url).get('/health')).body.status === 'ok') break;
        await sleep(100);
      }
      expect((await new Client(cluster.instances[0]!.url).get('/health')).body).toMatchObject({
        status: 'ok',
        redis: 'up',
      });
      await client.dispose();
    } finally {
      await cluster.stop();
      await redis.stop();
    }
  }, 90_000);

  it('catches other instances up when only the sending instance lost Redis for a while', async () => {
    const redis = await RedisServer.start();
    const proxy = await CuttableProxy.open({ host: '127.0.0.1', port: redis.port });
    const cluster = await startCluster(1, { REDIS_URL: redis.url });
    await cluster.add({ REDIS_URL: `redis://127.0.0.1:${proxy.port}` }); // instance 1 reaches Redis through the proxy
    try {
      const t = await seedCluster(cluster).tenant();
      const room = await createRoom(t.on(1).as('a'), 'group', ['b']);
      const client = t.on(0).as('b').ws();
      const sub = new Subscription(client, Watch, { roomId: room, afterSeq: 0 });
      await sleep(300);
      await t.on(1).as('a').post(`/rooms/${room}/messages`, { content: 'one' });
      await sub.count(1);

      await proxy.cut();
      await sleep(300);
      expect((await t.on(1).as('a').post(`/rooms/${room}/messages`, { content: 'while cut off' })).status).toBe(201);
      await sleep(500);
      expect(sub.values).toHaveLength(1);
      await proxy.restore();
      // No further message is sent: the reconnecting instance tells the others to catch up.
      await sub.count(2, 15_000);
      expect(sub.values.map((v) => v.messageAdded.content)).toEqual(['one', 'while cut off']);
      await client.dispose();
    } finally {
      await cluster.stop();
      await proxy.cut();
      await redis.stop();
    }
  }, 90_000);

  it('answers 503 while PostgreSQL is unreachable and recovers without a restart', async () => {
    const proxy = await CuttableProxy.open({ host: '127.0.0.1', port: 5432 });
    const probe = await startCluster(0);
    const url = new URL(probe.database.env.DATABASE_URL!);
    url.port = String(proxy.port);
    const instance = await probe.add({ DATABASE_URL: url.toString() });
    try {
      const t = await seedCluster(probe).tenant();
      const room = await createRoom(t.on(0).as('a'), 'group', []);
      expect((await t.on(0).as('a').get(`/rooms/${room}/messages`)).status).toBe(200); // membership now cached
      await proxy.cut();
      // A subscription attempted during the outage fails: its room feed cannot start.
      const early = graphqlWsClient(instance, { apiKey: t.apiKey, userId: 'a' });
      const failed = new Subscription(early, Watch, { roomId: room, afterSeq: 0 });
      await failed.until((x) => x.done, 10_000);
      expect((failed.errors[0] as any)?.extensions?.code).toBe('SERVICE_UNAVAILABLE');
      await early.dispose();
      const send = await t.on(0).as('a').post(`/rooms/${room}/messages`, { content: 'lost?' });
      expect(send.status).toBe(503);
      expect(send.body.error.code).toBe('SERVICE_UNAVAILABLE');
      await sleep(1_100);
      const health = await new Client(instance.url).get('/health');
      expect(health.status).toBe(503);
      expect(health.body.status).toBe('error');

      await proxy.restore();
      let recovered = 0;
      for (let i = 0; i < 50 && recovered !== 201; i += 1) {
        recovered = (await t.on(0).as('a').post(`/rooms/${room}/messages`, { content: 'back' })).status;
        if (recovered !== 201) await sleep(200);
      }
      expect(recovered).toBe(201);
      expect(instance.proc.exitCode).toBeNull();
      const history = await t.on(0).as('a').get(`/rooms/${room}/messages`);
      expect(history.body.map((m: any) => m.content)).toEqual(['back']);
      // Subscriptions recover too (a room feed that failed to start is not kept around).
      const client = graphqlWsClient(instance, { apiKey: t.apiKey, userId: 'a' });
      const sub = new Subscription(client, Watch, { roomId: room, afterSeq: 0 });
      await sub.count(1, 10_000);
      expect(sub.values[0]!.messageAdded.content).toBe('back');
      await client.dispose();
    } finally {
      await proxy.cut();
      await probe.stop();
    }
  }, 60_000);
});
