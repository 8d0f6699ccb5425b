import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { graphql } from './gql/index.js';
import { Client, adminClient, createRoom } from './helpers/client.js';
import { startServer, type TestServer } from './helpers/server.js';
import { LegacyClient, sleep } from './helpers/ws.js';
import { useServer, seed } from './helpers/kit.js';

const Rotate = graphql(`
  mutation Rotate($tenantId: ID!, $grace: Int) {
    rotateTenantKey(tenantId: $tenantId, graceSeconds: $grace) {
      apiKey
      keyId
      createdAt
    }
  }
`);

const AdminView = graphql(`
  query AdminView($id: ID!) {
    tenant(id: $id) {
      id
      name
      rateLimit
      effectiveRateLimit
      disabled
      keyCount
    }
    tenantKeys(tenantId: $id) {
      id
      prefix
      revokedAt
      expiresAt
    }
    tenantUsage(tenantId: $id) {
      date
      apiRequests
    }
  }
`);

const UpdateTenant = graphql(`
  mutation UpdateTenant($id: ID!, $input: UpdateTenantInput!) {
    updateTenant(id: $id, input: $input) {
      name
      rateLimit
      disabled
    }
  }
`);

const DeleteTenant = graphql(`
  mutation DeleteTenant($id: ID!) {
    deleteTenant(id: $id)
  }
`);

