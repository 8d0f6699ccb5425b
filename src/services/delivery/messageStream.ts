/**
 * The messages of one or more rooms for one subscriber: first every stored message after its
 * cursor, then live ones, with no gap and no duplicate at the switch-over, in seq order per room.
 *
 * | mode | who                                           | calls                  | messages are handed over          |
 * |------|-----------------------------------------------|------------------------|-----------------------------------|
 * | pull | graphql-ws operations that execute per event  | `next()` (for await)   | when the consumer asks            |
 * | push | shared subscription writer, the /ws adapter   | `pipeTo(sink)` once    | inside the room feed's own append |
 *
 * A room is "behind" when the subscriber's cursor is older than what the feed's memory holds: both
 * modes then read storage page by page (the same message store and page cache as REST history),
 * paced by the socket draining. A subscriber that is caught up but whose socket holds more unsent
 * bytes than the connection's budget cannot keep up with live traffic and is disconnected.
 * Nothing is queued per subscriber.
 */
import { publicError, type AppError } from '../../errors.js';
import type { MessageData } from '../../events/events.js';
import { overBudget, type Connection } from '../eventQueue.js';
import { PAGE_SIZE, type RoomFeed, type RoomFeeds } from './roomFeed.js';

/** What MessageStream.take answers when a room must be read from storage first. */
const NEEDS_STORAGE = Symbol('needs storage');
/** A seq announced but not readable from storage yet: wait this long instead of spinning. */
const UNREADABLE_SEQ_RETRY_MS = 50;
/** While behind, storage is read again once the socket's unsent bytes fell below this share of its budget. */
const DRAINED_SHARE = 1 / 4;

interface Cursor {
  feed: RoomFeed;
  /** Highest seq delivered to this subscriber in this room. */
  seq: number;
  /** Read from storage, not yet delivered (catching up). */
  page: MessageData[];
}

export class MessageStream implements AsyncIterableIterator<MessageData> {
  private readonly cursors = new Map<string, Cursor>();
  private order: string[] = [];
  private next_ = 0;
  private done = false;
  private wake: (() => void) | undefined;
  /** Push mode's consumer (see pipeTo); pull mode when unset. */
  private sink: ((message: MessageData) => void) | undefined;
  private pumping = false;
  private readonly waker = () => {
    if (this.sink) {
      this.pump();
      return;
    }
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  };
  private readonly cleanups: Array<() => void> = [];
  /** Why the stream ended, when it did not end normally. */
  private failure: AppError | undefined;
  /** The cursor that must read storage before anything more can be delivered from it. */
  private behind: Cursor | undefined;

  constructor(
    private readonly feeds: RoomFeeds,
    private readonly connection: Connection | undefined,
  ) {}

  /** Adds a room; without `afterSeq` only messages sent from now on are delivered. */
  async addRoom(roomId: string, afterSeq?: number): Promise<void> {
    if (this.cursors.has(roomId) || this.done) return;
    const feed = await this.feeds.acquire(roomId);
    if (this.done || this.cursors.has(roomId)) {
      this.feeds.release(feed);
      return;
    }
    this.cursors.set(roomId, { feed, seq: afterSeq ?? feed.lastSeq, page: [] });
    this.order.push(roomId);
    feed.watch(this.waker);
    this.waker();
  }

  /** Runs `cleanup` when the stream ends. */
  onClose(cleanup: () => void): void {
    if (this.done) cleanup();
    else this.cleanups.push(cleanup);
  }

  /**
   * Ends the stream because it cannot go on (storage unreadable, a room that could not be
   * added): pull mode throws it, push mode rejects, so the client hears about it and resubscribes
   * from its last seq instead of waiting on a stream that delivers nothing.
   */
  fail(err: unknown): void {
    if (this.done) return;
    this.failure = publicError(err);
    void this.return();
  }

  /** Adds a room in the background (a room joined later); a failure ends the stream. */
  addRoomLater(roomId: string, afterSeq?: number): void {
    this.addRoom(roomId, afterSeq).catch((err: unknown) => this.fail(err));
  }

