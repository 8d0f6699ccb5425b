import { getIntrospectionQuery } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRoom, seedTenant, type Client } from './helpers/client.js';
import { startServer, type TestServer } from './helpers/server.js';
import { graphqlWsClient, sleep } from './helpers/ws.js';

type GraphQLBody = {
  data?: Record<string, any> | null;
  errors?: Array<{ message: string; extensions: Record<string, any> }>;
};

const query = (client: Client, text: string, variables?: Record<string, unknown>) =>
  client.request<GraphQLBody>('POST', '/graphql', { query: text, variables });

const aliases = (count: number, field: string) =>
  `{ ${Array.from({ length: count }, (_, i) => `a${i}: ${field}`).join(' ')} }`;

/** Nesting of `depth` selection levels (fields need not exist: the depth limit answers first). */
const nested = (depth: number) => `{ ${'a { '.repeat(depth - 1)}b${' }'.repeat(depth - 1)} }`;

function expectRefused(res: { status: number; body: GraphQLBody }, message: RegExp) {
  expect(res.status).toBe(400);
  expect(res.body.data ?? null).toBeNull();
  const error = res.body.errors?.find((e) => message.test(e.message));
  expect(error, JSON.stringify(res.body.errors?.map((e) => e.message))).toBeDefined();
  expect(error!.extensions.code).toBe('VALIDATION_ERROR');
}