describe('tenant administration', () => {
  let server: TestServer;
  let admin: Client;
  beforeAll(async () => {
    server = await startServer({ DEFAULT_RATE_LIMIT: '1000' });
    admin = adminClient(server);
  });
  afterAll(() => server.stop());

  const keyClient = (apiKey: string, userId = 'u') =>
    new Client(server.url, { 'x-api-key': apiKey, 'x-user-id': userId });

  it('lists and shows tenants without ever showing a key or its hash', async () => {
    const tenant = await seed(server).tenant('Listed');
    const list = await admin.get('/admin/tenants');
    expect(list.status).toBe(200);
    const entry = list.body.find((t: any) => t.tenant_id === tenant.tenantId);
    expect(entry).toEqual({
      tenant_id: tenant.tenantId,
      name: 'Listed',
      rate_limit: 1000,
      disabled: false,
      created_at: expect.any(String),
      key_count: 1,
    });
    const one = await admin.get(`/admin/tenants/${tenant.tenantId}`);
    expect(one.body).toEqual(entry);
    const keys = await admin.get(`/admin/tenants/${tenant.tenantId}/keys`);
    expect(keys.body).toEqual([
      {
        key_id: expect.stringMatching(/^key_/),
        prefix: tenant.apiKey.slice(0, 10),
        created_at: expect.any(String),
        last_used_at: null,
        expires_at: null,
        revoked_at: null,
      },
    ]);
    const everything = JSON.stringify([list.body, one.body, keys.body]);
    expect(everything.includes(tenant.apiKey)).toBe(false);
    expect((await admin.get('/admin/tenants/tenant_unknown')).status).toBe(404);
    expect((await keyClient(tenant.apiKey).get('/admin/tenants')).status).toBe(401);
  });

  it.each([
    [{ rate_limit: 0 }, 'rate_limit'],
    [{ rate_limit: -5 }, 'rate_limit'],
    [{ rate_limit: 1.5 }, 'rate_limit'],
    [{ rate_limit: '100' }, 'rate_limit'],
    [{ rate_limit: 1e12 }, 'rate_limit'],
    [{ disabled: 'yes' }, 'disabled'],
    [{ name: '' }, 'name'],
  ])('refuses PATCH %j with 400 and changes nothing', async (body, field) => {
    const tenant = await seed(server).tenant('Unchanged');
    const res = await admin.request('PATCH', `/admin/tenants/${tenant.tenantId}`, body);
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code: 'VALIDATION_ERROR', field });
    expect((await admin.get(`/admin/tenants/${tenant.tenantId}`)).body).toMatchObject({
      name: 'Unchanged',
      rate_limit: 1000,
      disabled: false,
    });
  });

  it('renames and sets limits; unknown tenants are 404', async () => {
    const tenant = await seed(server).tenant('Before');
    const res = await admin.request('PATCH', `/admin/tenants/${tenant.tenantId}`, { name: 'After', rate_limit: 50 });
    expect(res.body).toMatchObject({ name: 'After', rate_limit: 50 });
    const back = await admin.request('PATCH', `/admin/tenants/${tenant.tenantId}`, { rate_limit: null });
    expect(back.body.rate_limit).toBe(1000);
    expect((await admin.request('PATCH', '/admin/tenants/tenant_nope', { name: 'x' })).status).toBe(404);
  });

  it('disables a tenant: its keys get 403 "tenant disabled" and its sockets close; enabling restores it', async () => {
    const tenant = await seed(server).tenant();
    const room = await createRoom(tenant.as('d'), 'group', []);
    const socket = await LegacyClient.connect(server, tenant.apiKey, 'd');
    const gql = tenant.as('d').ws();
    await sleep(150);

    expect((await admin.request('PATCH', `/admin/tenants/${tenant.tenantId}`, { disabled: true })).body.disabled).toBe(
      true,
    );
    const refused = await tenant.as('d').get(`/rooms/${room}`);
    expect(refused.status).toBe(403);
    expect(refused.body.error).toEqual({ code: 'AUTHORIZATION_ERROR', message: 'tenant disabled' });
    expect((await socket.closed).code).toBe(4403);
    expect((await gql.closed).code).toBe(4403);
    const reconnect = new LegacyClient(server, `?api_key=${encodeURIComponent(tenant.apiKey)}&user_id=d`);
    expect((await reconnect.closed).code).toBe(4403);
    const rotate = await admin.post(`/admin/tenants/${tenant.tenantId}/rotate-key`, {});
    expect(rotate.status).toBe(409);
    expect(rotate.body.error.message).toMatch(/disabled/);

    await admin.request('PATCH', `/admin/tenants/${tenant.tenantId}`, { disabled: false });
    expect((await tenant.as('d').get(`/rooms/${room}`)).status).toBe(200);
    await gql.dispose();
  });

  it('rotates without grace: the new key works at once, the old one is refused at once', async () => {
    const tenant = await seed(server).tenant();
    const socket = await LegacyClient.connect(server, tenant.apiKey, 'r');
    const rotated = await admin.post(`/admin/tenants/${tenant.tenantId}/rotate-key`);
    expect(rotated.status).toBe(201);
    expect(rotated.body).toEqual({
      api_key: expect.stringMatching(/^sk_[A-Za-z0-9_-]{32,}$/),
      key_id: expect.stringMatching(/^key_/),
      created_at: expect.any(String),
    });
    expect((await keyClient(rotated.body.api_key).get('/rooms')).status).toBe(200);
    const old = await keyClient(tenant.apiKey).get('/rooms');
    expect(old.status).toBe(401);
    expect(old.body.error.message).toBe('Invalid API key');
    expect((await socket.closed).code).toBe(4401);
    expect((await admin.get(`/admin/tenants/${tenant.tenantId}`)).body.key_count).toBe(1);
  });

  it('rotates with grace: both keys work until the grace period ends, then the old one is refused', async () => {
    const tenant = await seed(server).tenant();
    const socket = await LegacyClient.connect(server, tenant.apiKey, 'g');
    const rotated = await admin.post(`/admin/tenants/${tenant.tenantId}/rotate-key`, { grace_seconds: 2 });
    expect(rotated.status).toBe(201);
    expect((await keyClient(rotated.body.api_key).get('/rooms')).status).toBe(200);
    expect((await keyClient(tenant.apiKey).get('/rooms')).status).toBe(200);
    const keys = (await admin.get(`/admin/tenants/${tenant.tenantId}/keys`)).body;
    expect(keys).toHaveLength(2);
    expect(keys[0].expires_at).not.toBeNull();
    expect(keys[1].expires_at).toBeNull();
    await sleep(1_000);
    expect(socket.socket.readyState).toBe(socket.socket.OPEN);
    const closed = await socket.closed;
    expect(closed.code).toBe(4401);
    expect((await keyClient(tenant.apiKey).get('/rooms')).status).toBe(401);
    expect((await keyClient(rotated.body.api_key).get('/rooms')).status).toBe(200);
    for (const grace of [-1, 'soon', 1e9]) {
      expect((await admin.post(`/admin/tenants/${tenant.tenantId}/rotate-key`, { grace_seconds: grace })).status).toBe(
        400,
      );
    }
  });

  it('revokes one key immediately, on every path', async () => {
    const tenant = await seed(server).tenant();
    const second = (await admin.post(`/admin/tenants/${tenant.tenantId}/rotate-key`, { grace_seconds: 3600 })).body;
    const socket = await LegacyClient.connect(server, second.api_key, 'v');
    const revoked = await admin.request('DELETE', `/admin/tenants/${tenant.tenantId}/keys/${second.key_id}`);
    expect(revoked.status).toBe(200);
    expect(revoked.body.revoked_at).not.toBeNull();
    expect((await keyClient(second.api_key).get('/rooms')).status).toBe(401);
    expect((await socket.closed).code).toBe(4401);
    expect((await keyClient(tenant.apiKey).get('/rooms')).status).toBe(200);
    expect((await admin.request('DELETE', `/admin/tenants/${tenant.tenantId}/keys/key_nope`)).status).toBe(404);
    const other = await seed(server).tenant();
    const otherKey = (await admin.get(`/admin/tenants/${other.tenantId}/keys`)).body[0].key_id;
    expect((await admin.request('DELETE', `/admin/tenants/${tenant.tenantId}/keys/${otherKey}`)).status).toBe(404);
  });

  it('deletes a tenant with all its data, leaving other tenants untouched', async () => {
    const doomed = await seed(server).tenant('Doomed');
    const kept = await seed(server).tenant('Kept');
    const doomedRoom = await createRoom(doomed.as('a'), 'group', ['b']);
    const keptRoom = await createRoom(kept.as('a'), 'group', ['b']);
    for (const [t, room] of [
      [doomed, doomedRoom],
      [kept, keptRoom],
    ] as const) {
      await t.as('a').post(`/rooms/${room}/messages`, { content: 'hello' });
      await t.as('a').post('/notify', { topic: 't', payload: 1, targets: { user_ids: ['b'] } });
    }
    const socket = await LegacyClient.connect(server, doomed.apiKey, 'a');
    const deleted = await admin.request('DELETE', `/admin/tenants/${doomed.tenantId}`);
    expect(deleted.status).toBe(200);
    expect((await socket.closed).code).toBe(4401);
    expect((await doomed.as('a').get('/rooms')).status).toBe(401);
    expect((await admin.get(`/admin/tenants/${doomed.tenantId}`)).status).toBe(404);
    expect((await admin.get('/admin/tenants')).body.map((t: any) => t.tenant_id)).not.toContain(doomed.tenantId);
    const again = await admin.post(`/admin/tenants/${doomed.tenantId}/rotate-key`, {});
    expect(again.status).toBe(409);
    expect(again.body.error.message).toMatch(/deleted/);
    expect((await admin.request('PATCH', `/admin/tenants/${doomed.tenantId}`, { name: 'x' })).status).toBe(409);

    const read = server.app.db.read;
    const left = async (tenantId: string, roomId: string) => ({
      rooms: await read.room.count({ where: { tenantId } }),
      members: await read.roomMember.count({ where: { tenantId } }),
      messages: await read.message.count({ where: { roomId } }),
      notifications: await read.notification.count({ where: { tenantId } }),
      deliveries: await read.notificationDelivery.count({ where: { tenantId } }),
      keys: await read.apiKey.count({ where: { tenantId } }),
    });
    expect(await left(doomed.tenantId, doomedRoom)).toEqual({
      rooms: 0,
      members: 0,
      messages: 0,
      notifications: 0,
      deliveries: 0,
      keys: 0,
    });
    expect(await left(kept.tenantId, keptRoom)).toEqual({
      rooms: 1,
      members: 2,
      messages: 1,
      notifications: 1,
      deliveries: 1,
      keys: 1,
    });
    expect((await kept.as('b').get(`/rooms/${keptRoom}/messages`)).body).toHaveLength(1);
    expect((await kept.as('a').get('/rooms')).body).toHaveLength(1);
  });
});

