import path from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { Client, createRoom } from './helpers/client.js';
import { testProvider } from './helpers/database.js';
import type { TestServer } from './helpers/server.js';
import { useServer, seed } from './helpers/kit.js';

/** Holds the database's write lock from another connection until `release` is called. */
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
  const other = new pg.Client({ connectionString: database.url });
  await other.connect();
  await other.query('BEGIN');
  await other.query('LOCK TABLE "HealthProbe" IN ACCESS EXCLUSIVE MODE');
  return async () => {
    await other.query('ROLLBACK');
    await other.end();
  };
}

describe('GET /health', () => {
  const server = useServer({ SQLITE_BUSY_TIMEOUT_MS: '50' });

  it('is ok with zero tenants, without credentials', async () => {
    const res = await new Client(server.url).get('/health');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      status: 'ok',
      uptime: expect.any(Number),
      db_writable: true,
      // With REDIS_URL (the postgresql project), health also says how Redis is.
      ...(server.app.config.redis ? { redis: 'up' } : {}),
    });
  });

  it('answers 503 with status "error" while the database cannot be written, and recovers', async () => {
    await new Promise((r) => setTimeout(r, 1100)); // past the cached probe
    const release = await lockDatabase(server);
    try {
      const res = await new Client(server.url).get('/health');
      expect(res.status).toBe(503);
      expect(res.body).toMatchObject({ status: 'error', db_writable: false });
    } finally {
      await release();
    }
    await new Promise((r) => setTimeout(r, testProvider === 'postgresql' ? 2_500 : 1_100));
    const after = await new Client(server.url).get('/health');
    expect(after.status).toBe(200);
    expect(after.body.db_writable).toBe(true);
  });

  it('answers /livez without touching the database', async () => {
    const release = await lockDatabase(server);
    try {
      const res = await new Client(server.url).get('/livez');
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ status: 'ok' });
    } finally {
      await release();
    }
  });

  it('exposes aggregate Prometheus metrics without tenant ids', async () => {
    const tenant = await seed(server).tenant();
    const room = await createRoom(tenant.as('m'), 'group', []);
    for (let i = 0; i < 3; i += 1) await tenant.as('m').post(`/rooms/${room}/messages`, { content: 'x' });
    const res = await fetch(`${server.url}/metrics`);
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).toMatch(/^chatapi_messages_stored_total 3$/m);
    expect(text).toMatch(/^chatapi_http_requests_total\{method="POST",status="2xx"\} \d+$/m);
    expect(text).toContain('chatapi_send_batch_size_bucket');
    expect(text).toContain('chatapi_process_cpu_seconds_total');
    expect(text.includes(tenant.tenantId)).toBe(false);
  });
});
