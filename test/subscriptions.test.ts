import { describe, expect, it } from 'vitest';
import { graphql } from './gql/index.js';
import { createRoom } from './helpers/client.js';
import { Subscription, graphqlWsClient, sleep } from './helpers/ws.js';
import { useTenant, seed } from './helpers/kit.js';

const MessageAdded = graphql(`
  subscription MessageAdded($roomId: ID!, $afterSeq: Int) {
    messageAdded(roomId: $roomId, afterSeq: $afterSeq) {
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

const WithDefault = graphql(`
  subscription WithDefault($roomId: ID!, $show: Boolean = true) {
    messageAdded(roomId: $roomId) {
      seq
      content @include(if: $show)
    }
  }
`);

const SeqOnly = graphql(`
  subscription SeqOnly($roomId: ID!, $withContent: Boolean!) {
    messageAdded(roomId: $roomId) {
      seq
      content @include(if: $withContent)
    }
  }
`);

describe('messageAdded over graphql-ws', () => {
  const { server, tenant } = useTenant();

  const send = (room: string, user: string, content: string) =>
    tenant.as(user).post(`/rooms/${room}/messages`, { content });

  it('delivers live messages, built from the stored message', async () => {
    const room = await createRoom(tenant.as('alice'), 'group', ['bob']);
    const client = tenant.as('bob').ws();
    const sub = new Subscription(client, MessageAdded, { roomId: room });
    await sleep(200);
    const sent = await tenant
      .as('alice')
      .post(`/rooms/${room}/messages`, { content: 'hello', meta: { a: 1 }, client_message_id: 'c1' });
    await send(room, 'alice', 'second');
    await sub.count(2);
    expect(sub.values.map((v) => v.messageAdded.seq)).toEqual([1, 2]);
    expect(sub.values[0]!.messageAdded).toEqual({
      id: sent.body.message_id,
      roomId: room,
      senderId: 'alice',
      seq: 1,
      content: 'hello',
      meta: { a: 1 },
      clientMessageId: 'c1',
      createdAt: sent.body.created_at,
    });
    await client.dispose();
  });

  it('gives subscribers with different selections or variables on one room their own results', async () => {
    const room = await createRoom(tenant.as('alice'), 'group', ['bob', 'carol']);
    const bob = tenant.as('bob').ws();
    const carol = tenant.as('carol').ws();
    const full = new Subscription(bob, MessageAdded, { roomId: room });
    const sameAsFull = new Subscription(carol, MessageAdded, { roomId: room });
    const seqOnly = new Subscription(carol, SeqOnly, { roomId: room, withContent: false });
    const withContent = new Subscription(bob, SeqOnly, { roomId: room, withContent: true });
    await sleep(200);
    await tenant.as('alice').post(`/rooms/${room}/messages`, { content: 'shared', meta: { m: 1 } });
    for (const sub of [full, sameAsFull, seqOnly, withContent]) await sub.count(1);
    expect(full.values[0]).toEqual(sameAsFull.values[0]);
    expect(full.values[0]!.messageAdded).toMatchObject({
      seq: 1,
      content: 'shared',
      meta: { m: 1 },
      senderId: 'alice',
    });
    expect(seqOnly.values[0]).toEqual({ messageAdded: { seq: 1 } });
    expect(withContent.values[0]).toEqual({ messageAdded: { seq: 1, content: 'shared' } });
    await bob.dispose();
    await carol.dispose();
  });

  it('does not share a payload between an omitted variable and an explicit null', async () => {
    const room = await createRoom(tenant.as('alice'), 'group', ['bob']);
    const bob = tenant.as('bob').ws();
    const explicitNull = new Subscription(bob, WithDefault, { roomId: room, show: null });
    const omitted = new Subscription(bob, WithDefault, { roomId: room });
    await sleep(200);
    await tenant.as('alice').post(`/rooms/${room}/messages`, { content: 'defaults' });
    await omitted.count(1);
    await explicitNull.until((s) => s.errors.length > 0 || s.values.length > 0);
    expect(omitted.values[0]).toEqual({ messageAdded: { seq: 1, content: 'defaults' } });
    expect(explicitNull.errors.length).toBeGreaterThan(0);
    await bob.dispose();
  });

  it('replays stored messages after afterSeq, then continues live', async () => {
    const room = await createRoom(tenant.as('alice'), 'group', ['bob']);
    for (let i = 1; i <= 5; i += 1) await send(room, 'alice', `m${i}`);
    const client = tenant.as('bob').ws();
    const sub = new Subscription(client, MessageAdded, { roomId: room, afterSeq: 2 });
    await sub.count(3);
    await send(room, 'alice', 'm6');
    await sub.count(4);
    expect(sub.values.map((v) => v.messageAdded.content)).toEqual(['m3', 'm4', 'm5', 'm6']);
    await client.dispose();
  });

  it('loses nothing across disconnects under concurrent senders: every message exactly once, in order', async () => {
    const room = await createRoom(tenant.as('s0'), 'group', ['s1', 's2', 'reader']);
    const total = 3 * 200;
    const senders = [0, 1, 2].map(async (s) => {
      for (let i = 0; i < 200; i += 1) {
        const res = await send(room, `s${s}`, `s${s}-${i}`);
        if (res.status !== 201) throw new Error(`send failed: ${res.status}`);
      }
    });
    const received = new Map<number, string>();
    let lastSeq = 0;
    let sessions = 0;
    const sendersDone = Promise.all(senders);
    let allSent = false;
    void sendersDone.then(() => (allSent = true));
    while (received.size < total) {
      sessions += 1;
      const client = tenant.as('reader').ws();
      const sub = new Subscription(client, MessageAdded, { roomId: room, afterSeq: lastSeq });
      // Stay for a random while (or until everything arrived once all senders finished).
      const stay = allSent ? 10_000 : 20 + Math.floor(Math.random() * 150);
      await sub.until((s) => received.size + s.values.length >= total, stay).catch(() => {});
      await client.dispose();
      let previous = lastSeq;
      for (const { messageAdded: m } of sub.values) {
        // Within one connection seqs arrive strictly increasing, starting right after the cursor.
        expect(m.seq).toBe(previous + 1);
        previous = m.seq;
        received.set(m.seq, m.content);
      }
      expect(sub.errors).toEqual([]);
      lastSeq = previous;
      if (sessions > 500) throw new Error('too many sessions');
    }
    await sendersDone;
    expect(sessions).toBeGreaterThan(2);
    expect([...received.keys()].sort((a, b) => a - b)).toEqual(Array.from({ length: total }, (_, i) => i + 1));
    const contents = new Set(received.values());
    expect(contents.size).toBe(total);
    for (let s = 0; s < 3; s += 1) for (let i = 0; i < 200; i += 1) expect(contents.has(`s${s}-${i}`)).toBe(true);
  }, 120_000);

  it('refuses a subscription to a room the user may not read, without disturbing the others on the socket', async () => {
    const mine = await createRoom(tenant.as('bob'), 'group', []);
    const theirs = await createRoom(tenant.as('alice'), 'group', []);
    const other = await seed(server).tenant('Other');
    const foreign = await createRoom(other.as('bob'), 'group', []);
    const client = tenant.as('bob').ws();
    const good = new Subscription(client, MessageAdded, { roomId: mine });
    const notMember = new Subscription(client, MessageAdded, { roomId: theirs });
    const otherTenant = new Subscription(client, MessageAdded, { roomId: foreign });
    await notMember.until((s) => s.done);
    await otherTenant.until((s) => s.done);
    for (const refused of [notMember, otherTenant]) {
      expect((refused.errors[0] as any).extensions.code).toBe('NOT_FOUND');
      expect(refused.values).toEqual([]);
    }
    await send(mine, 'bob', 'still here');
    await good.count(1);
    expect(good.values[0]!.messageAdded.content).toBe('still here');
    await client.dispose();
  });

  it.each([
    ['connection params', { apiKey: 'KEY', userId: 'bob' }, {}, ''],
    ['upgrade headers', undefined, { 'X-API-Key': 'KEY', 'X-User-Id': 'bob' }, ''],
    ['the query string', undefined, {}, '?api_key=KEY&user_id=bob'],
  ])('authenticates with %s', async (_label, params, headers, query) => {
    const room = await createRoom(tenant.as('bob'), 'group', []);
    const fill = (v: any) => JSON.parse(JSON.stringify(v ?? null).replace('KEY', tenant.apiKey)) ?? undefined;
    const client = graphqlWsClient(server, fill(params), {
      headers: fill(headers),
      url: server.url.replace(/^http/, 'ws') + '/graphql' + query.replace('KEY', encodeURIComponent(tenant.apiKey)),
    });
    const sub = new Subscription(client, MessageAdded, { roomId: room });
    await sleep(150);
    await send(room, 'bob', 'auth ok');
    await sub.count(1);
    await client.dispose();
  });

  it.each([
    ['a wrong key', { apiKey: 'sk_wrong', userId: 'bob' }, 4401],
    ['no key', { userId: 'bob' }, 4401],
    ['no user id', { apiKey: 'VALID' }, 4401],
    ['the master key', { apiKey: 'MASTER', userId: 'bob' }, 4401],
  ])('closes the socket with %s', async (_label, params, code) => {
    const filled = JSON.parse(
      JSON.stringify(params).replace('VALID', tenant.apiKey).replace('MASTER', server.masterKey),
    );
    const client = graphqlWsClient(server, filled);
    const closed = await client.closed;
    expect(closed.code).toBe(code);
    await client.dispose();
  });
});