  /** Pull mode: the next message, waiting for one if everyone is caught up. */
  async next(): Promise<IteratorResult<MessageData>> {
    while (!this.done) {
      const taken = this.take();
      if (taken === NEEDS_STORAGE) {
        try {
          await this.readStorage();
        } catch (err) {
          this.fail(err);
        }
        continue;
      }
      if (taken) return { value: taken, done: false };
      await new Promise<void>((resolve) => {
        this.wake = resolve;
        // Re-check: something may have arrived between take() and now.
        if (this.pendingAnywhere() || this.done) this.waker();
      });
    }
    if (this.failure) throw this.failure;
    return { value: undefined, done: true };
  }

  /**
   * Push mode, for consumers that take a message synchronously: live messages are handed over
   * inside the room feed's own append, with no promise per message per subscriber; while behind,
   * storage is read page by page as in pull mode. Resolves when the stream ends.
   */
  pipeTo(sink: (message: MessageData) => void): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.onClose(() => (this.failure ? reject(this.failure) : resolve()));
      this.sink = sink;
      this.pump();
    });
  }

  /** Push mode: delivers everything deliverable now; goes asynchronous only to read storage. */
  private pump(): void {
    if (this.pumping || this.done || !this.sink) return;
    this.pumping = true;
    for (;;) {
      const taken = this.take();
      if (taken === NEEDS_STORAGE) {
        void this.readStorage().then(
          () => {
            this.pumping = false;
            this.pump();
          },
          (err: unknown) => this.fail(err),
        );
        return;
      }
      if (!taken) break;
      this.sink(taken);
      if (this.done) break;
    }
    this.pumping = false;
  }

  private pendingAnywhere(): boolean {
    for (const c of this.cursors.values()) if (c.page.length > 0 || c.seq < c.feed.lastSeq) return true;
    return false;
  }

  /**
   * The next deliverable message, round-robin over rooms, synchronously; NEEDS_STORAGE when a room
   * is behind what memory holds; undefined when everyone is caught up.
   */
  private take(): MessageData | typeof NEEDS_STORAGE | undefined {
    for (let tried = 0; tried < this.order.length && !this.done; tried += 1) {
      const roomId = this.order[this.next_ % this.order.length]!;
      this.next_ = (this.next_ + 1) % this.order.length;
      const cursor = this.cursors.get(roomId)!;
      const fromStorage = cursor.page.shift();
      if (fromStorage) {
        cursor.seq = fromStorage.seq;
        return fromStorage;
      }
      if (cursor.seq >= cursor.feed.lastSeq) continue;
      const live = cursor.feed.get(cursor.seq + 1);
      if (!live) {
        this.behind = cursor;
        return NEEDS_STORAGE;
      }
      if (overBudget(this.connection)) {
        void this.return();
        return undefined;
      }
      cursor.seq = live.seq;
      return live;
    }
    return undefined;
  }

  /** Reads the next page of the room that is behind, as fast as the socket drains. */
  private async readStorage(): Promise<void> {
    const cursor = this.behind;
    this.behind = undefined;
    if (!cursor) return;
    if (this.connection) await this.connection.drained(this.connection.maxBufferedBytes * DRAINED_SHARE);
    if (this.done) return;
    const page = await this.feeds.storage.history({
      roomId: cursor.feed.roomId,
      afterSeq: cursor.seq,
      limit: PAGE_SIZE,
    });
    for (const m of page) {
      if (m.seq !== cursor.seq + 1 + cursor.page.length) break;
      cursor.page.push(m);
    }
    // Announced but not readable yet: back off instead of spinning.
    if (cursor.page.length === 0) await new Promise((r) => setTimeout(r, UNREADABLE_SEQ_RETRY_MS));
  }

  async return(): Promise<IteratorResult<MessageData>> {
    if (!this.done) {
      this.done = true;
      for (const cursor of this.cursors.values()) {
        cursor.feed.unwatch(this.waker);
        this.feeds.release(cursor.feed);
      }
      this.cursors.clear();
      for (const cleanup of this.cleanups.splice(0)) cleanup();
      this.waker();
    }
    return { value: undefined, done: true };
  }

  async throw(err?: unknown): Promise<IteratorResult<MessageData>> {
    await this.return();
    throw err;
  }

  [Symbol.asyncIterator](): this {
    return this;
  }
}
