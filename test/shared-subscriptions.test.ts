import { describe, expect, it } from 'vitest';
import { graphql } from './gql/index.js';
import { createRoom } from './helpers/client.js';
import { Subscription, sleep } from './helpers/ws.js';
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

describe('shared subscription payloads', () => {
  const { tenant } = useTenant();

  it('gives each viewer its own payload when the selection has a viewer-dependent field', async () => {
    const room = await createRoom(tenant.as('alice'), 'group', ['bob']);
    const alice = new Subscription(tenant.as('alice').ws(), MineAdded, { roomId: room });
    const bob = new Subscription(tenant.as('bob').ws(), MineAdded, { roomId: room });
    await sleep(200);
    await tenant.as('alice').post(`/rooms/${room}/messages`, { content: 'from alice' });
    await tenant.as('bob').post(`/rooms/${room}/messages`, { content: 'from bob' });
    await Promise.all([alice.count(2), bob.count(2)]);
    expect(alice.values.map((v) => v.messageAdded)).toEqual([
      { seq: 1, senderId: 'alice', isMine: true },
      { seq: 2, senderId: 'bob', isMine: false },
    ]);
    expect(bob.values.map((v) => v.messageAdded)).toEqual([
      { seq: 1, senderId: 'alice', isMine: false },
      { seq: 2, senderId: 'bob', isMine: true },
    ]);
    alice.dispose();
    bob.dispose();
  });

  it('sees a viewer-dependent field inside a fragment too', async () => {
    const room = await createRoom(tenant.as('carol'), 'group', ['dave']);
    const carol = new Subscription(tenant.as('carol').ws(), MineInbox);
    const dave = new Subscription(tenant.as('dave').ws(), MineInbox);
    await sleep(200);
    await tenant.as('carol').post(`/rooms/${room}/messages`, { content: 'hi' });
    await Promise.all([carol.count(1), dave.count(1)]);
    expect(carol.values[0]!.inbox).toEqual({ roomId: room, message: { seq: 1, isMine: true } });
    expect(dave.values[0]!.inbox).toEqual({ roomId: room, message: { seq: 1, isMine: false } });
    carol.dispose();
    dave.dispose();
  });
});