describe('GraphQL limits (defaults)', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer();
  });
  afterAll(() => server.stop());

  it('refuses a deeply nested document with a code, over HTTP and WebSocket', async () => {
    const tenant = await seedTenant(server);
    expectRefused(await query(tenant.as('u'), nested(40)), /nested too deeply/);

    const client = graphqlWsClient(server, { apiKey: tenant.apiKey, userId: 'u' });
    try {
      const errors = await new Promise<any[]>((resolve) => {
        client.subscribe(
          { query: nested(40) },
          { next: () => {}, error: (err) => resolve(Array.isArray(err) ? err : [err]), complete: () => resolve([]) },
        );
      });
      expect(
        errors.some((e) => /nested too deeply/.test(e.message) && e.extensions?.code === 'VALIDATION_ERROR'),
        String(errors.map((e) => e.message ?? e.reason ?? e)),
      ).toBe(true);
    } finally {
      await client.dispose();
    }
  });

  it('refuses 10,000 aliases, and more aliases than the limit', async () => {
    const user = (await seedTenant(server)).as('u');
    const huge = await query(user, aliases(10_000, 'viewer { userId }'));
    expect(huge.status).toBe(400);
    expect(huge.body.errors?.[0]?.extensions.code).toBe('VALIDATION_ERROR');
    expectRefused(await query(user, aliases(31, 'viewer { userId }')), /too many aliases/);
    // Within the limit it runs.
    const fine = await query(user, aliases(30, 'viewer { userId }'));
    expect(fine.status).toBe(200);
    expect(fine.body.data?.a29).toEqual({ userId: 'u' });
  });

  it("applies the same limits on Yoga's own handler (application/graphql bodies)", async () => {
    const user = (await seedTenant(server)).as('u');
    const res = await user.request<GraphQLBody>('POST', '/graphql', aliases(31, 'viewer { userId }'), {
      'content-type': 'application/graphql',
    });
    // Yoga answers an application/json client 200 for a refused document (GraphQL over HTTP), with no data.
    expect(res.body.data ?? null).toBeNull();
    expect(
      res.body.errors?.some((e) => /too many aliases/.test(e.message) && e.extensions.code === 'VALIDATION_ERROR'),
    ).toBe(true);
  });

  it('still answers the full introspection query (GraphiQL, codegen)', async () => {
    const user = (await seedTenant(server)).as('u');
    const res = await query(user, getIntrospectionQuery({ descriptions: true, inputValueDeprecation: true }));
    expect(res.status).toBe(200);
    expect(res.body.errors).toBeUndefined();
    expect(res.body.data?.__schema.queryType.name).toBe('Query');
  });

  it('refuses a huge token count without aliases', async () => {
    const user = (await seedTenant(server)).as('u');
    expectRefused(await query(user, `{ viewer { ${'userId '.repeat(5_000)} } }`), /too long/);
  });

  it('refuses too many directives', async () => {
    const user = (await seedTenant(server)).as('u');
    expectRefused(
      await query(user, `{ viewer { userId ${'@include(if: true) '.repeat(25)} } }`),
      /too many directives/,
    );
  });

  it('refuses 300 aliases of messages(limit: 100) by cost, before any resolver runs', async () => {
    const tenant = await seedTenant(server);
    const room = await createRoom(tenant.as('u'), 'group', ['u']);
    // Within the alias limit, but 300 x 100 messages is far above the cost limit.
    const text = `query { ${Array.from({ length: 300 }, (_, i) => `m${i}: messages(roomId: "${room}", limit: 100) { id content }`).join(' ')} }`;
    const res = await query(tenant.as('u'), text);
    expect(res.status).toBe(400);
    expect(res.body.errors?.some((e) => e.extensions.code === 'VALIDATION_ERROR')).toBe(true);
    // The cost rule alone refuses it: 30 aliases fit the alias limit, 30 x (1 + 100 x 8) does not fit the cost.
    const fields = 'id seq roomId senderId content meta clientMessageId createdAt';
    const byCost = `query { ${Array.from({ length: 30 }, (_, i) => `m${i}: messages(roomId: "${room}", limit: 100) { ${fields} }`).join(' ')} }`;
    expectRefused(await query(tenant.as('u'), byCost), /too expensive/);
    // The same with a variable limit counts as the largest page.
    const viaVariable = `query($n: Int) { ${Array.from({ length: 30 }, (_, i) => `m${i}: messages(roomId: "${room}", limit: $n) { ${fields} }`).join(' ')} }`;
    expectRefused(await query(tenant.as('u'), viaVariable, { n: 100 }), /too expensive/);
    // One page of history is cheap.
    const one = await query(tenant.as('u'), `query { messages(roomId: "${room}", limit: 100) { ${fields} } }`);
    expect(one.status).toBe(200);
    expect(one.body.data?.messages).toEqual([]);
  });

  it('refuses 5,500 aliases of rooms { members } cheaply', async () => {
    const user = (await seedTenant(server)).as('u');
    const started = Date.now();
    const res = await query(user, aliases(5_500, 'rooms { id members { userId online } }'));
    expect(res.status).toBe(400);
    expect(res.body.errors?.[0]?.extensions.code).toBe('VALIDATION_ERROR');
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('refuses batched (array) requests', async () => {
    const user = (await seedTenant(server)).as('u');
    const res = await user.request('POST', '/graphql', [
      { query: '{ viewer { userId } }' },
      { query: '{ viewer { userId } }' },
    ]);
    expect(res.status).toBe(400);
    expect(res.body.errors?.[0]?.extensions.code).toBe('VALIDATION_ERROR');
  });

  it('answers rooms { members } for a user in 1,000 rooms with a cold cache', { timeout: 120_000 }, async () => {
    const tenant = await seedTenant(server);
    const user = tenant.as('many');
    for (let i = 0; i < 1_000; i += 50) {
      await Promise.all(Array.from({ length: 50 }, () => createRoom(user, 'group', ['many', 'other'])));
    }
    const res = await query(user, '{ rooms { id members { userId } } }');
    expect(res.status).toBe(200);
    expect(res.body.errors).toBeUndefined();
    const rooms = res.body.data!.rooms as Array<{ id: string; members: Array<{ userId: string }> }>;
    expect(rooms).toHaveLength(1_000);
    expect(
      rooms.every(
        (r) =>
          r.members
            .map((m) => m.userId)
            .sort()
            .join() === 'many,other',
      ),
    ).toBe(true);
  });
});

