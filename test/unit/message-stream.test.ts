import { describe, expect, it } from 'vitest';
import { createEventBus } from '../../src/events/bus.js';
import type { MessageData } from '../../src/events/events.js';
import { createLogger } from '../../src/logger.js';
import { MessageStream, RoomFeeds } from '../../src/services/delivery/index.js';
import type { Connection } from '../../src/services/eventQueue.js';
import { MemoryStorage, settle } from './memoryStorage.js';

function setup() {
  const bus = createEventBus((err) => {
    throw err;
  });
  const storage = new MemoryStorage();
  const feeds = new RoomFeeds(bus, storage, createLogger('silent'));
  /** A send: stored first, then published. */
  const send = (roomId: string) => {
    const m = storage.store(roomId);
    bus.publish('room', roomId, { type: 'message', message: m });
    return m;
  };
  return { storage, feeds, send };
}

describe('message stream: stored, then live', () => {
  it('pull mode: from far behind (several pages) to live, no gap and no duplicate while messages keep coming', async () => {
    const { storage, feeds, send } = setup();
    for (let i = 0; i < 250; i += 1) storage.store('r');
    const stream = new MessageStream(feeds, undefined);
    await stream.addRoom('r', 0);
    const seqs: number[] = [];
    for (;;) {
      const { value } = await stream.next();
      seqs.push(value!.seq);
      // Live messages arrive while the stream is still reading storage, and after.
      if (value!.seq % 40 === 0 && value!.seq <= 280) send('r');
      if (value!.seq === 250) for (let i = 0; i < 30; i += 1) send('r');
      if (seqs.length === storage.rooms.get('r')!.length) break;
    }
    expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, i) => i + 1));
    expect(seqs.length).toBeGreaterThan(280);
    await stream.return();
  });

  it('push mode: the same, handed over synchronously once live', async () => {
    const { storage, feeds, send } = setup();
    for (let i = 0; i < 150; i += 1) storage.store('r');
    const stream = new MessageStream(feeds, undefined);
    await stream.addRoom('r', 10);
    const seqs: number[] = [];
    const done = stream.pipeTo((m: MessageData) => seqs.push(m.seq));
    for (let i = 0; i < 5 && seqs.length < 140; i += 1) await settle();
    send('r');
    for (let i = 0; i < 20 && seqs.length < 141; i += 1) await settle();
    // Live now: the next message is handed over inside the send.
    send('r');
    expect(seqs).toEqual(Array.from({ length: 142 }, (_, i) => i + 11));
    await stream.return();
    await done;
  });

  it('without a cursor, only messages sent from now on', async () => {
    const { storage, feeds, send } = setup();
    storage.store('r');
    const stream = new MessageStream(feeds, undefined);
    await stream.addRoom('r');
    send('r');
    expect((await stream.next()).value?.seq).toBe(2);
    await stream.return();
  });

  it('closes a caught-up consumer whose socket is over its budget', async () => {
    const { feeds, send } = setup();
    let buffered = 0;
    let closedSlow = 0;
    const connection: Connection = {
      bufferedAmount: () => buffered,
      maxBufferedBytes: 1_000,
      drained: async () => {},
      closeSlowConsumer: () => (closedSlow += 1),
      closed: false,
    };
    const stream = new MessageStream(feeds, connection);
    await stream.addRoom('r');
    const seqs: number[] = [];
    const done = stream.pipeTo((m) => seqs.push(m.seq));
    send('r');
    buffered = 1_001;
    send('r');
    await done;
    expect(seqs).toEqual([1]);
    expect(closedSlow).toBe(1);
  });
});
