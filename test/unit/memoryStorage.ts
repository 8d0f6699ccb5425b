import type { HistoryQuery } from '../../src/db/messageStore.js';
import type { MessageData } from '../../src/events/events.js';
import type { DeliveryStorage } from '../../src/services/delivery/index.js';

export const message = (roomId: string, seq: number): MessageData => ({
  id: `msg_${roomId}_${seq}`,
  roomId,
  seq,
  senderId: 'sender',
  content: `message ${seq}`,
  meta: null,
  clientMessageId: null,
  createdAt: new Date(0).toISOString(),
});

/**
 * DeliveryStorage in memory, answering like MessageStore.history (ascending seq, `afterSeq` the
 * first `limit` after it, otherwise the last `limit` before `beforeSeq`). `gate`, when set, holds
 * every answer (read at the call, as a snapshot) until it resolves, so a test can act while a feed
 * or stream is reading.
 */
export class MemoryStorage implements DeliveryStorage {
  readonly rooms = new Map<string, MessageData[]>();
  reads = 0;
  gate: Promise<void> | undefined;

  /** Stores the next message of the room (as a send does before publishing it). */
  store(roomId: string): MessageData {
    const messages = this.rooms.get(roomId) ?? [];
    this.rooms.set(roomId, messages);
    const m = message(roomId, messages.length + 1);
    messages.push(m);
    return m;
  }

  async history(q: HistoryQuery): Promise<MessageData[]> {
    this.reads += 1;
    const all = (this.rooms.get(q.roomId) ?? []).filter(
      (m) => (q.afterSeq === undefined || m.seq > q.afterSeq) && (q.beforeSeq === undefined || m.seq < q.beforeSeq),
    );
    const page = q.afterSeq !== undefined ? all.slice(0, q.limit) : all.slice(-q.limit);
    await this.gate;
    return page;
  }

  async roomLastSeq(roomId: string): Promise<number | undefined> {
    const lastSeq = this.rooms.get(roomId)?.length;
    await this.gate;
    return lastSeq;
  }
}

/** A promise and the function that resolves it. */
export function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

/** Lets pending promise callbacks (and setImmediate) run. */
export const settle = () => new Promise((resolve) => setImmediate(resolve));
