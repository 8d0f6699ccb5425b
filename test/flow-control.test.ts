import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LiveConnection } from '../src/realtime/connections.js';
import { createRoom, seedTenant, type SeededTenant } from './helpers/client.js';
import { startServer, type TestServer } from './helpers/server.js';
import { LegacyClient, wsUrl } from './helpers/ws.js';

/** The one per-socket budget of unsent bytes every stream on a socket shares. */
const BUDGET = 262_144;
/** What a paused reader may have buffered for it at most: the budget, plus the frame that crossed it. */
const BOUND = BUDGET + 128 * 1024;
/**
 * Pushed at most: several times what the kernel's socket buffers absorb for a paused reader on
 * loopback (about 4 MB here), so a stream without the check is still open when the test stops.
 */
const MAX_PUSHED_BYTES = 20 * 1024 * 1024;
/** ...or for this long (a loaded machine produces events slowly). */
const PUSH_FOR_AT_MOST_MS = 40_000;
/** Set-up, pushing for at most PUSH_FOR_AT_MOST_MS, and the close handshake. */
const TEST_TIMEOUT_MS = 60_000;

/**
 * A subscriber that stops reading its socket (the client's TCP socket is paused, so the kernel
 * buffers fill and the server's unsent bytes grow) must be disconnected with 1013 once its socket
 * holds more than WS_MAX_BUFFERED_BYTES, on every stream: notifications and room events, on
 * graphql-ws and on /ws, not only messageAdded. The test pushes events until the server closed the
 * connection or far more than the buffers could absorb was pushed, and checks what the server held
 * for that socket meanwhile (its `bufferedAmount`: the memory a paused reader costs).
 */
