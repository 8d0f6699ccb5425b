import { parse } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRoom, seedTenant, type SeededTenant } from './helpers/client.js';
import { startServer, type TestServer } from './helpers/server.js';
import { LegacyClient, Subscription, graphqlWsClient, sleep } from './helpers/ws.js';

const nested = (depth: number) => '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);

const MessagesQuery = `query Messages($roomId: ID!) { messages(roomId: $roomId) { seq content meta } }`;
const MessageAdded = parse(
  `subscription Resume($roomId: ID!, $afterSeq: Int) { messageAdded(roomId: $roomId, afterSeq: $afterSeq) { seq content meta } }`,
);

describe('a stored row whose meta the database cannot read back', () => {
  let server: TestServer;
  let tenant: SeededTenant;
  let room: string;
  beforeAll(async () => {
    server = await startServer();
    tenant = await seedTenant(server);
    room = await createRoom(tenant.as('pia'), 'group', ['pim']);
    for (const content of ['before', 'deep', 'broken', 'after']) {
      const sent = await tenant.as('pia').post(`/rooms/${room}/messages`, { content, meta: { ok: true } });
      expect(sent.status).toBe(201);
    }
    // Poison two rows behind the service's back: 1,001 levels (SQLite's json() refuses over 1,000) and text that is not JSON.
    await server.app.db.transaction(async (tx) => {
      await tx.$executeRaw`UPDATE "Message" SET "meta" = ${nested(1001)} WHERE "roomId" = ${room} AND "content" = 'deep'`;
      await tx.$executeRaw`UPDATE "Message" SET "meta" = ${'{not json'} WHERE "roomId" = ${room} AND "content" = 'broken'`;
    });
  });
  afterAll(() => server.stop());

  it('still serves REST history, the unreadable meta replaced by a marker', async () => {
    const res = await tenant.as('pim').get(`/rooms/${room}/messages`);
    expect(res.status).toBe(200);
    expect(res.body.map((m: any) => [m.content, m.meta])).toEqual([
      ['before', { ok: true }],
      ['deep', expect.anything()],
      ['broken', { _unreadable: true }],
      ['after', { ok: true }],
    ]);
  });

  it('still serves GraphQL messages', async () => {
    const res = await tenant
      .as('pim')
      .request('POST', '/graphql', { query: MessagesQuery, variables: { roomId: room } });
    expect(res.status).toBe(200);
    expect(res.body.errors).toBeUndefined();
    expect(res.body.data.messages.map((m: any) => m.content)).toEqual(['before', 'deep', 'broken', 'after']);
    expect(res.body.data.messages[2].meta).toEqual({ _unreadable: true });
  });

  it('still resumes a graphql-ws subscription from before the bad rows', async () => {
    const client = graphqlWsClient(server, { apiKey: tenant.apiKey, userId: 'pim' });
    const sub = new Subscription<any>(client, MessageAdded, { roomId: room, afterSeq: 0 });
    await sub.count(4);
    expect(sub.errors).toEqual([]);
    expect(sub.values.map((v) => v.messageAdded.content)).toEqual(['before', 'deep', 'broken', 'after']);
    expect(sub.values[2].messageAdded.meta).toEqual({ _unreadable: true });
    await client.dispose();
  });

  it('still lets members connect to /ws and replays the missed messages', async () => {
    const pim = await LegacyClient.connect(server, tenant.apiKey, 'pim');
    await pim.until((frames) => frames.filter((f) => f.type === 'message').length >= 4);
    const messages = pim.of('message').filter((m) => m.room_id === room);
    expect(messages.map((m) => m.content)).toEqual(['before', 'deep', 'broken', 'after']);
    expect(messages[2].meta).toEqual({ _unreadable: true });
    await sleep(100);
    expect(pim.socket.readyState).toBe(pim.socket.OPEN);
    pim.close();
  });
});
