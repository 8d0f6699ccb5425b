import { describe, expect, it } from 'vitest';
import { createEventBus } from '../../src/events/bus.js';
import type { MessageData } from '../../src/events/events.js';
import { createLogger } from '../../src/logger.js';
import { RoomFeeds } from '../../src/services/delivery/index.js';
import { deferred, MemoryStorage, settle } from './memoryStorage.js';

const logger = createLogger('silent');

function setup() {
  const bus = createEventBus((err) => {
    throw err;
  });
  const storage = new MemoryStorage();
  const feeds = new RoomFeeds(bus, storage, logger);
  const publish = (m: MessageData) => bus.publish('room', m.roomId, { type: 'message', message: m });
  return { bus, storage, feeds, publish };
}

const seqsHeld = (feed: { lastSeq: number; get(seq: number): MessageData | undefined }, from: number) =>
  Array.from({ length: feed.lastSeq - from + 1 }, (_, i) => feed.get(from + i)?.seq);

describe('room feed', () => {
  it('starts at the stored last seq and appends the next seqs from the bus', async () => {
    const { storage, feeds, publish } = setup();
    storage.store('r');
    storage.store('r');
    const feed = await feeds.acquire('r');
    expect(feed.lastSeq).toBe(2);
    expect(feed.kind).toBe('live');
    publish(storage.store('r'));
    publish(storage.store('r'));
    expect(feed.lastSeq).toBe(4);
    expect(seqsHeld(feed, 3)).toEqual([3, 4]);
    // A seq it has already is ignored (a duplicate delivery).
    publish(storage.rooms.get('r')![2]!);
    expect(feed.lastSeq).toBe(4);
    feeds.closeAll();
  });

  it('holds what arrives while it is starting, then processes it in seq order', async () => {
    const { storage, feeds, publish } = setup();
    storage.store('r');
    const gate = deferred();
    storage.gate = gate.promise;
    const acquiring = feeds.acquire('r');
    await settle();
    // Sent (stored and published) while the feed reads where the room stands, out of order.
    const [second, third] = [storage.store('r'), storage.store('r')];
    publish(third);
    publish(second);
    storage.gate = undefined;
    gate.resolve();
    const feed = await acquiring;
    expect(feed.kind).toBe('live');
    expect(feed.lastSeq).toBe(3);
    expect(seqsHeld(feed, 2)).toEqual([2, 3]);
    feeds.closeAll();
  });

  it('fills a gap from storage, holding what arrives meanwhile: contiguous, nothing twice', async () => {
    const { storage, feeds, publish } = setup();
    const feed = await feeds.acquire('r');
    const woken: number[] = [];
    feed.watch(() => woken.push(feed.lastSeq));
    publish(storage.store('r'));
    // Seqs 2..4 are stored but their events are lost (another instance, Redis away).
    storage.store('r');
    storage.store('r');
    storage.store('r');
    const gate = deferred();
    storage.gate = gate.promise;
    publish(storage.store('r')); // 5: a gap
    expect(feed.kind).toBe('filling');
    expect(feed.lastSeq).toBe(1);
    publish(storage.store('r')); // 6, held while filling
    publish(storage.rooms.get('r')![2]!); // 3 again, from a late bus delivery
    storage.gate = undefined;
    gate.resolve();
    await settle();
    await settle();
    expect(feed.kind).toBe('live');
    expect(feed.lastSeq).toBe(6);
    expect(seqsHeld(feed, 1)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(woken).toEqual([1, 2, 3, 4, 5, 6]);
    feeds.closeAll();
  });

  it('fills a gap wider than one page', async () => {
    const { storage, feeds, publish } = setup();
    const feed = await feeds.acquire('r');
    for (let i = 0; i < 250; i += 1) storage.store('r');
    publish(storage.store('r'));
    for (let i = 0; i < 10 && feed.kind !== 'live'; i += 1) await settle();
    expect(feed.lastSeq).toBe(251);
    expect(storage.reads).toBe(3);
    expect(feed.get(251)?.seq).toBe(251);
    feeds.closeAll();
  });

  it('resync catches up with what storage holds when events were lost, and wakes its watchers', async () => {
    const { storage, feeds, publish } = setup();
    const feed = await feeds.acquire('r');
    publish(storage.store('r'));
    for (let i = 0; i < 4; i += 1) storage.store('r');
    let wakes = 0;
    feed.watch(() => (wakes += 1));
    await feeds.resyncAll();
    expect(feed.kind).toBe('live');
    expect(feed.lastSeq).toBe(5);
    expect(seqsHeld(feed, 1)).toEqual([1, 2, 3, 4, 5]);
    expect(wakes).toBe(4);
    // Nothing new: resync reads where the room stands and stops.
    const reads = storage.reads;
    await feeds.resyncAll();
    expect(storage.reads).toBe(reads);
    expect(feed.lastSeq).toBe(5);
    feeds.closeAll();
  });

  it('stops filling when the room is gone', async () => {
    const { storage, feeds, publish } = setup();
    const feed = await feeds.acquire('r');
    const far = { ...storage.store('r'), seq: 9 };
    storage.rooms.delete('r');
    publish(far);
    await settle();
    await settle();
    expect(feed.kind).toBe('live');
    // The room has no seqs 1..8 to wait for: the feed gives up rather than wait forever.
    expect(feed.lastSeq).toBe(0);
    feeds.closeAll();
  });

  it('shares one feed per room and hands signals to its listeners', async () => {
    const { bus, feeds } = setup();
    const [a, b] = await Promise.all([feeds.acquire('r'), feeds.acquire('r')]);
    expect(a).toBe(b);
    const seen: string[] = [];
    a.listeners.add((event) => seen.push(event.type));
    bus.publish('room', 'r', { type: 'typing', roomId: 'r', userId: 'u', typing: true });
    bus.publish('room', 'r', { type: 'ack', roomId: 'r', userId: 'u', seq: 1 });
    expect(seen).toEqual(['typing', 'ack']);
    feeds.closeAll();
  });
});
