import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client } from './helpers/client.js';
import { startServer, type TestServer } from './helpers/server.js';

// ../shared/seed/setting-up-tenants.md, step by step, with the exact requests the guide shows.
describe('the tenant guide walkthrough', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer();
  });
  afterAll(() => server.stop());

  it('creates a tenant, a dm room, and sends a message', async () => {
    const admin = new Client(server.url, { 'X-Master-Key': server.masterKey, 'Content-Type': 'application/json' });
    const created = await admin.request('POST', '/admin/tenants', '{"name": "MyCompany"}');
    expect(created.status).toBe(201);
    expect(Object.keys(created.body).sort()).toEqual(['api_key', 'created_at', 'name', 'tenant_id']);
    expect(created.body.name).toBe('MyCompany');
    expect(created.body.tenant_id).toMatch(/^tenant_[A-Za-z0-9_-]+$/);
    expect(created.body.api_key).toMatch(/^sk_[A-Za-z0-9_-]{32,}$/);
    expect(new Date(created.body.created_at).toISOString()).toBe(created.body.created_at);

    const tenant = new Client(server.url, { 'X-API-Key': created.body.api_key, 'Content-Type': 'application/json' });
    const room = await tenant.request('POST', '/rooms', '{"type": "dm", "members": ["alice", "bob"]}', {
      'X-User-Id': 'testuser',
    });
    expect(room.status).toBe(201);
    expect(room.body).toMatchObject({ type: 'dm', name: null, last_seq: 0 });
    expect(room.body.room_id).toMatch(/^room_/);
    expect(room.body.unique_key).toBeTruthy();

    const sent = await tenant.request(
      'POST',
      `/rooms/${room.body.room_id}/messages`,
      '{"content": "Hello from my tenant!"}',
      {
        'X-User-Id': 'alice',
      },
    );
    expect(sent.status).toBe(201);
    expect(sent.body).toMatchObject({ seq: 1 });
    expect(sent.body.message_id).toMatch(/^msg_/);

    const history = await tenant.request('GET', `/rooms/${room.body.room_id}/messages`, undefined, {
      'X-User-Id': 'bob',
    });
    expect(history.status).toBe(200);
    expect(history.body).toEqual([
      {
        message_id: sent.body.message_id,
        room_id: room.body.room_id,
        sender_id: 'alice',
        seq: 1,
        content: 'Hello from my tenant!',
        meta: null,
        client_message_id: null,
        created_at: sent.body.created_at,
      },
    ]);
  });

  it('creates additional tenants, each with its own key', async () => {
    const admin = new Client(server.url, { 'X-Master-Key': server.masterKey });
    const a = await admin.post('/admin/tenants', { name: 'AnotherCompany' });
    const b = await admin.post('/admin/tenants', { name: 'StagingEnvironment' });
    expect([a.status, b.status]).toEqual([201, 201]);
    expect(a.body.tenant_id).not.toBe(b.body.tenant_id);
    expect(a.body.api_key).not.toBe(b.body.api_key);
  });
});
