import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, createRoom, seedTenant } from './helpers/client.js';
import { startServer, type TestServer } from './helpers/server.js';

describe('GET /health', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer({ SQLITE_BUSY_TIMEOUT_MS: '50' });
  });
  afterAll(() => server.stop());

  it('is ok with zero tenants, without credentials', async () => {
    const res = await new Client(server.url).get('/health');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ok', uptime: expect.any(Number), db_writable: true });
  });

  it('answers 503 with status "error" while the database cannot be written, and recovers', async () => {
    await new Promise((r) => setTimeout(r, 1100)); // past the cached probe
    const other = new Database(path.join(server.dataDir, 'chatapi.db'));
    other.exec('BEGIN EXCLUSIVE');
    try {
      const res = await new Client(server.url).get('/health');
      expect(res.status).toBe(503);
      expect(res.body).toMatchObject({ status: 'error', db_writable: false });
    } finally {
      other.exec('ROLLBACK');
      other.close();
    }
    await new Promise((r) => setTimeout(r, 1100));
    const after = await new Client(server.url).get('/health');
    expect(after.status).toBe(200);
    expect(after.body.db_writable).toBe(true);
  });

  it('exposes aggregate Prometheus metrics without tenant ids', async () => {
    const tenant = await seedTenant(server);
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