describe('tenant administration over GraphQL, and the audit trail', () => {
  const server = useServer();

  it('offers the same operations as REST, each logged as an audit line without secrets', async () => {
    const admin = adminClient(server);
    const tenant = await seed(server).tenant('Gql');
    const updated = await admin.graphql(UpdateTenant, { id: tenant.tenantId, input: { name: 'Gql2', rateLimit: 7 } });
    expect(updated.body.data!.updateTenant).toEqual({ name: 'Gql2', rateLimit: 7, disabled: false });
    const rotated = await admin.graphql(Rotate, { tenantId: tenant.tenantId, grace: 60 });
    const newKey = rotated.body.data!.rotateTenantKey.apiKey;
    const view = (await admin.graphql(AdminView, { id: tenant.tenantId })).body.data!;
    expect(view.tenant).toMatchObject({ name: 'Gql2', rateLimit: 7, effectiveRateLimit: 7, keyCount: 2 });
    expect(view.tenantKeys).toHaveLength(2);
    expect(view.tenantUsage).toHaveLength(30);
    const refused = await tenant.as('x').graphql(Rotate, { tenantId: tenant.tenantId });
    expect(refused.body.errors![0]!.extensions.code).toBe('AUTHENTICATION_ERROR');
    expect((await admin.graphql(DeleteTenant, { id: tenant.tenantId })).body.data).toEqual({ deleteTenant: true });
    expect((await admin.graphql(AdminView, { id: tenant.tenantId })).body.errors![0]!.extensions.code).toBe(
      'NOT_FOUND',
    );

    const audit = server.logs.filter((l) => l.audit === true && l.tenant_id === tenant.tenantId);
    expect(audit.map((l) => l.what)).toEqual(['tenant.create', 'tenant.update', 'tenant.rotate_key', 'tenant.delete']);
    for (const line of audit) expect(line.who).toBe('master');
    const logText = JSON.stringify(server.logs);
    for (const secret of [tenant.apiKey, newKey, server.masterKey]) expect(logText.includes(secret)).toBe(false);
  });
});