describe('GraphQL answer size cap', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer({ GRAPHQL_MAX_RESPONSE_BYTES: '65536' });
  });
  afterAll(() => server.stop());

  it('replaces an answer over GRAPHQL_MAX_RESPONSE_BYTES with a coded error', async () => {
    const tenant = await seedTenant(server);
    const user = tenant.as('u');
    const room = await createRoom(user, 'group', ['u']);
    for (let i = 0; i < 8; i++)
      expect((await user.post(`/rooms/${room}/messages`, { content: 'x'.repeat(16_000) })).status).toBe(201);
    const res = await query(user, `{ messages(roomId: "${room}", limit: 8) { content } }`);
    expect(res.body.data ?? null).toBeNull();
    expect(res.body.errors).toHaveLength(1);
    expect(res.body.errors![0]!.message).toMatch(/larger than 65536 bytes/);
    expect(res.body.errors![0]!.extensions.code).toBe('VALIDATION_ERROR');
    expect(JSON.stringify(res.body).length).toBeLessThan(1_000);
    // A smaller page fits.
    const small = await query(user, `{ messages(roomId: "${room}", limit: 2) { content } }`);
    expect(small.body.data?.messages).toHaveLength(2);
  });
});

describe('aliased mutations and the rate limit', () => {
  let server: TestServer;
  beforeAll(async () => {
    // Aliases up to 100 here, so the rate limit (not the alias limit) is what refuses.
    server = await startServer({ DEFAULT_RATE_LIMIT: '10', GRAPHQL_MAX_ALIASES: '100' });
  });
  afterAll(() => server.stop());

  it('50 aliased sendMessage with a tenant limit of 10 store none of them', async () => {
    const tenant = await seedTenant(server);
    const user = tenant.as('u');
    const room = await createRoom(user, 'group', ['u']);
    await sleep(1_100);
    const text = `mutation { ${Array.from({ length: 50 }, (_, i) => `s${i}: sendMessage(roomId: "${room}", content: "m${i}") { seq }`).join(' ')} }`;
    const res = await query(user, text);
    expect(res.status).toBe(429);
    expect(res.body.data ?? null).toBeNull();
    expect(res.body.errors?.[0]?.extensions.code).toBe('RATE_LIMIT_EXCEEDED');
    await sleep(1_100);
    const room_ = await user.get(`/rooms/${room}`);
    expect(room_.status).toBe(200);
    expect(room_.body.last_seq).toBe(0);
  });

  it('aliased sendMessage over graphql-ws pay a point each too', async () => {
    const tenant = await seedTenant(server);
    const user = tenant.as('u');
    const room = await createRoom(user, 'group', ['u']);
    await sleep(1_100);
    const client = graphqlWsClient(server, { apiKey: tenant.apiKey, userId: 'u' });
    try {
      const text = `mutation { ${Array.from({ length: 50 }, (_, i) => `s${i}: sendMessage(roomId: "${room}", content: "w${i}") { seq }`).join(' ')} }`;
      const results: any[] = [];
      await new Promise<void>((resolve) => {
        client.subscribe(
          { query: text },
          {
            next: (r) => results.push(r),
            error: (e) => (results.push({ errors: Array.isArray(e) ? e : [e] }), resolve()),
            complete: resolve,
          },
        );
      });
      expect(results).toHaveLength(1);
      expect(results[0].data ?? null).toBeNull();
      expect(results[0].errors?.[0]?.extensions?.code).toBe('RATE_LIMIT_EXCEEDED');
    } finally {
      await client.dispose();
    }
    await sleep(1_100);
    expect((await user.get(`/rooms/${room}`)).body.last_seq).toBe(0);
  });

  it('mutations within the limit still run, each paying a point', async () => {
    const tenant = await seedTenant(server);
    const user = tenant.as('u');
    const room = await createRoom(user, 'group', ['u']);
    await sleep(1_100);
    const text = `mutation { ${Array.from({ length: 4 }, (_, i) => `s${i}: sendMessage(roomId: "${room}", content: "m${i}") { seq }`).join(' ')} }`;
    const res = await query(user, text);
    expect(res.status).toBe(200);
    expect(Object.keys(res.body.data ?? {})).toHaveLength(4);
    // The window has 10 - 4 points left: 7 more fields are too many, 6 fit.
    const seven = `mutation { ${Array.from({ length: 7 }, (_, i) => `s${i}: sendMessage(roomId: "${room}", content: "n${i}") { seq }`).join(' ')} }`;
    expect((await query(user, seven)).status).toBe(429);
  });
});
