import http from 'node:http';
import net from 'node:net';
import { parse } from 'graphql';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRoom, seedTenant } from './helpers/client.js';
import { startServer, type TestServer } from './helpers/server.js';
import { LegacyClient, Subscription, graphqlWsClient, sleep, wsUrl } from './helpers/ws.js';

/** A raw TCP connection to the server; `closedAfter` resolves with how long the server took to close it. */
function rawSocket(server: TestServer, localAddress?: string) {
  const { hostname, port } = new URL(server.url);
  const socket = net.connect({ host: hostname, port: Number(port), localAddress });
  const startedAt = Date.now();
  let received = '';
  socket.setEncoding('latin1');
  socket.on('data', (chunk) => (received += chunk));
  socket.on('error', () => {});
  const closedAfter = new Promise<number>((resolve) => socket.once('close', () => resolve(Date.now() - startedAt)));
  const connected = new Promise<void>((resolve) => socket.once('connect', () => resolve()));
  return { socket, connected, closedAfter, received: () => received };
}

/** GET `path` on a fresh connection (no pooling), optionally from another loopback address. */
function get(server: TestServer, path: string, localAddress?: string) {
  return new Promise<{ status: number; body: string }>((resolve, reject) => {
    const req = http.get(server.url + path, { agent: false, localAddress }, (res) => {
      let body = '';
      res.on('data', (chunk) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode!, body }));
    });
    req.on('error', reject);
  });
}

const watch = (roomId: string) => parse(`subscription { messageAdded(roomId: "${roomId}") { seq } }`) as any;

describe('slow clients are cut within seconds', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer({
      HTTP_HEADERS_TIMEOUT: '1s',
      HTTP_REQUEST_TIMEOUT: '3s',
      HTTP_BODY_IDLE_TIMEOUT: '1s',
      WS_AUTH_TIMEOUT: '1s',
    });
  });
  afterAll(() => server.stop());

  it('closes a slowloris connection that trickles a header', async () => {
    const client = rawSocket(server);
    await client.connected;
    client.socket.write('GET /livez HTTP/1.1\r\nHost: x\r\n');
    const trickle = setInterval(() => client.socket.write('X-Slow: 1\r\n'), 200);
    const closedAfter = await Promise.race([client.closedAfter, sleep(6_000).then(() => Infinity)]);
    clearInterval(trickle);
    client.socket.destroy();
    expect(closedAfter).toBeLessThan(4_000);
    expect(client.received()).toMatch(/^HTTP\/1\.1 408/);
  });

  it('closes a connection whose request body stops arriving', async () => {
    const tenant = await seedTenant(server);
    const client = rawSocket(server);
    await client.connected;
    client.socket.write(
      `POST /rooms HTTP/1.1\r\nHost: x\r\nX-API-Key: ${tenant.apiKey}\r\nX-User-Id: u\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"type":`,
    );
    const closedAfter = await Promise.race([client.closedAfter, sleep(6_000).then(() => Infinity)]);
    client.socket.destroy();
    // Cut by the body-idle deadline (1 s), well before the whole-request one (3 s).
    expect(closedAfter).toBeLessThan(2_500);
  });

  it('closes a graphql-ws socket that never sends connection_init', async () => {
    const socket = new WebSocket(wsUrl(server, '/graphql'), 'graphql-transport-ws');
    const startedAt = Date.now();
    const closed = await new Promise<{ code: number; after: number }>((resolve) =>
      socket.once('close', (code) => resolve({ code, after: Date.now() - startedAt })),
    );
    expect(closed.code).toBe(4408);
    expect(closed.after).toBeLessThan(3_000);
  });
});

describe('connection caps', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer({ MAX_CONNECTIONS_PER_ADDRESS: '4', MAX_CONNECTIONS_PER_USER: '2' });
  });
  afterAll(() => server.stop());

  it('refuses connections over the per-address cap with 429 while other addresses still work', async () => {
    const held = Array.from({ length: 4 }, () => rawSocket(server));
    await Promise.all(held.map((h) => h.connected));
    await sleep(100);
    try {
      const refused = await get(server, '/livez');
      expect(refused.status).toBe(429);
      expect(JSON.parse(refused.body).error.code).toBe('RATE_LIMIT_EXCEEDED');
      expect((await get(server, '/livez', '127.0.0.2')).status).toBe(200);
    } finally {
      for (const h of held) h.socket.destroy();
    }
    await sleep(100);
    expect((await get(server, '/livez')).status).toBe(200);
  });

  it('refuses a WebSocket over the per-user cap with 1013, not other users', async () => {
    const tenant = await seedTenant(server);
    const first = await LegacyClient.connect(server, tenant.apiKey, 'u');
    const second = await LegacyClient.connect(server, tenant.apiKey, 'u');
    try {
      const third = new LegacyClient(server, `?api_key=${tenant.apiKey}&user_id=u`);
      const closed = await third.closed;
      expect(closed.code).toBe(1013);
      expect(closed.reason).toBe('Too many WebSocket connections for this user (at most 2)');
      const other = await LegacyClient.connect(server, tenant.apiKey, 'v');
      other.socket.close();
    } finally {
      first.socket.close();
      second.socket.close();
    }
  });
});

describe('subscription caps', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer({ MAX_SUBSCRIPTIONS_PER_SOCKET: '3', MAX_SUBSCRIPTIONS_PER_USER: '4' });
  });
  afterAll(() => server.stop());

  it('refuses a subscription over the per-socket cap with a coded error, keeping the others', async () => {
    const tenant = await seedTenant(server);
    const room = await createRoom(tenant.as('u'), 'group', ['v']);
    const client = graphqlWsClient(server, { apiKey: tenant.apiKey, userId: 'u' });
    try {
      const subs = Array.from({ length: 3 }, () => new Subscription(client, watch(room)));
      await sleep(300);
      const extra = new Subscription(client, watch(room));
      await extra.until((s) => s.done);
      expect((extra.errors[0] as any).extensions.code).toBe('RATE_LIMIT_EXCEEDED');
      expect((extra.errors[0] as any).message).toBe('Too many subscriptions on this socket (at most 3)');
      expect((await tenant.as('u').post(`/rooms/${room}/messages`, { content: 'hi' })).status).toBe(201);
      for (const sub of subs) await sub.count(1);
      // A finished subscription frees its place.
      subs[0]!.dispose();
      await sleep(200);
      const again = new Subscription(client, watch(room));
      await sleep(300);
      expect(again.errors).toEqual([]);
      expect(again.done).toBe(false);
    } finally {
      await client.dispose();
    }
  });

  it('refuses a subscription over the per-user cap across sockets', async () => {
    const tenant = await seedTenant(server);
    const room = await createRoom(tenant.as('u'), 'group', ['v']);
    const one = graphqlWsClient(server, { apiKey: tenant.apiKey, userId: 'u' });
    const two = graphqlWsClient(server, { apiKey: tenant.apiKey, userId: 'u' });
    try {
      for (let i = 0; i < 3; i += 1) new Subscription(one, watch(room));
      await sleep(300);
      new Subscription(two, watch(room));
      await sleep(300);
      const extra = new Subscription(two, watch(room));
      await extra.until((s) => s.done);
      expect((extra.errors[0] as any).message).toBe('Too many subscriptions for this user (at most 4)');
    } finally {
      await one.dispose();
      await two.dispose();
    }
  });
});
