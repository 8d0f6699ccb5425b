import WebSocket from 'ws';
import { describe, expect, it } from 'vitest';
import { graphql } from './gql/index.js';
import { Client, createRoom } from './helpers/client.js';
import { spawnServer } from './helpers/process.js';
import { LegacyClient, Subscription, sleep, wsUrl } from './helpers/ws.js';
import { seed, useTenant } from './helpers/kit.js';

const Watch = graphql(`
  subscription Watch($roomId: ID!, $afterSeq: Int) {
    messageAdded(roomId: $roomId, afterSeq: $afterSeq) {
      seq
    }
  }
`);

describe('slow consumers', () => {
  const { server, tenant } = useTenant({ WS_MAX_BUFFERED_BYTES: '262144', MAX_MESSAGE_BYTES: '20000' });

  it('disconnects a consumer that stops reading, with 1013, while others keep receiving; it resumes by seq', async () => {
    const room = await createRoom(tenant.as('src'), 'group', ['fast', 'slow']);
    const fastClient = tenant.as('fast').ws();
    const fast = new Subscription(fastClient, Watch, { roomId: room });

    // The slow consumer speaks graphql-transport-ws by hand, then stops reading its socket.
    const slow = new WebSocket(wsUrl(server, '/graphql'), 'graphql-transport-ws');
    const slowClosed = new Promise<number>((resolve) => slow.once('close', (code) => resolve(code)));
    let slowSeqs = 0;
    await new Promise<void>((resolve) => {
      slow.once('open', () =>
        slow.send(JSON.stringify({ type: 'connection_init', payload: { apiKey: tenant.apiKey, userId: 'slow' } })),
      );
      slow.on('message', (data) => {
        const frame = JSON.parse(String(data));
        if (frame.type === 'connection_ack') {
          slow.send(
            JSON.stringify({
              id: '1',
              type: 'subscribe',
              payload: {
                query: 'subscription($r: ID!) { messageAdded(roomId: $r) { seq content } }',
                variables: { r: room },
              },
            }),
          );
          setTimeout(resolve, 200);
        }
        if (frame.type === 'next') slowSeqs += 1;
      });
    });
    (slow as any)._socket.pause();

    const total = 1_500;
    const big = 'x'.repeat(16_000);
    for (let i = 0; i < total; i += 50) {
      const batch = Array.from({ length: Math.min(50, total - i) }, () =>
        tenant.as('src').post(`/rooms/${room}/messages`, { content: big }),
      );
      expect((await Promise.all(batch)).every((r) => r.status === 201)).toBe(true);
    }
    await fast.count(total, 60_000);
    expect(fast.values.map((v) => v.messageAdded.seq)).toEqual(Array.from({ length: total }, (_, i) => i + 1));

    (slow as any)._socket.resume();
    expect(await slowClosed).toBe(1013);
    expect(slowSeqs).toBeLessThan(total);

    // Reconnecting from the last seq it saw gets the rest.
    const again = tenant.as('slow').ws();
    const rest = new Subscription(again, Watch, { roomId: room, afterSeq: slowSeqs });
    await rest.count(total - slowSeqs, 30_000);
    expect(rest.values[0]!.messageAdded.seq).toBe(slowSeqs + 1);
    await again.dispose();
    await fastClient.dispose();
  }, 120_000);
});

describe('heartbeat', () => {
  const { server, tenant } = useTenant({ WS_PING_INTERVAL: '100ms', WS_IDLE_TIMEOUT: '400ms' });

  it('pings peers and drops one that stays silent', async () => {
    const silent = new WebSocket(`${wsUrl(server, '/ws')}?api_key=${encodeURIComponent(tenant.apiKey)}&user_id=mute`, {
      autoPong: false,
    });
    const healthy = await LegacyClient.connect(server, tenant.apiKey, 'chatty');
    let pings = 0;
    silent.on('ping', () => (pings += 1));
    const silentClosed = new Promise<number>((resolve) => silent.once('close', (code) => resolve(code)));
    const started = Date.now();
    expect(await silentClosed).toBe(1006);
    expect(Date.now() - started).toBeGreaterThanOrEqual(300);
    expect(pings).toBeGreaterThan(0);
    await sleep(600);
    expect(healthy.socket.readyState).toBe(WebSocket.OPEN);
    healthy.close();
  });
});

describe('graceful shutdown', () => {
  it('tells every socket, finishes in-flight writes and exits 0 within SHUTDOWN_DRAIN_TIMEOUT', async () => {
    const server = await spawnServer({ SHUTDOWN_DRAIN_TIMEOUT: '5s' });
    const tenant = await seed(server).tenant();
    const room = await createRoom(tenant.as('u1'), 'group', ['u2']);
    const legacy = await LegacyClient.connect(server, tenant.apiKey, 'u2');
    const gql = tenant.as('u2').ws();
    new Subscription(gql, Watch, { roomId: room });
    await sleep(300);

    const sends = Array.from({ length: 100 }, (_, i) =>
      tenant
        .as('u1')
        .post(`/rooms/${room}/messages`, { content: `m${i}` })
        .catch(() => undefined),
    );
    await sleep(5);
    const stoppedAt = Date.now();
    server.proc.kill('SIGTERM');

    const shutdownFrame = await legacy.next('server.shutdown');
    expect(shutdownFrame).toEqual({ type: 'server.shutdown', reconnect_after_ms: expect.any(Number) });
    expect((await legacy.closed).code).toBe(1012);
    expect((await gql.closed).code).toBe(1012);
    const { code } = await server.exited;
    expect(code).toBe(0);
    // It finished shutting down (usage flushed, database closed) rather than just falling silent.
    expect(server.logs.map((l) => l.msg)).toContain('ChatAPI stopped');
    expect(JSON.stringify(server.logs.filter((l) => l.level !== 'info'))).toBe('[]');
    expect(Date.now() - stoppedAt).toBeLessThan(5_000);
    const answered = (await Promise.all(sends)).filter((r) => r?.status === 201).map((r) => r!.body.seq as number);

    // Everything answered 201 is stored, with gapless seqs.
    const restarted = await spawnServer({}, server);
    const history = await new Client(restarted.url, { 'x-api-key': tenant.apiKey, 'x-user-id': 'u2' }).get(
      `/rooms/${room}/messages?limit=100`,
    );
    const stored: number[] = history.body.map((m: any) => m.seq);
    expect(stored).toEqual(Array.from({ length: stored.length }, (_, i) => i + 1));
    for (const seq of answered) expect(stored).toContain(seq);
    restarted.proc.kill('SIGTERM');
    expect((await restarted.exited).code).toBe(0);
    await server.database.drop();
  }, 60_000);
});
