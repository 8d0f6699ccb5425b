import { describe, expect, it } from 'vitest';
import { graphql } from './gql/index.js';
import { Client, adminClient, createRoom } from './helpers/client.js';
import { LegacyClient, Subscription, sleep } from './helpers/ws.js';
import { useServer, seed } from './helpers/kit.js';

const Viewer = graphql(`
  query LimitedViewer {
    viewer {
      userId
    }
  }
`);

const Watch = graphql(`
  subscription LimitedWatch($roomId: ID!) {
    messageAdded(roomId: $roomId) {
      seq
    }
  }
`);

const LIMIT = 20;

/** Waits until the start of a fresh one-second window is likely (windows start at first use). */
const freshWindow = () => sleep(1_100);

describe('per-tenant rate limits', () => {
  const server = useServer({ DEFAULT_RATE_LIMIT: String(LIMIT) });

  it('allows a burst up to the limit, then answers 429 with accurate headers and body', async () => {
    const tenant = await seed(server).tenant();
    const results = await Promise.all(Array.from({ length: LIMIT + 10 }, () => tenant.as('u').get('/rooms')));
    const ok = results.filter((r) => r.status === 200);
    const limited = results.filter((r) => r.status === 429);
    expect(ok).toHaveLength(LIMIT);
    expect(limited).toHaveLength(10);
    const now = Date.now() / 1000;
    for (const r of results) {
      expect(r.headers.get('x-ratelimit-limit')).toBe(String(LIMIT));
      const reset = Number(r.headers.get('x-ratelimit-reset'));
      expect(reset).toBeGreaterThanOrEqual(Math.floor(now));
      expect(reset).toBeLessThanOrEqual(Math.ceil(now) + 1);
    }
    expect(ok.map((r) => Number(r.headers.get('x-ratelimit-remaining'))).sort((a, b) => a - b)).toEqual(
      Array.from({ length: LIMIT }, (_, i) => i),
    );
    const rejected = limited[0]!;
    expect(rejected.headers.get('x-ratelimit-remaining')).toBe('0');
    expect(rejected.headers.get('retry-after')).toBe('1');
    expect(rejected.body).toEqual({
      success: false,
      error: { code: 'RATE_LIMIT_EXCEEDED', message: 'Rate limit exceeded. Try again in 1 seconds' },
    });
    // Retry-After is honest: waiting that long is enough.
    await sleep(Number(rejected.headers.get('retry-after')) * 1000);
    expect((await tenant.as('u').get('/rooms')).status).toBe(200);
  });

  it('keeps a client retrying in a tight loop progressing at the limit, second after second', async () => {
    const tenant = await seed(server).tenant();
    await freshWindow();
    const started = Date.now();
    const successesPerSecond = [0, 0, 0];
    let attempts = 0;
    while (Date.now() - started < 3_000) {
      const res = await tenant.as('loop').get('/rooms');
      attempts += 1;
      const second = Math.floor((Date.now() - started) / 1000);
      if (res.status === 200 && second < 3) successesPerSecond[second] += 1;
    }
    expect(attempts).toBeGreaterThan(3 * LIMIT);
    for (const n of successesPerSecond) {
      expect(n).toBeGreaterThan(0);
      expect(n).toBeLessThanOrEqual(2 * LIMIT);
    }
    const total = successesPerSecond.reduce((a, b) => a + b, 0);
    expect(total).toBeGreaterThanOrEqual(2 * LIMIT);
    expect(total).toBeLessThanOrEqual(4 * LIMIT);
  });

  it('never lets one tenant exhausting its limit affect another', async () => {
    const noisy = await seed(server).tenant('Noisy');
    const quiet = await seed(server).tenant('Quiet');
    await freshWindow();
    const flood = Promise.all(Array.from({ length: 3 * LIMIT }, () => noisy.as('n').get('/rooms')));
    const calm = await Promise.all(Array.from({ length: LIMIT }, () => quiet.as('q').get('/rooms')));
    expect(calm.every((r) => r.status === 200)).toBe(true);
    expect((await flood).filter((r) => r.status === 429).length).toBeGreaterThan(0);
  });

  it('applies a per-tenant limit set by the operator within a second', async () => {
    const tenant = await seed(server).tenant();
    const patched = await adminClient(server).request('PATCH', `/admin/tenants/${tenant.tenantId}`, { rate_limit: 5 });
    expect(patched.status).toBe(200);
    await freshWindow();
    const results = await Promise.all(Array.from({ length: 8 }, () => tenant.as('u').get('/rooms')));
    expect(results.filter((r) => r.status === 200)).toHaveLength(5);
    expect(results[0]!.headers.get('x-ratelimit-limit')).toBe('5');
  });

  it('limits GraphQL over HTTP: 429 for the operation, with the code in extensions', async () => {
    const tenant = await seed(server).tenant();
    await freshWindow();
    const results = await Promise.all(Array.from({ length: LIMIT + 3 }, () => tenant.as('g').graphql(Viewer)));
    const limited = results.filter((r) => r.status === 429);
    expect(results.filter((r) => r.status === 200)).toHaveLength(LIMIT);
    expect(limited).toHaveLength(3);
    expect(limited[0]!.body.errors![0]!.extensions.code).toBe('RATE_LIMIT_EXCEEDED');
    expect(limited[0]!.headers.get('retry-after')).toBe('1');
    expect(results[0]!.headers.get('x-ratelimit-limit')).toBe(String(LIMIT));
  });

  it('limits each WebSocket operation and /ws frame, keeping the socket open', async () => {
    const tenant = await seed(server).tenant();
    const room = await createRoom(tenant.as('w'), 'group', []);
    await freshWindow();
    const client = tenant.as('w').ws();
    const subs = Array.from({ length: LIMIT + 2 }, () => new Subscription(client, Watch, { roomId: room }));
    await Promise.all(subs.slice(LIMIT).map((s) => s.until((x) => x.done)));
    const refused = subs.filter((s) => s.done);
    expect(refused.length).toBeGreaterThanOrEqual(2);
    expect((refused[0]!.errors[0] as any).extensions.code).toBe('RATE_LIMIT_EXCEEDED');
    await freshWindow();
    const later = new Subscription(client, Watch, { roomId: room });
    await sleep(100);
    await tenant.as('w').post(`/rooms/${room}/messages`, { content: 'still subscribed' });
    await later.count(1);
    await client.dispose();

    const legacy = await LegacyClient.connect(server, tenant.apiKey, 'w');
    await freshWindow();
    for (let i = 0; i < LIMIT + 2; i += 1) legacy.send({ type: 'typing.start', room_id: room });
    const error = await legacy.next('error');
    expect(error.code).toBe('RATE_LIMIT_EXCEEDED');
    await freshWindow();
    legacy.send({ type: 'send_message', room_id: room, content: 'after the window' });
    await legacy.until((frames) => frames.some((f) => f.type === 'message' && f.content === 'after the window'));
    legacy.close();
  });

  it('applies a changed limit to WebSockets that were already open', async () => {
    const tenant = await seed(server).tenant();
    const room = await createRoom(tenant.as('w'), 'group', []);
    const legacy = await LegacyClient.connect(server, tenant.apiKey, 'w');
    await adminClient(server).request('PATCH', `/admin/tenants/${tenant.tenantId}`, { rate_limit: 2 });
    await freshWindow();
    for (let i = 0; i < 6; i += 1) legacy.send({ type: 'typing.start', room_id: room, request_id: `t${i}` });
    await legacy.until((frames) => frames.filter((f) => f.type === 'error').length >= 4);
    expect(legacy.of('error').every((f) => f.code === 'RATE_LIMIT_EXCEEDED')).toBe(true);
    legacy.close();
  });

  it('does not charge failed authentication to a tenant, and throttles an address that keeps failing', async () => {
    const tenant = await seed(server).tenant();
    expect((await tenant.as('u').get('/rooms')).status).toBe(200);
    await freshWindow();
    const bad = await Promise.all(
      Array.from({ length: 25 }, () =>
        new Client(server.url, { 'x-api-key': 'sk_nope', 'x-user-id': 'x' }).get('/rooms'),
      ),
    );
    expect(bad.filter((r) => r.status === 401).length).toBe(20);
    expect(bad.filter((r) => r.status === 429).length).toBe(5);
    expect(bad.find((r) => r.status === 429)!.body.error.code).toBe('RATE_LIMIT_EXCEEDED');
    // The tenant's whole budget is still there, and its (known) key still works from this address.
    const good = await Promise.all(Array.from({ length: LIMIT }, () => tenant.as('u').get('/rooms')));
    expect(good.every((r) => r.status === 200)).toBe(true);
  });
});
