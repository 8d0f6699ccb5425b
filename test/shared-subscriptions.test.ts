import { describe, expect, it } from 'vitest';
import { graphql } from './gql/index.js';
import type { Subscription } from './helpers/ws.js';
import { useTenant } from './helpers/kit.js';

const MineAdded = graphql(`
  subscription MineAdded($roomId: ID!) {
    messageAdded(roomId: $roomId) {
      seq
      senderId
      isMine
    }
  }
`);

const MineInbox = graphql(`
  subscription MineInbox {
    inbox {
      roomId
      message {
        ...MineFields
      }
    }
  }
  fragment MineFields on Message {
    seq
    isMine
  }
`);

/**
 * Sends probe messages until every subscription has received one, so the test does
 * not depend on how fast a busy machine sets subscriptions up.
 */
async function untilLive(send: () => Promise<unknown>, subscriptions: Array<Subscription<unknown>>) {
  for (let i = 0; i < 50 && subscriptions.some((s) => s.values.length === 0); i += 1) {
    await send();
    await Promise.all(subscriptions.map((s) => s.count(1, 200).catch(() => {})));
  }
  expect(subscriptions.every((s) => s.values.length > 0)).toBe(true);
}

describe('shared subscription payloads', () => {
  const { tenant } = useTenant();

  it('gives each viewer its own payload when the selection has a viewer-dependent field', async () => {
    const room = await tenant.room('group', ['bob'], { by: 'alice' });
    const alice = tenant.as('alice').subscribe(MineAdded, { roomId: room.id });
    const bob = tenant.as('bob').subscribe(MineAdded, { roomId: room.id });
    await untilLive(() => room.as('alice').send('probe'), [alice, bob]);
    const fromAlice: number = (await room.as('alice').send('from alice')).body.seq;
    const fromBob: number = (await room.as('bob').send('from bob')).body.seq;
    const received = (sub: typeof alice) => sub.values.map((v) => v.messageAdded).filter((m) => m.seq >= fromAlice);
    await Promise.all([alice.until(() => received(alice).length === 2), bob.until(() => received(bob).length === 2)]);
    expect(received(alice)).toEqual([
      { seq: fromAlice, senderId: 'alice', isMine: true },
      { seq: fromBob, senderId: 'bob', isMine: false },
    ]);
    expect(received(bob)).toEqual([
      { seq: fromAlice, senderId: 'alice', isMine: false },
      { seq: fromBob, senderId: 'bob', isMine: true },
    ]);
    // The probes too: every message, to each viewer, says whether that viewer sent it.
    expect(alice.values.every((v) => v.messageAdded.isMine === (v.messageAdded.senderId === 'alice'))).toBe(true);
    expect(bob.values.every((v) => v.messageAdded.isMine === (v.messageAdded.senderId === 'bob'))).toBe(true);
  });

  it('sees a viewer-dependent field inside a fragment too', async () => {
    const room = await tenant.room('group', ['dave'], { by: 'carol' });
    const carol = tenant.as('carol').subscribe(MineInbox);
    const dave = tenant.as('dave').subscribe(MineInbox);
    await untilLive(() => room.as('carol').send('probe'), [carol, dave]);
    const sent = await room.as('carol').send('hi');
    const seq: number = sent.body.seq;
    const received = (s: typeof carol) => s.values.find((v) => v.inbox.message.seq === seq)?.inbox;
    await Promise.all([
      carol.until(() => received(carol) !== undefined),
      dave.until(() => received(dave) !== undefined),
    ]);
    expect(received(carol)).toEqual({ roomId: room.id, message: { seq, isMine: true } });
    expect(received(dave)).toEqual({ roomId: room.id, message: { seq, isMine: false } });
  });
});
