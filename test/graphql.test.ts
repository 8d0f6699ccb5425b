import { describe, expect, it } from 'vitest';
import { graphql } from './gql/index.js';
import { Client, adminClient } from './helpers/client.js';
import { useTenant } from './helpers/kit.js';

const CreateTenant = graphql(`
  mutation CreateTenant($name: String!) {
    createTenant(name: $name) {
      apiKey
      tenant {
        id
        name
        createdAt
        disabled
        rateLimit
      }
    }
  }
`);

const Tenants = graphql(`
  query Tenants {
    tenants {
      id
      name
    }
  }
`);

const CreateRoom = graphql(`
  mutation CreateRoom($input: CreateRoomInput!) {
    createRoom(input: $input) {
      id
      type
      uniqueKey
      name
      lastSeq
      createdAt
      members {
        userId
        role
        joinedAt
        deliveredSeq
      }
    }
  }
`);

const SendMessage = graphql(`
  mutation SendMessage($roomId: ID!, $content: String!, $meta: JSON, $clientMessageId: String) {
    sendMessage(roomId: $roomId, content: $content, meta: $meta, clientMessageId: $clientMessageId) {
      id
      roomId
      senderId
      seq
      content
      meta
      clientMessageId
      createdAt
    }
  }
`);

const Messages = graphql(`
  query Messages($roomId: ID!, $afterSeq: Int, $beforeSeq: Int, $limit: Int) {
    messages(roomId: $roomId, afterSeq: $afterSeq, beforeSeq: $beforeSeq, limit: $limit) {
      seq
      content
    }
  }
`);

const Ack = graphql(`
  mutation Ack($roomId: ID!, $seq: Int!) {
    ack(roomId: $roomId, seq: $seq)
  }
`);

const MarkRead = graphql(`
  mutation MarkRead($roomId: ID!, $seq: Int!) {
    markRead(roomId: $roomId, seq: $seq)
  }
`);

const Cursors = graphql(`
  query Cursors($id: ID!) {
    room(id: $id) {
      members {
        userId
        deliveredSeq
        readSeq
      }
    }
  }
`);

const Overview = graphql(`
  query Overview($id: ID!) {
    health {
      status
      uptime
      dbWritable
    }
    viewer {
      tenantId
      userId
    }
    room(id: $id) {
      id
      lastSeq
      members {
        userId
        deliveredSeq
      }
    }
    rooms {
      id
    }
  }
`);

