import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { inject } from 'vitest';

/** Which database this test run uses: the vitest project sets CHATAPI_TEST_DB (sqlite by default). */
export const testProvider = process.env.CHATAPI_TEST_DB === 'postgresql' ? 'postgresql' : 'sqlite';

/** The machine's PostgreSQL, where each test server gets a database of its own. */
const adminUrl = process.env.PG_TEST_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';

/** The postgresql project runs the scale-out configuration: PostgreSQL and Redis together. */
export const testRedisUrl =
  testProvider === 'postgresql' ? (process.env.REDIS_TEST_URL ?? 'redis://127.0.0.1:6379') : undefined;

export interface TestDatabase {
  /** Environment for ChatAPI: empty for SQLite (DATA_DIR decides), DATABASE_URL for PostgreSQL. */
  env: Record<string, string>;
  drop(): Promise<void>;
}

async function admin<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** A fresh, empty database (and Redis namespace) for one server, or for several that share it. */
export async function createTestDatabase(): Promise<TestDatabase> {
  if (testProvider === 'sqlite') return { env: {}, drop: async () => {} };
  const name = `chatapi_t_${randomBytes(6).toString('hex')}`;
  // A key prefix per database keeps servers of different tests apart in the shared Redis.
  // The run's own prefix in front (test/setup/redis-cleanup.ts deletes everything under it).
  const redisPrefix = `${inject('redisRunPrefix')}${name.slice('chatapi_t_'.length)}:`;
  const redisEnv: Record<string, string> = testRedisUrl ? { REDIS_URL: testRedisUrl, REDIS_PREFIX: redisPrefix } : {};
  await admin((c) => c.query(`CREATE DATABASE ${name}`));
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    env: { DATABASE_URL: url.toString(), ...redisEnv },
    drop: () => admin((c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)).then(() => undefined),
  };
}
