import { describe, expect, it } from 'vitest';
import { graphql } from './gql/index.js';
import { createRoom } from './helpers/client.js';
import { Subscription, sleep } from './helpers/ws.js';
import { useTenant } from './helpers/kit.js';

const Inbox = graphql(`
  subscription Inbox($after: [RoomCursorInput!]) {
    inbox(after: $after) {
      roomId
      message {
        seq
        content
      }
    }
  }
`);

const RoomEvents = graphql(`
  subscription RoomEvents($roomId: ID!) {
    roomEvents(roomId: $roomId) {
      __typename
      ... on TypingEvent {
        roomId
        userId
        typing
      }
      ... on PresenceEvent {
        userId
        status
      }
      ... on AckEvent {
        roomId
        userId
        seq
      }
    }
  }
`);

const SetTyping = graphql(`
  mutation SetTyping($roomId: ID!, $typing: Boolean!) {
    setTyping(roomId: $roomId, typing: $typing)
  }
`);

const AckMessages = graphql(`
  mutation AckMessages($roomId: ID!, $seq: Int!) {
    ack(roomId: $roomId, seq: $seq)
  }
`);

describe('inbox, typing, presence and acks', () => {
  const { tenant } = useTenant({ TYPING_TIMEOUT: '400ms', PRESENCE_GRACE: '400ms' });

  const send = (room: string, user: string, content: string) =>
    tenant.as(user).post(`/rooms/${room}/messages`, { content });

  it('inbox: every room from its cursor or the delivered seq, then live, including rooms joined later', async () => {
    const a = await createRoom(tenant.as('amy'), 'group', ['ibx']);
    const b = await createRoom(tenant.as('amy'), 'group', ['ibx']);
    for (let i = 1; i <= 4; i += 1) await send(a, 'amy', `a${i}`);
    for (let i = 1; i <= 3; i += 1) await send(b, 'amy', `b${i}`);
    await tenant.as('ibx').post('/acks', { room_id: a, seq: 2 });

    const client = tenant.as('ibx').ws();
    const sub = new Subscription(client, Inbox, { after: [{ roomId: b, afterSeq: 1 }] });
    await sub.count(4);
    const byRoom = (room: string) =>
      sub.values.filter((v) => v.inbox.roomId === room).map((v) => v.inbox.message.content);
    expect(byRoom(a)).toEqual(['a3', 'a4']);
    expect(byRoom(b)).toEqual(['b2', 'b3']);

    const c = await createRoom(tenant.as('amy'), 'dm', ['amy', 'ibx']);
    await send(c, 'amy', 'c1');
    await send(a, 'amy', 'a5');
    await sub.count(6);
    expect(byRoom(c)).toEqual(['c1']);
    expect(byRoom(a)).toEqual(['a3', 'a4', 'a5']);
    await client.dispose();
  });

  it('typing: announced to the room, throttled, and ending by itself', async () => {
    const room = await createRoom(tenant.as('tia'), 'group', ['tom']);
    const watcher = tenant.as('tom').ws();
    const events = new Subscription(watcher, RoomEvents, { roomId: room });
    await sleep(150);
    const tia = tenant.as('tia');
    for (let i = 0; i < 5; i += 1)
      expect((await tia.graphql(SetTyping, { roomId: room, typing: true })).body.data).toEqual({ setTyping: true });
    await events.count(1);
    const started = Date.now();
    await events.count(2, 3_000);
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    const typing = events.values.map((v) => v.roomEvents);
    expect(typing).toEqual([
      { __typename: 'TypingEvent', roomId: room, userId: 'tia', typing: true },
      { __typename: 'TypingEvent', roomId: room, userId: 'tia', typing: false },
    ]);

    await tia.graphql(SetTyping, { roomId: room, typing: true });
    await tia.graphql(SetTyping, { roomId: room, typing: false });
    await events.count(4);
    expect(events.values.slice(2).map((v) => (v.roomEvents as any).typing)).toEqual([true, false]);

    const outsider = await tenant.as('eve').graphql(SetTyping, { roomId: room, typing: true });
    expect(outsider.body.errors![0]!.extensions.code).toBe('NOT_FOUND');
    await watcher.dispose();
  });

  it('acks: the cursor moves and the room hears about it', async () => {
    const room = await createRoom(tenant.as('ann'), 'group', ['abe']);
    await send(room, 'ann', 'x');
    await send(room, 'ann', 'y');
    const watcher = tenant.as('ann').ws();
    const events = new Subscription(watcher, RoomEvents, { roomId: room });
    await sleep(150);
    await tenant.as('abe').graphql(AckMessages, { roomId: room, seq: 2 });
    await tenant.as('abe').post('/acks', { room_id: room, seq: 1 }); // backwards: no event
    await events.count(1);
    await sleep(100);
    expect(events.values.map((v) => v.roomEvents)).toEqual([
      { __typename: 'AckEvent', roomId: room, userId: 'abe', seq: 2 },
    ]);
    await watcher.dispose();
  });

  it('presence: ONLINE on the first connection, OFFLINE after the grace period, shown only to users sharing a room', async () => {
    const shared = await createRoom(tenant.as('pam'), 'group', ['pat']);
    const elsewhere = await createRoom(tenant.as('zed'), 'group', []);
    const pam = tenant.as('pam').ws();
    const seen = new Subscription(pam, RoomEvents, { roomId: shared });
    const zed = tenant.as('zed').ws();
    const notSeen = new Subscription(zed, RoomEvents, { roomId: elsewhere });
    await sleep(600);
    const presence = () => seen.values.map((v) => v.roomEvents).filter((e) => e.__typename === 'PresenceEvent');
    const before = presence().length;

    const first = tenant.as('pat').ws();
    await seen.until(() => presence().length === before + 1);
    expect(presence().at(-1)).toEqual({ __typename: 'PresenceEvent', userId: 'pat', status: 'ONLINE' });

    // A second connection, and a quick reconnect within the grace period, announce nothing.
    const second = tenant.as('pat').ws();
    await sleep(100);
    await first.dispose();
    await second.dispose();
    await sleep(100);
    const third = tenant.as('pat').ws();
    await sleep(700);
    expect(presence().length).toBe(before + 1);

    await third.dispose();
    const closedAt = Date.now();
    await seen.until(() => presence().length === before + 2, 3_000);
    expect(Date.now() - closedAt).toBeGreaterThanOrEqual(350);
    expect(presence().at(-1)).toEqual({ __typename: 'PresenceEvent', userId: 'pat', status: 'OFFLINE' });
    expect(notSeen.values.filter((v) => (v.roomEvents as any).userId === 'pat')).toEqual([]);
    await pam.dispose();
    await zed.dispose();
  });
});