describe('GraphQL API', () => {
  const { server, tenant } = useTenant();

  it('creates tenants with the master key only', async () => {
    const created = await adminClient(server).graphql(CreateTenant, { name: 'ViaGraphQL' });
    expect(created.status).toBe(200);
    const payload = created.body.data!.createTenant;
    expect(payload.apiKey).toMatch(/^sk_[A-Za-z0-9_-]{32,}$/);
    expect(payload.tenant).toMatchObject({ name: 'ViaGraphQL', disabled: false, rateLimit: null });
    const viaKey = await new Client(server.url, { 'x-api-key': payload.apiKey, 'x-user-id': 'u' }).graphql(Overview, {
      id: 'x',
    });
    expect(viaKey.body.data?.viewer).toEqual({ tenantId: payload.tenant.id, userId: 'u' });

    const list = await adminClient(server).graphql(Tenants);
    expect(list.body.data!.tenants.map((t) => t.name)).toContain('ViaGraphQL');

    for (const client of [new Client(server.url), tenant.as('alice')]) {
      const res = await client.graphql(Tenants);
      expect(res.status).toBe(401);
      expect(res.body.errors![0]!.extensions.code).toBe('AUTHENTICATION_ERROR');
    }
    const wrong = await new Client(server.url, { 'x-master-key': 'wrong-master-key' }).graphql(CreateTenant, {
      name: 'X',
    });
    expect(wrong.status).toBe(401);
    expect(wrong.body.errors![0]).toMatchObject({
      message: 'Unauthorized',
      extensions: { code: 'AUTHENTICATION_ERROR' },
    });
    const empty = await adminClient(server).graphql(CreateTenant, { name: '  ' });
    expect(empty.body.errors![0]!.extensions).toMatchObject({ code: 'VALIDATION_ERROR', field: 'name' });
  });

  it('runs a conversation: room, messages, paging, acks', async () => {
    const alice = tenant.as('alice');
    const room = (await alice.graphql(CreateRoom, { input: { type: 'GROUP', members: ['bob'], name: 'G' } })).body.data!
      .createRoom;
    expect(room).toMatchObject({ type: 'GROUP', uniqueKey: null, name: 'G', lastSeq: 0 });
    expect(room.members.map((m) => [m.userId, m.role, m.deliveredSeq])).toEqual([
      ['alice', 'admin', 0],
      ['bob', 'member', 0],
    ]);

    const first = await alice.graphql(SendMessage, {
      roomId: room.id,
      content: 'hi',
      meta: { x: [1] },
      clientMessageId: 'c-1',
    });
    expect(first.body.data!.sendMessage).toMatchObject({
      roomId: room.id,
      senderId: 'alice',
      seq: 1,
      content: 'hi',
      meta: { x: [1] },
      clientMessageId: 'c-1',
    });
    const retry = await alice.graphql(SendMessage, { roomId: room.id, content: 'hi', clientMessageId: 'c-1' });
    expect(retry.body.data!.sendMessage.id).toBe(first.body.data!.sendMessage.id);
    for (let i = 2; i <= 10; i += 1) await alice.graphql(SendMessage, { roomId: room.id, content: `m${i}` });

    const page = async (v: { afterSeq?: number; beforeSeq?: number; limit?: number }) =>
      (await alice.graphql(Messages, { roomId: room.id, ...v })).body.data!.messages.map((m) => m.seq);
    expect(await page({})).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(await page({ limit: 3 })).toEqual([8, 9, 10]);
    expect(await page({ afterSeq: 7 })).toEqual([8, 9, 10]);
    expect(await page({ beforeSeq: 4 })).toEqual([1, 2, 3]);
    expect(await page({ beforeSeq: 8, limit: 2 })).toEqual([6, 7]);
    expect(await page({ afterSeq: 2, beforeSeq: 6 })).toEqual([3, 4, 5]);

    const bob = tenant.as('bob');
    expect((await bob.graphql(Ack, { roomId: room.id, seq: 9 })).body.data).toEqual({ ack: true });
    const overview = (await bob.graphql(Overview, { id: room.id })).body.data!;
    expect(overview.health).toMatchObject({ status: 'ok', dbWritable: true });
    expect(overview.viewer).toEqual({ tenantId: tenant.tenantId, userId: 'bob' });
    expect(overview.room).toMatchObject({ id: room.id, lastSeq: 10 });
    expect(overview.room!.members.find((m) => m.userId === 'bob')!.deliveredSeq).toBe(9);
    expect(overview.rooms.map((r) => r.id)).toContain(room.id);

    const beyond = await bob.graphql(Ack, { roomId: room.id, seq: 11 });
    expect(beyond.body.errors![0]!.extensions).toMatchObject({ code: 'VALIDATION_ERROR', field: 'seq' });

    // The read cursor moves on its own, forward only.
    expect((await bob.graphql(MarkRead, { roomId: room.id, seq: 5 })).body.data).toEqual({ markRead: true });
    await bob.graphql(MarkRead, { roomId: room.id, seq: 3 });
    expect((await bob.graphql(MarkRead, { roomId: room.id, seq: 12 })).body.errors![0]!.extensions.code).toBe(
      'VALIDATION_ERROR',
    );
    const cursors = (await bob.graphql(Cursors, { id: room.id })).body.data!.room!.members.find(
      (m) => m.userId === 'bob',
    );
    expect(cursors).toEqual({ userId: 'bob', deliveredSeq: 9, readSeq: 5 });
  });

  it('refuses a second dm with CONFLICT and the existing room id', async () => {
    const first = await tenant.as('x').graphql(CreateRoom, { input: { type: 'DM', members: ['x', 'q'] } });
    expect(first.body.data!.createRoom.uniqueKey).toBeTruthy();
    const again = await tenant.as('q').graphql(CreateRoom, { input: { type: 'DM', members: ['q', 'x'] } });
    expect(again.body.errors![0]!.extensions).toEqual({ code: 'CONFLICT', room_id: first.body.data!.createRoom.id });
  });

  it('returns null for a room the user is not in, and NOT_FOUND for its messages', async () => {
    const room = (await tenant.as('alice').graphql(CreateRoom, { input: { type: 'GROUP', members: [] } })).body.data!
      .createRoom;
    const res = await tenant.as('eve').graphql(Overview, { id: room.id });
    expect(res.body.data!.room).toBeNull();
    const msgs = await tenant.as('eve').graphql(Messages, { roomId: room.id });
    expect(msgs.body.errors![0]!.extensions.code).toBe('NOT_FOUND');
    expect(msgs.body.data).toBeNull();
  });

  it('gives request errors a code from the registry and writes nothing', async () => {
    const room = (await tenant.as('alice').graphql(CreateRoom, { input: { type: 'GROUP', members: [] } })).body.data!
      .createRoom;
    const cases: Array<[string, unknown, string]> = [
      ['{ health { status ', undefined, 'VALIDATION_ERROR'],
      ['{ nope }', undefined, 'VALIDATION_ERROR'],
      ['mutation($r: ID!) { sendMessage(roomId: $r, content: 5) { id } }', { r: room.id }, 'VALIDATION_ERROR'],
      [
        'mutation($r: ID!, $c: String!) { sendMessage(roomId: $r, content: $c) { id } }',
        { r: room.id, c: 7 },
        'VALIDATION_ERROR',
      ],
      ['mutation($r: ID!) { sendMessage(roomId: $r, content: "") { id } }', { r: room.id }, 'VALIDATION_ERROR'],
      [
        'mutation($r: ID!) { sendMessage(roomId: $r, content: "x", meta: [1]) { id } }',
        { r: room.id },
        'VALIDATION_ERROR',
      ],
      ['mutation($r: ID!) { ack(roomId: $r, seq: -1) }', { r: room.id }, 'VALIDATION_ERROR'],
      ['mutation { createRoom(input: { type: DM, members: ["a"] }) { id } }', undefined, 'VALIDATION_ERROR'],
      ['mutation { createRoom(input: { type: FORUM, members: [] }) { id } }', undefined, 'VALIDATION_ERROR'],
    ];
    for (const [query, variables, code] of cases) {
      const res = await tenant.as('alice').request('POST', '/graphql', { query, variables });
      expect(res.status, query).toBeLessThan(500);
      expect(res.body.errors?.[0]?.extensions?.code, query).toBe(code);
    }
    const stored = await tenant.as('alice').graphql(Messages, { roomId: room.id });
    expect(stored.body.data!.messages).toEqual([]);
    const invalidJson = await tenant
      .as('alice')
      .request('POST', '/graphql', '{"query": ', { 'content-type': 'application/json' });
    expect(invalidJson.status).toBe(400);
    expect(invalidJson.body.errors[0].extensions.code).toBe('VALIDATION_ERROR');
  });

  it('refuses malformed GraphQL requests with 400 and a registry code', async () => {
    const alice = tenant.as('alice');
    const cases: Array<[unknown, string]> = [
      [[{ query: '{ health { status } }' }], 'a batch (array) body'],
      [{ variables: {} }, 'no query'],
      [{ query: '' }, 'an empty query'],
      [{ query: '{ health { status } }', variables: [1] }, 'variables not an object'],
      [{ query: '{ health { status } }', operationName: 5 }, 'operationName not a string'],
      [{ query: 'subscription { messageAdded(roomId: "r") { seq } }' }, 'a subscription over plain POST'],
    ];
    for (const [body, label] of cases) {
      const res = await alice.request('POST', '/graphql', body);
      expect(res.status, label).toBe(400);
      expect(res.body.errors[0].extensions.code, label).toBe('VALIDATION_ERROR');
      expect(res.body.errors[0].extensions.http, label).toBeUndefined();
    }
    // Subscriptions over SSE are refused too: only WebSocket subscriptions are re-checked when a key is revoked.
    const sse = await fetch(`${server.url}/graphql`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'text/event-stream',
        'x-api-key': tenant.apiKey,
        'x-user-id': 'alice',
      },
      body: JSON.stringify({ query: 'subscription { messageAdded(roomId: "room_x") { seq } }' }),
    });
    const text = await sse.text();
    expect(text).toContain('VALIDATION_ERROR');
    expect(text).toContain('WebSocket');
    // Other shapes of GraphQL over HTTP still work (Yoga handles them): GET with a query string.
    const get = await fetch(`${server.url}/graphql?query=${encodeURIComponent('{ health { status } }')}`, {
      headers: { accept: 'application/json' },
    });
    expect(get.status).toBe(200);
    expect(await get.json()).toEqual({ data: { health: { status: 'ok' } } });
  });

  it('answers a bad tenant key with 401 and "Invalid API key"', async () => {
    const res = await new Client(server.url, { 'x-api-key': 'sk_nope', 'x-user-id': 'a' }).graphql(Overview, {
      id: 'x',
    });
    expect(res.status).toBe(401);
    expect(res.body.errors![0]).toMatchObject({
      message: 'Invalid API key',
      extensions: { code: 'AUTHENTICATION_ERROR' },
    });
  });

  it('serves GraphiQL to a browser', async () => {
    const res = await fetch(`${server.url}/graphql`, { headers: { accept: 'text/html' } });
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('GraphiQL');
  });
});
