import path from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminClient, seedTenant, type SeededTenant } from './helpers/client.js';
import { startServer, type TestServer } from './helpers/server.js';

/**
 * The fast GraphQL-over-HTTP path (POST application/json) and Yoga's own handler (here forced with
 * Content-Type application/graphql+json) must answer alike: same status, body and X-RateLimit-*.
 */
interface Seen {
  status: number;
  body: unknown;
  rateLimit: Record<string, string | null>;
}

async function post(url: string, contentType: string, headers: Record<string, string>, body: unknown): Promise<Seen> {
  const res = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': contentType, accept: 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  const rateLimit = Object.fromEntries(
    ['x-ratelimit-limit', 'x-ratelimit-remaining', 'retry-after'].map((h) => [h, res.headers.get(h)]),
  );
  return { status: res.status, body: await res.json(), rateLimit };
}

const FAST = 'application/json';
const YOGA = 'application/graphql+json';

/** Makes writes fail (SQLite: an exclusive lock held past the busy timeout; PostgreSQL: read-only). */
async function lockDatabase(server: TestServer): Promise<() => Promise<void>> {
  const database = server.app.config.database;
  if (database.provider === 'sqlite') {
    const other = new Database(path.join(server.dataDir, 'chatapi.db'));
    other.exec('BEGIN EXCLUSIVE');
    return async () => {
      other.exec('ROLLBACK');
      other.close();
    };
  }
  // PostgreSQL: the database turns read-only (25006) and the server's connections are cut (57P01).
  const other = new pg.Client({ connectionString: database.url });
  await other.connect();
  const name = (await other.query<{ db: string }>('SELECT current_database() AS db')).rows[0]!.db;
  await other.query(`ALTER DATABASE "${name}" SET default_transaction_read_only = on`);
  await other.query(
    'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()',
  );
  return async () => {
    await other.query(`ALTER DATABASE "${name}" RESET default_transaction_read_only`);
    await other.query(
      'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()',
    );
    await other.end();
  };
}

describe('GraphQL over HTTP: the fast path and Yoga answer alike', () => {
  let server: TestServer;
  let tenant: SeededTenant;
  let headers: Record<string, string>;
  beforeAll(async () => {
    server = await startServer({ SQLITE_BUSY_TIMEOUT_MS: '100' });
    tenant = await seedTenant(server);
    headers = { 'x-api-key': tenant.apiKey, 'x-user-id': 'alice' };
  });
  afterAll(() => server.stop());

  const both = async (requestHeaders: Record<string, string>, body: unknown) => {
    const fast = await post(server.url, FAST, requestHeaders, body);
    const yoga = await post(server.url, YOGA, requestHeaders, body);
    return { fast, yoga };
  };

  it('answers an ok request alike', async () => {
    const { fast, yoga } = await both(headers, { query: '{ health { status } }' });
    expect(fast.status).toBe(200);
    expect(fast.body).toEqual({ data: { health: { status: 'ok' } } });
    expect(yoga.status).toBe(fast.status);
    expect(yoga.body).toEqual(fast.body);
    expect(yoga.rateLimit['x-ratelimit-limit']).toBe(fast.rateLimit['x-ratelimit-limit']);
    expect(fast.rateLimit['x-ratelimit-limit']).not.toBeNull();
  });

  it('answers a validation error alike', async () => {
    const { fast, yoga } = await both(headers, { query: '{ nope }' });
    expect((fast.body as any).errors[0].extensions.code).toBe('VALIDATION_ERROR');
    expect(yoga.status).toBe(fast.status);
    expect(yoga.body).toEqual(fast.body);
  });

  it('answers a syntax error alike', async () => {
    const { fast, yoga } = await both(headers, { query: '{ health { status ' });
    expect(fast.status).toBe(400);
    expect(yoga.status).toBe(fast.status);
    expect(yoga.body).toEqual(fast.body);
  });

  it('answers a bad key alike', async () => {
    const { fast, yoga } = await both(
      { 'x-api-key': 'not-a-key-at-all-000000', 'x-user-id': 'alice' },
      { query: '{ rooms { id } }' },
    );
    expect(fast.status).toBe(401);
    expect((fast.body as any).errors[0].extensions.code).toBe('AUTHENTICATION_ERROR');
    expect(yoga.status).toBe(fast.status);
    expect(yoga.body).toEqual(fast.body);
  });

  it('answers rate-limited alike, with the same X-RateLimit-* headers', async () => {
    const limited = await seedTenant(server, 'Limited');
    expect(
      (await adminClient(server).request('PATCH', `/admin/tenants/${limited.tenantId}`, { rate_limit: 1 })).status,
    ).toBe(200);
    const limitedHeaders = { 'x-api-key': limited.apiKey, 'x-user-id': 'bob' };
    // One point a second: the first request of each window passes, the next is limited.
    const answers: Record<string, Seen> = {};
    for (const contentType of [FAST, YOGA]) {
      await new Promise((r) => setTimeout(r, 1_100));
      await post(server.url, contentType, limitedHeaders, { query: '{ health { status } }' });
      answers[contentType] = await post(server.url, contentType, limitedHeaders, { query: '{ health { status } }' });
    }
    const fast = answers[FAST]!;
    const yoga = answers[YOGA]!;
    expect(fast.status).toBe(429);
    expect((fast.body as any).errors[0].extensions.code).toBe('RATE_LIMIT_EXCEEDED');
    expect(fast.rateLimit).toEqual({
      'x-ratelimit-limit': '1',
      'x-ratelimit-remaining': '0',
      'retry-after': expect.any(String),
    });
    expect(yoga.status).toBe(fast.status);
    expect(yoga.body).toEqual(fast.body);
    expect(yoga.rateLimit).toEqual(fast.rateLimit);
  });

  it('answers 503 alike while the database is away', async () => {
    const release = await lockDatabase(server);
    let fast: Seen;
    let yoga: Seen;
    try {
      const query = { query: 'mutation { createRoom(input: { type: GROUP, members: [] }) { id } }' };
      fast = await post(server.url, FAST, headers, query);
      yoga = await post(server.url, YOGA, headers, query);
    } finally {
      await release();
    }
    expect(fast.status).toBe(503);
    expect((fast.body as any).errors[0].extensions.code).toBe('SERVICE_UNAVAILABLE');
    expect(yoga.status).toBe(fast.status);
    expect(yoga.body).toEqual(fast.body);
  }, 30_000);
});
