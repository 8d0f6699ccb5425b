import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Session } from '../src/auth/session.js';
import type { Membership } from '../src/services/delivery/index.js';
import type { RoomView } from '../src/services/rooms.js';
import { createRoom, seedTenant, type SeededTenant } from './helpers/client.js';
import { startServer, type TestServer } from './helpers/server.js';
import { LegacyClient } from './helpers/ws.js';

/**
 * A room joined while a /ws connection is being set up must bring its messages AND its typing,
 * presence and acks to that socket. The window is between "list the user's rooms" and "listen for
 * rooms joined": a room joined there is neither listed nor announced to a listener that subscribes
 * after the listing. To hit it every time, the test wraps the real server's listing of the user's
 * rooms (wherever /ws does it: `DeliveryService.memberships` now, `RoomService.listForUser` before
 * the fix): the listing is read, then a room is created for the user (the REST call returns after
 * the commit and the `roomJoined` event), then the stale listing is returned. The old adapter listed
 * through `listForUser` and subscribed to joins only afterwards, so it never watched that room:
 * the typing frame below never arrived.
 */
describe('/ws: a room joined while the connection is set up', () => {
  let server: TestServer;
  let tenant: SeededTenant;
  beforeAll(async () => {
    server = await startServer();
    tenant = await seedTenant(server);
  });
  afterAll(() => server.stop());

  it('gets messages and typing of a room joined between listing and listening', async () => {
    await createRoom(tenant.as('host'), 'group', ['joiner']);
    let joinedInWindow: string | undefined;
    const joinOnce = async () => {
      if (joinedInWindow) return;
      joinedInWindow = 'pending';
      joinedInWindow = await createRoom(tenant.as('host'), 'group', ['joiner'], 'joined while connecting');
    };

    // Wherever the listing happens; a test that no longer hits it fails below (no room joined).
    const delivery = server.app.services.delivery as unknown as {
      memberships?(tenantId: string, userId: string): Promise<Membership[]>;
    };
    if (delivery.memberships) {
      const memberships = delivery.memberships.bind(delivery);
      delivery.memberships = async (tenantId, userId) => {
        const listed = await memberships(tenantId, userId);
        if (userId === 'joiner') await joinOnce();
        return listed;
      };
    }
    // Before the fix the adapter listed again on its own, after the messages' listing.
    const rooms = server.app.services.rooms;
    const listForUser = rooms.listForUser.bind(rooms);
    rooms.listForUser = async (session: Session) => {
      const listed = await listForUser(session);
      if (session.requireUser().userId === 'joiner') await joinOnce();
      return listed as RoomView[];
    };

    const host = await LegacyClient.connect(server, tenant.apiKey, 'host');
    const joiner = await LegacyClient.connect(server, tenant.apiKey, 'joiner');
    const room = joinedInWindow!;
    expect(room).toMatch(/^room_/);

    host.send({ type: 'typing.start', room_id: room });
    expect(await joiner.next('typing', 3_000)).toEqual({
      type: 'typing',
      room_id: room,
      user_id: 'host',
      action: 'start',
    });
    host.send({ type: 'send_message', room_id: room, content: 'hello late joiner' });
    const message = await joiner.next('message', 3_000);
    expect(message).toMatchObject({ room_id: room, seq: 1, sender_id: 'host', content: 'hello late joiner' });
    // The room was both listed (by the messages' listing, if that ran later) and announced: once only.
    host.send({ type: 'typing.stop', room_id: room });
    expect(await joiner.next('typing', 3_000)).toMatchObject({ room_id: room, action: 'stop' });
    expect(joiner.of('typing')).toHaveLength(2);
    host.close();
    joiner.close();
  });
});