describe('flow control: every stream closes a reader that stops reading', () => {
  let server: TestServer;
  let tenant: SeededTenant;
  beforeAll(async () => {
    server = await startServer({ WS_MAX_BUFFERED_BYTES: String(BUDGET), MAX_MESSAGE_BYTES: '60000' });
    tenant = await seedTenant(server);
  });
  afterAll(() => server.stop());

  /** The server's side of the user's socket (the registry's own record of it). */
  const serverSide = (userId: string): LiveConnection | undefined => {
    const registry = server.app.connections as unknown as { connections: Set<LiveConnection> };
    return [...registry.connections].find((c) => c.user?.userId === userId);
  };

  /**
   * Calls `push` (which sends about `bytesPerPush` to the paused reader) until the server closed
   * the reader's connection; answers what was pushed and the most the server buffered for it.
   */
  async function pushUntilClosed(userId: string, bytesPerPush: number, push: () => Promise<void>) {
    const connection = serverSide(userId);
    expect(connection).toBeDefined();
    let pushed = 0;
    let maxBuffered = 0;
    const started = Date.now();
    while (!connection!.closed && pushed < MAX_PUSHED_BYTES && Date.now() - started < PUSH_FOR_AT_MOST_MS) {
      await push();
      pushed += bytesPerPush;
      maxBuffered = Math.max(maxBuffered, connection!.socket.bufferedAmount);
    }
    return { closed: connection!.closed, pushed, maxBuffered };
  }

  /** A graphql-transport-ws client speaking by hand, which stops reading once subscribed. */
  async function pausedGraphQLReader(userId: string, query: string, variables: Record<string, unknown> = {}) {
    const socket = new WebSocket(wsUrl(server, '/graphql'), 'graphql-transport-ws');
    const closed = new Promise<number>((resolve) => socket.once('close', (code) => resolve(code)));
    let received = 0;
    await new Promise<void>((resolve) => {
      socket.once('open', () =>
        socket.send(JSON.stringify({ type: 'connection_init', payload: { apiKey: tenant.apiKey, userId } })),
      );
      socket.on('message', (data) => {
        const frame = JSON.parse(String(data));
        if (frame.type === 'connection_ack') {
          socket.send(JSON.stringify({ id: '1', type: 'subscribe', payload: { query, variables } }));
          // The subscription is set up once a first event could reach it.
          setTimeout(resolve, 200);
        }
        if (frame.type === 'next') received += 1;
      });
    });
    (socket as any)._socket.pause();
    return { closed, resume: () => (socket as any)._socket.resume(), received: () => received };
  }

  /** A /ws client, set up (streams attached), which then stops reading. */
  async function pausedLegacyReader(userId: string) {
    const client = await LegacyClient.connect(server, tenant.apiKey, userId);
    (client.socket as any)._socket.pause();
    return { closed: client.closed.then((c) => c.code), resume: () => (client.socket as any)._socket.resume(), client };
  }

  const bigPayload = { text: 'n'.repeat(50_000) };
  /** 20 notifications of about 50 KB each to `userId`, sent concurrently. */
  const notifyMany = (userId: string) => async () => {
    const sent = await Promise.all(
      Array.from({ length: 20 }, () =>
        tenant.as('backend').post('/notify', { topic: 'flood', payload: bigPayload, targets: { user_ids: [userId] } }),
      ),
    );
    expect(sent.every((r) => r.status === 202)).toBe(true);
  };

  /** Typists with the longest user ids (the largest typing events), several so their frames are handled in parallel. */
  const typistIds = ['a', 'b', 'c', 'd'].map((c) => `${c}${'y'.repeat(127)}`);
  /**
   * The typists on /ws alternating typing.start and typing.stop (neither is throttled after the
   * other): 1,000 room events per `push`, which resolves once the server handled them.
   */
  async function typists(room: string) {
    const clients = await Promise.all(typistIds.map((id) => LegacyClient.connect(server, tenant.apiKey, id)));
    let round = 0;
    const push = async () => {
      round += 1;
      const probe = `burst-${round}`;
      await Promise.all(
        clients.map(async (client) => {
          for (let i = 0; i < 1_000 / clients.length / 2; i += 1) {
            client.send({ type: 'typing.start', room_id: room });
            client.send({ type: 'typing.stop', room_id: room });
          }
          // Frames are handled in order: the answer to this one (an error: no such room) says the burst is through.
          client.send({ type: 'subscribe', room_id: 'room_burst_probe', request_id: probe });
          await client.until((frames) => frames.some((f) => f.request_id === probe), 30_000);
        }),
      );
    };
    return {
      push,
      close: () => {
        for (const client of clients) client.close();
      },
    };
  }

  it(
    'graphql-ws notifications: a paused reader is closed with 1013, its buffer bounded',
    async () => {
      const reader = await pausedGraphQLReader('gql-notified', 'subscription { notifications { id payload } }');
      const result = await pushUntilClosed('gql-notified', 20 * 50_000, notifyMany('gql-notified'));
      expect(result).toMatchObject({ closed: true });
      expect(result.maxBuffered).toBeLessThan(BOUND);
      reader.resume();
      expect(await reader.closed).toBe(1013);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'graphql-ws roomEvents: a paused reader is closed with 1013, its buffer bounded',
    async () => {
      const room = await createRoom(tenant.as('gql-watcher'), 'group', typistIds);
      const typing = await typists(room);
      const reader = await pausedGraphQLReader(
        'gql-watcher',
        'subscription($r: ID!) { roomEvents(roomId: $r) { __typename ... on TypingEvent { roomId userId typing } } }',
        { r: room },
      );
      const result = await pushUntilClosed('gql-watcher', 1_000 * 300, typing.push);
      expect(result).toMatchObject({ closed: true });
      expect(result.maxBuffered).toBeLessThan(BOUND);
      reader.resume();
      expect(await reader.closed).toBe(1013);
      typing.close();
    },
    TEST_TIMEOUT_MS,
  );

  it(
    '/ws notifications: a paused reader is closed with 1013, its buffer bounded',
    async () => {
      const reader = await pausedLegacyReader('ws-notified');
      const result = await pushUntilClosed('ws-notified', 20 * 50_000, notifyMany('ws-notified'));
      expect(result).toMatchObject({ closed: true });
      expect(result.maxBuffered).toBeLessThan(BOUND);
      reader.resume();
      expect(await reader.closed).toBe(1013);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    '/ws typing: a paused reader is closed with 1013, its buffer bounded',
    async () => {
      const room = await createRoom(tenant.as('ws-watcher'), 'group', typistIds);
      const typing = await typists(room);
      const reader = await pausedLegacyReader('ws-watcher');
      const result = await pushUntilClosed('ws-watcher', 1_000 * 200, typing.push);
      expect(result).toMatchObject({ closed: true });
      expect(result.maxBuffered).toBeLessThan(BOUND);
      reader.resume();
      expect(await reader.closed).toBe(1013);
      typing.close();
    },
    TEST_TIMEOUT_MS,
  );
});
