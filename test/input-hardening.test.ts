import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRoom, seedTenant, type SeededTenant } from './helpers/client.js';
import { startServer, type TestServer } from './helpers/server.js';

const nested = (depth: number): unknown => JSON.parse('{"a":'.repeat(depth) + '1' + '}'.repeat(depth));

const SendMessage = `mutation Send($roomId: ID!, $content: String!, $meta: JSON) {
  sendMessage(roomId: $roomId, content: $content, meta: $meta) { seq meta }
}`;
const MessagesQuery = `query Messages($roomId: ID!) { messages(roomId: $roomId) { seq meta } }`;

describe('input hardening: meta and payload bounds, __proto__, NUL in ids', () => {
  let server: TestServer;
  let tenant: SeededTenant;
  let room: string;
  beforeAll(async () => {
    server = await startServer();
    tenant = await seedTenant(server);
    room = await createRoom(tenant.as('ina'), 'group', ['ivo']);
  });
  afterAll(() => server.stop());

  const expectValidationError = (res: { status: number; body: any }, field: string) => {
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code: 'VALIDATION_ERROR', field });
  };

  it('refuses meta nested deeper than 32 levels, naming the field, and stores nothing', async () => {
    expect((await tenant.as('ina').post(`/rooms/${room}/messages`, { content: 'ok', meta: nested(31) })).status).toBe(
      201,
    );
    for (const depth of [33, 1001]) {
      const res = await tenant.as('ina').post(`/rooms/${room}/messages`, { content: 'deep', meta: nested(depth) });
      expectValidationError(res, 'meta');
      expect(res.body.error.message).toMatch(/meta must be nested at most 32 levels/);
    }
    const history = await tenant.as('ina').get(`/rooms/${room}/messages`);
    expect(history.body.map((m: any) => m.content)).toEqual(['ok']);
  });

  it('refuses deep meta over GraphQL with a coded error', async () => {
    const res = await tenant.as('ina').request('POST', '/graphql', {
      query: SendMessage,
      variables: { roomId: room, content: 'deep', meta: nested(40) },
    });
    expect(res.body.errors?.[0]?.extensions?.code).toBe('VALIDATION_ERROR');
  });

  it('refuses a notification payload nested deeper than 32 levels', async () => {
    const res = await tenant
      .as('ina')
      .post('/notify', { topic: 'deep', payload: nested(1001), targets: { user_ids: ['ivo'] } });
    expectValidationError(res, 'payload');
  });

  it('stores a __proto__ key in meta faithfully, over REST and GraphQL', async () => {
    const own = room;
    const body = '{"content":"proto","meta":{"__proto__":{"polluted":true},"k":1}}';
    const sent = await tenant
      .as('ina')
      .request('POST', `/rooms/${own}/messages`, body, { 'content-type': 'application/json' });
    expect(sent.status).toBe(201);
    const history = await tenant.as('ina').get(`/rooms/${own}/messages?after_seq=${sent.body.seq - 1}`);
    expect(history.body[0].meta).toEqual(JSON.parse('{"__proto__":{"polluted":true},"k":1}'));
    expect(Object.keys(history.body[0].meta)).toEqual(['__proto__', 'k']);

    const gqlBody = `{"query":${JSON.stringify(SendMessage)},"variables":{"roomId":${JSON.stringify(own)},"content":"gql","meta":{"__proto__":{"x":2}}}}`;
    const viaGraphql = await tenant
      .as('ina')
      .request('POST', '/graphql', gqlBody, { 'content-type': 'application/json' });
    expect(viaGraphql.body.errors).toBeUndefined();
    expect(Object.keys(viaGraphql.body.data.sendMessage.meta)).toEqual(['__proto__']);
    const read = await tenant
      .as('ina')
      .request('POST', '/graphql', { query: MessagesQuery, variables: { roomId: own } });
    const last = read.body.data.messages.at(-1);
    expect(last.seq).toBe(viaGraphql.body.data.sendMessage.seq);
    expect(Object.keys(last.meta)).toEqual(['__proto__']);
    expect(last.meta.__proto__).toEqual({ x: 2 });
    expect(({} as any).polluted).toBeUndefined();
  });

  it('answers 400 VALIDATION_ERROR, never 500, for a NUL character in any id', async () => {
    const nul = encodeURIComponent('r\u0000x');
    expectValidationError(await tenant.as('ina').post(`/rooms/${nul}/messages`, { content: 'x' }), 'room_id');
    expectValidationError(await tenant.as('ina').get(`/rooms/${nul}/messages`), 'room_id');
    expectValidationError(await tenant.as('ina').get(`/rooms/${nul}`), 'room_id');
    expectValidationError(await tenant.as('ina').post('/acks', { room_id: 'r\u0000x', seq: 1 }), 'room_id');
    expectValidationError(
      await tenant.as('ina').post(`/rooms/${room}/messages`, { content: 'x', client_message_id: 'c\u0000' }),
      'client_message_id',
    );
    expectValidationError(await tenant.as('ina').post(`/notifications/${nul}/ack`, {}), 'notification_id');
    expectValidationError(
      await tenant.as('ina').post('/notify', { topic: 't', payload: 1, targets: { room_id: 'r\u0000x' } }),
      'targets',
    );
    expectValidationError(await tenant.as('ina').post('/rooms', { type: 'group', members: ['m\u0000'] }), 'members');
    const gql = await tenant
      .as('ina')
      .request('POST', '/graphql', { query: MessagesQuery, variables: { roomId: 'r\u0000x' } });
    expect(gql.body.errors?.[0]?.extensions?.code).toBe('VALIDATION_ERROR');
  });
});
