import { describe, expect, it } from 'vitest';
import { graphql } from './gql/index.js';
import { createRoom } from './helpers/client.js';
import { useServer, seed } from './helpers/kit.js';

const RoomQuery = graphql(`
  query IsolationRoom($id: ID!) {
    room(id: $id) {
      id
    }
    rooms {
      id
    }
  }
`);

const Messages = graphql(`
  query IsolationMessages($roomId: ID!) {
    messages(roomId: $roomId) {
      seq
    }
  }
`);

const Send = graphql(`
  mutation IsolationSend($roomId: ID!) {
    sendMessage(roomId: $roomId, content: "intruder") {
      seq
    }
  }
`);

const Ack = graphql(`
  mutation IsolationAck($roomId: ID!) {
    ack(roomId: $roomId, seq: 1)
  }
`);

describe('tenant isolation', () => {
  const server = useServer();

  it("never shows one tenant's room to another tenant, even to a user with the same id", async () => {
    const acme = await seed(server).tenant('Acme');
    const globex = await seed(server).tenant('Globex');
    const room = await createRoom(acme.as('alice'), 'group', ['bob']);
    await acme.as('alice').post(`/rooms/${room}/messages`, { content: 'secret' });

    // Same user id, other tenant's key.
    const intruder = globex.as('alice');
    for (const path of [`/rooms/${room}`, `/rooms/${room}/members`, `/rooms/${room}/messages`]) {
      const res = await intruder.get(path);
      expect(res.status, path).toBe(404);
      expect(res.body.error.code).toBe('NOT_FOUND');
    }
    expect((await intruder.post(`/rooms/${room}/messages`, { content: 'intruder' })).status).toBe(404);
    expect((await intruder.post('/acks', { room_id: room, seq: 1 })).status).toBe(404);
    expect((await intruder.get('/rooms')).body).toEqual([]);

    const viaGraphql = await intruder.graphql(RoomQuery, { id: room });
    expect(viaGraphql.body.data).toEqual({ room: null, rooms: [] });
    for (const doc of [Messages, Send, Ack]) {
      const res = await intruder.graphql(doc as typeof Messages, { roomId: room });
      expect(res.body.errors?.[0]?.extensions.code).toBe('NOT_FOUND');
    }

    // Nothing the intruder sent was stored; the owner's view is unchanged.
    const history = await acme.as('bob').get(`/rooms/${room}/messages`);
    expect(history.body.map((m: any) => m.content)).toEqual(['secret']);
    expect((await acme.as('bob').get(`/rooms/${room}`)).body.last_seq).toBe(1);
    const members = await acme.as('bob').get(`/rooms/${room}/members`);
    expect(members.body.map((m: any) => m.user_id).sort()).toEqual(['alice', 'bob']);
  });

  it('keeps dm uniqueness per tenant', async () => {
    const a = await seed(server).tenant('A');
    const b = await seed(server).tenant('B');
    expect((await a.as('x').post('/rooms', { type: 'dm', members: ['p', 'q'] })).status).toBe(201);
    expect((await b.as('x').post('/rooms', { type: 'dm', members: ['p', 'q'] })).status).toBe(201);
  });
});
