import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Client, adminClient, createRoom, seedTenant, type SeededTenant } from './helpers/client.js';
import { startServer, type TestServer } from './helpers/server.js';
import { LegacyClient } from './helpers/ws.js';

/** One GraphQL error or data answer over HTTP, without codegen (these documents exist only here). */
const gql = (client: Client, query: string, variables: Record<string, unknown> = {}) =>
  client.request('POST', '/graphql', { query, variables });

const SendMessage = `mutation Send($roomId: ID!, $content: String!, $clientMessageId: String) {
  sendMessage(roomId: $roomId, content: $content, clientMessageId: $clientMessageId) { id seq }
}`;
const Messages = `query Messages($roomId: ID!, $afterSeq: Int) { messages(roomId: $roomId, afterSeq: $afterSeq) { seq } }`;

describe('authorization and the dialect of errors', () => {
  let server: TestServer;
  let tenant: SeededTenant;
  let room: string;
  beforeAll(async () => {
    server = await startServer();
    tenant = await seedTenant(server, 'Authorization');
    room = await createRoom(tenant.as('alice'), 'group', ['bob']);
  });
  afterAll(() => server.stop());

  it('names a bad field in the caller’s dialect: client_message_id on REST, clientMessageId on GraphQL', async () => {
    const tooLong = 'c'.repeat(200);
    const rest = await tenant.as('alice').post(`/rooms/${room}/messages`, { content: 'x', client_message_id: tooLong });
    expect(rest.status).toBe(400);
    expect(rest.body).toEqual({
      success: false,
      error: {
        code: 'VALIDATION_ERROR',
        message: 'client_message_id must be at most 128 characters',
        field: 'client_message_id',
      },
    });
    const nonString = await tenant.as('alice').post(`/rooms/${room}/messages`, { content: 'x', client_message_id: 42 });
    expect(nonString.body.error).toEqual({
      code: 'VALIDATION_ERROR',
      message: 'client_message_id must be a string',
      field: 'client_message_id',
    });

    const graphql = await gql(tenant.as('alice'), SendMessage, {
      roomId: room,
      content: 'x',
      clientMessageId: tooLong,
    });
    expect(graphql.body.errors).toHaveLength(1);
    expect(graphql.body.errors[0]).toMatchObject({
      message: 'clientMessageId must be at most 128 characters',
      extensions: { code: 'VALIDATION_ERROR', field: 'clientMessageId' },
    });
    // Neither stored anything.
    expect((await tenant.as('alice').get(`/rooms/${room}/messages`)).body).toEqual([]);
  });

  it('names history and admin fields in the caller’s dialect too', async () => {
    const rest = await tenant.as('alice').get(`/rooms/${room}/messages?after_seq=-1`);
    expect(rest.status).toBe(400);
    expect(rest.body.error).toEqual({
      code: 'VALIDATION_ERROR',
      message: 'after_seq must not be negative',
      field: 'after_seq',
    });
    const graphql = await gql(tenant.as('alice'), Messages, { roomId: room, afterSeq: -1 });
    expect(graphql.body.errors[0]).toMatchObject({
      message: 'afterSeq must not be negative',
      extensions: { code: 'VALIDATION_ERROR', field: 'afterSeq' },
    });

    const admin = adminClient(server);
    const patch = await admin.request('PATCH', `/admin/tenants/${tenant.tenantId}`, { rate_limit: 0 });
    expect(patch.status).toBe(400);
    expect(patch.body.error).toMatchObject({
      code: 'VALIDATION_ERROR',
      field: 'rate_limit',
      message: expect.stringMatching(/^rate_limit /),
    });
    const update = await gql(admin, `mutation U($id: ID!) { updateTenant(id: $id, input: { rateLimit: 0 }) { id } }`, {
      id: tenant.tenantId,
    });
    expect(update.body.errors[0]).toMatchObject({
      message: expect.stringMatching(/^rateLimit /),
      extensions: { code: 'VALIDATION_ERROR', field: 'rateLimit' },
    });
  });

  it('names a bad field in snake_case on the /ws adapter, whose frames speak REST’s fields', async () => {
    const alice = await LegacyClient.connect(server, tenant.apiKey, 'alice');
    try {
      alice.send({
        type: 'send_message',
        room_id: room,
        content: 'x',
        client_message_id: 'c'.repeat(200),
        request_id: 'r1',
      });
      expect(await alice.next('error')).toEqual({
        type: 'error',
        code: 'VALIDATION_ERROR',
        message: 'client_message_id must be at most 128 characters',
        field: 'client_message_id',
        request_id: 'r1',
      });
      alice.send({ type: 'subscribe', room_id: 7, request_id: 'r2' });
      expect(await alice.next('error')).toMatchObject({
        code: 'VALIDATION_ERROR',
        message: 'room_id must be a string',
        field: 'room_id',
        request_id: 'r2',
      });
    } finally {
      alice.socket.close();
    }
  });

  it('takes snake_case notify targets on REST and camelCase on GraphQL, naming a bad one in each dialect', async () => {
    const rest = await tenant.as('alice').post('/notify', { topic: 't', payload: 1, targets: { user_ids: [''] } });
    expect(rest.status).toBe(400);
    expect(rest.body.error).toEqual({
      code: 'VALIDATION_ERROR',
      message: 'targets.user_ids[0] must not be empty',
      field: 'targets',
    });
    const empty = await tenant.as('alice').post('/notify', { topic: 't', payload: 1, targets: {} });
    expect(empty.body.error).toEqual({
      code: 'VALIDATION_ERROR',
      message: 'targets must name user_ids, a room_id or topic_subscribers',
      field: 'targets',
    });
    const Notify = `mutation N($input: NotifyInput!) { notify(input: $input) { id } }`;
    const graphql = await gql(tenant.as('alice'), Notify, {
      input: { topic: 't', payload: 1, targets: { userIds: [''] } },
    });
    expect(graphql.body.errors[0]).toMatchObject({
      message: 'targets.userIds[0] must not be empty',
      extensions: { code: 'VALIDATION_ERROR', field: 'targets' },
    });

    // Good targets reach the room's members on both surfaces.
    const sent = await tenant.as('alice').post('/notify', { topic: 't', payload: 1, targets: { room_id: room } });
    expect(sent.status).toBe(202);
    expect(sent.body.recipients).toBe(2);
    const viaGraphql = await gql(tenant.as('alice'), Notify, {
      input: { topic: 't', payload: 1, targets: { roomId: room, userIds: ['zoe'] } },
    });
    expect(viaGraphql.body.errors).toBeUndefined();
    const notFound = await tenant.as('carol').post('/notify', { topic: 't', payload: 1, targets: { room_id: room } });
    expect(notFound.body.error).toEqual({ code: 'NOT_FOUND', message: 'Room not found' });
  });

  it('refuses a non-member the same way on REST and GraphQL, as if the room did not exist', async () => {
    const carol = tenant.as('carol');
    for (const res of [
      await carol.get(`/rooms/${room}/messages`),
      await carol.post(`/rooms/${room}/messages`, { content: 'hi' }),
    ]) {
      expect(res.status).toBe(404);
      expect(res.body).toEqual({ success: false, error: { code: 'NOT_FOUND', message: 'Room not found' } });
    }
    for (const res of [
      await gql(carol, Messages, { roomId: room }),
      await gql(carol, SendMessage, { roomId: room, content: 'hi' }),
    ]) {
      expect(res.body.errors).toHaveLength(1);
      expect(res.body.errors[0]).toMatchObject({ message: 'Room not found', extensions: { code: 'NOT_FOUND' } });
    }
    // A member of another tenant with the same user id is no member either.
    const other = await seedTenant(server, 'Other');
    expect((await other.as('alice').get(`/rooms/${room}/messages`)).status).toBe(404);
    expect((await tenant.as('alice').get(`/rooms/${room}/messages`)).body).toEqual([]);
  });

  it('refuses a tenant key the admin API on both surfaces', async () => {
    const alice = tenant.as('alice');
    const rest = await alice.get('/admin/tenants');
    expect(rest.status).toBe(401);
    expect(rest.body).toEqual({ success: false, error: { code: 'AUTHENTICATION_ERROR', message: 'Unauthorized' } });
    const created = await alice.post('/admin/tenants', { name: 'Sneaky' });
    expect(created.status).toBe(401);
    for (const query of [
      '{ tenants { id } }',
      `{ tenantKeys(tenantId: "${tenant.tenantId}") { id } }`,
      `mutation { createTenant(name: "Sneaky") { apiKey } }`,
    ]) {
      const res = await gql(alice, query);
      expect(res.body.errors[0]).toMatchObject({
        message: 'Unauthorized',
        extensions: { code: 'AUTHENTICATION_ERROR' },
      });
    }
    const names = (await adminClient(server).get('/admin/tenants')).body.map((t: { name: string }) => t.name);
    expect(names).not.toContain('Sneaky');
  });

  it('refuses the master key acting as a user on both surfaces', async () => {
    const admin = adminClient(server);
    for (const res of [
      await admin.post('/rooms', { type: 'group', members: [] }),
      await admin.post(`/rooms/${room}/messages`, { content: 'hi' }),
      await admin.post('/notify', { topic: 't', payload: 1, targets: { user_ids: ['alice'] } }),
    ]) {
      expect(res.status).toBe(401);
      expect(res.body).toEqual({
        success: false,
        error: { code: 'AUTHENTICATION_ERROR', message: 'Missing X-API-Key header' },
      });
    }
    for (const query of [
      '{ viewer { userId } }',
      'mutation { createRoom(input: { type: GROUP, members: [] }) { id } }',
    ]) {
      const res = await gql(admin, query);
      expect(res.body.errors[0]).toMatchObject({
        message: 'Missing X-API-Key header',
        extensions: { code: 'AUTHENTICATION_ERROR' },
      });
    }
    const res = await gql(admin, SendMessage, { roomId: room, content: 'hi' });
    expect(res.body.errors[0]).toMatchObject({ message: 'Missing X-API-Key header' });
    expect((await tenant.as('alice').get(`/rooms/${room}/messages`)).body).toEqual([]);
  });
});
