import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { Client, adminClient } from './helpers/client.js';
import { useServer, seed } from './helpers/kit.js';

describe('authentication', () => {
  const server = useServer();

  it('refuses the admin API without the right master key, creating nothing', async () => {
    const missing = await new Client(server.url).post('/admin/tenants', { name: 'X' });
    const wrong = await new Client(server.url, { 'x-master-key': 'not-the-master-key' }).post('/admin/tenants', {
      name: 'X',
    });
    for (const res of [missing, wrong]) {
      expect(res.status).toBe(401);
      expect(res.body).toEqual({ success: false, error: { code: 'AUTHENTICATION_ERROR', message: 'Unauthorized' } });
    }
    const tenants = await server.app.services.tenants.list(
      await server.app.services.auth.authenticate({ masterKey: server.masterKey }),
    );
    expect(tenants).toEqual([]);
  });

  it('answers "Invalid API key" for a wrong tenant key and never accepts the master key as one', async () => {
    for (const key of ['sk_doesnotexist', server.masterKey]) {
      const res = await new Client(server.url, { 'x-api-key': key, 'x-user-id': 'alice' }).get('/rooms');
      expect(res.status).toBe(401);
      expect(res.body).toEqual({ success: false, error: { code: 'AUTHENTICATION_ERROR', message: 'Invalid API key' } });
    }
  });

  it('needs X-API-Key and X-User-Id on tenant endpoints', async () => {
    const tenant = await seed(server).tenant();
    const noKey = await new Client(server.url, { 'x-user-id': 'alice' }).get('/rooms');
    expect(noKey.status).toBe(401);
    expect(noKey.body.error).toEqual({ code: 'AUTHENTICATION_ERROR', message: 'Missing X-API-Key header' });
    const noUser = await new Client(server.url, { 'x-api-key': tenant.apiKey }).get('/rooms');
    expect(noUser.status).toBe(401);
    expect(noUser.body.error.message).toBe('Missing X-User-Id header');
    const badUser = await new Client(server.url, { 'x-api-key': tenant.apiKey, 'x-user-id': 'x'.repeat(129) }).get(
      '/rooms',
    );
    expect(badUser.status).toBe(400);
    expect(badUser.body.error).toMatchObject({ code: 'VALIDATION_ERROR', field: 'X-User-Id' });
  });

  it('stores only a hash of the key, and logs tenant validation without the key', async () => {
    const tenant = await seed(server).tenant('Hashed');
    expect((await tenant.as('alice').get('/rooms')).status).toBe(200);
    await new Client(server.url, { 'x-api-key': 'sk_wrong', 'x-user-id': 'a' }).get('/rooms');

    const database = server.app.config.database;
    if (database.provider === 'sqlite') {
      // Nowhere in the database file or its write-ahead log.
      for (const file of ['chatapi.db', 'chatapi.db-wal'])
        expect(readFileSync(path.join(server.dataDir, file)).includes(tenant.apiKey)).toBe(false);
    } else {
      // Nowhere in any row of any table.
      const client = new pg.Client({ connectionString: database.url });
      await client.connect();
      const { rows: tables } = await client.query<{ tablename: string }>(
        "SELECT tablename FROM pg_tables WHERE schemaname = 'public'",
      );
      for (const { tablename } of tables) {
        const { rows } = await client.query(`SELECT row_to_json(t)::text AS row FROM "${tablename}" t`);
        for (const { row } of rows) expect(row.includes(tenant.apiKey)).toBe(false);
      }
      await client.end();
    }
    const keys = await server.app.db.read.apiKey.findMany({ where: { tenantId: tenant.tenantId } });
    expect(keys.map((k) => k.keyHash)).toEqual([createHash('sha256').update(tenant.apiKey).digest('hex')]);

    expect(server.logs).toContainEqual(
      expect.objectContaining({ level: 'info', msg: 'Tenant validated', tenant_id: tenant.tenantId }),
    );
    expect(server.logs).toContainEqual(
      expect.objectContaining({ level: 'error', msg: 'Invalid API key', error: 'tenant not found' }),
    );
    const text = JSON.stringify(server.logs);
    expect(text.includes(tenant.apiKey)).toBe(false);
    expect(text.includes(server.masterKey)).toBe(false);
  });

  it('shows the key once: listing tenants never returns it', async () => {
    const tenant = await seed(server).tenant('Once');
    const res = await adminClient(server).request('POST', '/graphql', { query: '{ tenants { id name createdAt } }' });
    expect(res.status).toBe(200);
    expect(res.body.data.tenants).toContainEqual(expect.objectContaining({ id: tenant.tenantId, name: 'Once' }));
    expect(JSON.stringify(res.body).includes(tenant.apiKey)).toBe(false);
  });
});

describe('without MASTER_API_KEY', () => {
  const server = useServer({ MASTER_API_KEY: '' });

  it('disables the admin API with a message saying so, and warns at start', async () => {
    const res = await new Client(server.url, { 'x-master-key': 'anything-at-all' }).post('/admin/tenants', {
      name: 'X',
    });
    expect(res.status).toBe(401);
    expect(res.body.error.message).toBe('Admin API disabled: MASTER_API_KEY is not set');
    expect(server.logs).toContainEqual(
      expect.objectContaining({ level: 'warn', msg: expect.stringContaining('MASTER_API_KEY') }),
    );
    const health = await new Client(server.url).get('/health');
    expect(health.status).toBe(200);
  });
});
