import type { Session } from '../auth/session.js';
import type { Database } from '../db/database.js';
import { readHistory } from '../db/messageStore.js';
import { publicError, type AppError } from '../errors.js';
import type { EventBus } from '../events/bus.js';
import { userKey, type MessageData, type RoomEvent } from '../events/events.js';
import type { Logger } from '../logger.js';
import type { RoomService } from './rooms.js';
import { check, seqSchema } from './validation.js';

/**
 * What delivery needs from the connection a stream writes to (a WebSocket, whatever the protocol).
 * Delivery stays transport-agnostic: it never sees a socket.
 */
export interface Connection {
  /** Bytes handed to the socket but not yet sent. */
  bufferedAmount(): number;
  /** Resolves once the unsent bytes fell below `bytes` (or the connection closed). */
  drained(bytes: number): Promise<void>;
  /** Disconnects a consumer that cannot keep up; it resumes from its last seq on reconnect. */
  closeSlowConsumer(): void;
  readonly closed: boolean;
}

/** What MessageStream.take answers when a room must be read from storage first. */
const NEEDS_STORAGE = Symbol('needs storage');

/** Messages kept in memory per room, shared by every subscriber of the room on this instance. */
const RING_SIZE = 512;
/** Rows per read when a subscriber is behind what memory holds (replay, catch-up). */
const PAGE_SIZE = 100;
/** How long an unused room feed lingers, so reconnect storms do not re-read the room each time. */
const FEED_LINGER_MS = 10_000;

type Waker = () => void;

/**
 * One room as seen by this instance: the highest seq stored, the latest messages, and who waits
 * for more. Fed by the event bus; a gap in the seqs it receives (an event lost or reordered between
 * instances) is filled from storage, so what it holds is always contiguous.
 */
class RoomFeed {
  lastSeq = 0;
  private ring: MessageData[] = [];
  /** Messages received before the feed knew where it starts, or while a gap is being filled. */
  private held: MessageData[] | undefined = [];
  private readonly wakers = new Set<Waker>();
  readonly listeners = new Set<(event: RoomSignal) => void>();
  refs = 0;
  lingerTimer: NodeJS.Timeout | undefined;
  readonly ready: Promise<void>;
  private readonly unsubscribe: () => void;

  constructor(
    readonly roomId: string,
    private readonly bus: EventBus,
    private readonly db: Database,
    private readonly logger: Logger,
  ) {
    // Subscribe before reading where the room stands, so nothing published in between is missed.
    this.unsubscribe = bus.subscribe('room', roomId, (event) => this.onEvent(event));
    this.ready = this.start();
  }

  private async start(): Promise<void> {
    try {
      await this.bus.ready('room', this.roomId);
      const room = await this.db.read.room.findUnique({ where: { id: this.roomId }, select: { lastSeq: true } });
      this.lastSeq = room?.lastSeq ?? 0;
    } finally {
      this.release();
    }
  }

  private onEvent(event: RoomEvent): void {
    if (event.type !== 'message') {
      for (const listener of this.listeners) listener(event);
      return;
    }
    if (this.held) this.held.push(event.message);
    else this.accept(event.message);
  }

  private accept(message: MessageData): void {
    if (message.seq <= this.lastSeq) return;
    if (message.seq === this.lastSeq + 1) {
      this.append(message);
      return;
    }
    this.held = [message];
    void this.fillGap(message.seq);
  }

  private closed = false;

  private async fillGap(upTo: number): Promise<void> {
    try {
      while (this.lastSeq + 1 < upTo && !this.closed) {
        const page = await readHistory(this.db.read, { roomId: this.roomId, afterSeq: this.lastSeq, beforeSeq: upTo, limit: PAGE_SIZE }, this.db.provider);
        const before = this.lastSeq;
        for (const m of page) if (m.seq === this.lastSeq + 1) this.append(m);
        if (this.lastSeq === before) {
          // Not visible yet (it cannot be lost: seqs are assigned and stored in one transaction),
          // unless the room itself is gone (its tenant was deleted meanwhile).
          const room = await this.db.read.room.findUnique({ where: { id: this.roomId }, select: { lastSeq: true } });
          if (!room || room.lastSeq <= before) break;
          this.logger.warn({ room_id: this.roomId, after_seq: before, up_to: upTo }, 'Waiting for a missing seq');
          await new Promise((r) => setTimeout(r, 100));
        }
      }
    } catch (err) {
      this.logger.error({ err, room_id: this.roomId }, 'Filling a seq gap failed; retrying');
      await new Promise((r) => setTimeout(r, 500));
    }
    this.release();
  }

  /** Processes what arrived while the feed was starting or filling a gap. */
  private release(): void {
    const held = this.held ?? [];
    this.held = undefined;
    held.sort((a, b) => a.seq - b.seq);
    for (const m of held) {
      // accept() may start filling a gap, which holds what follows again.
      const holding = this.held as MessageData[] | undefined;
      if (holding) holding.push(m);
      else this.accept(m);
    }
  }

  private append(message: MessageData): void {
    this.ring.push(message);
    if (this.ring.length > 2 * RING_SIZE) this.ring = this.ring.slice(-RING_SIZE);
    this.lastSeq = message.seq;
    for (const wake of this.wakers) wake();
  }

  /** Catches up with storage (after bus events may have been lost, e.g. Redis was away). */
  async resync(): Promise<void> {
    if (this.held) return; // starting or filling already
    const room = await this.db.read.room.findUnique({ where: { id: this.roomId }, select: { lastSeq: true } });
    if (!room || room.lastSeq <= this.lastSeq || this.held) return;
    this.held = [];
    await this.fillGap(room.lastSeq + 1);
  }

  /** The message with this seq if memory still holds it. */
  get(seq: number): MessageData | undefined {
    const index = seq - (this.lastSeq - this.ring.length + 1);
    return index >= 0 && index < this.ring.length ? this.ring[index] : undefined;
  }

  watch(wake: Waker): void {
    this.wakers.add(wake);
  }

  unwatch(wake: Waker): void {
    this.wakers.delete(wake);
  }

  close(): void {
    this.closed = true;
    this.unsubscribe();
  }
}

/** The feeds of this instance, shared by every subscriber, created on demand and dropped when unused. */
class RoomFeeds {
  private readonly feeds = new Map<string, RoomFeed>();

  constructor(
    private readonly bus: EventBus,
    private readonly db: Database,
    private readonly logger: Logger,
  ) {}

  async acquire(roomId: string): Promise<RoomFeed> {
    let feed = this.feeds.get(roomId);
    if (!feed) {
      feed = new RoomFeed(roomId, this.bus, this.db, this.logger);
      this.feeds.set(roomId, feed);
    }
    feed.refs += 1;
    clearTimeout(feed.lingerTimer);
    try {
      await feed.ready;
    } catch (err) {
      // A feed that could not start is dropped at once: the next subscriber builds a fresh one.
      feed.refs -= 1;
      if (this.feeds.get(roomId) === feed) {
        this.feeds.delete(roomId);
        feed.close();
      }
      throw publicError(err);
    }
    return feed;
  }

  release(feed: RoomFeed): void {
    feed.refs -= 1;
    if (feed.refs > 0) return;
    feed.lingerTimer = setTimeout(() => {
      if (feed.refs > 0) return;
      feed.close();
      if (this.feeds.get(feed.roomId) === feed) this.feeds.delete(feed.roomId);
    }, FEED_LINGER_MS);
    feed.lingerTimer.unref();
  }

  resyncAll(): Promise<void> {
    return Promise.all([...this.feeds.values()].map((feed) => feed.resync())).then(() => undefined);
  }

  closeAll(): void {
    for (const feed of this.feeds.values()) {
      clearTimeout(feed.lingerTimer);
      feed.close();
    }
    this.feeds.clear();
  }
}

interface Cursor {
  feed: RoomFeed;
  /** Highest seq delivered to this subscriber in this room. */
  seq: number;
  /** Read from storage, not yet delivered (catching up). */
  page: MessageData[];
}

/**
 * The messages of one or more rooms for one subscriber: first every stored message after its
 * cursor, then live ones, with no gap and no duplicate at the switch-over, in seq order per room.
 * Pull-based: nothing is queued per subscriber. A subscriber that is behind reads storage page by
 * page, paced by its socket; one that cannot keep up with live traffic is disconnected.
 */
export class MessageStream implements AsyncIterableIterator<MessageData> {
  private readonly cursors = new Map<string, Cursor>();
  private order: string[] = [];
  private next_ = 0;
  private done = false;
  private wake: (() => void) | undefined;
  /** Push mode's consumer (see pipeTo); pull mode when unset. */
  private sink: ((message: MessageData) => void) | undefined;
  private pumping = false;
  private readonly waker: Waker = () => {
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

  constructor(
    private readonly feeds: RoomFeeds,
    private readonly db: Database,
    private readonly connection: Connection | undefined,
    private readonly maxBufferedBytes: number,
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
   * Push mode, for consumers that take a message synchronously (the shared subscription writer,
   * the /ws adapter): live messages are handed over inside the room feed's own append, with no
   * promise per message per subscriber; while behind, storage is read page by page as in pull
   * mode. Resolves when the stream ends.
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

  /** The cursor that must read storage before anything more can be delivered from it. */
  private behind: Cursor | undefined;

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
      if (this.connection && this.connection.bufferedAmount() > this.maxBufferedBytes) {
        this.connection.closeSlowConsumer();
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
    if (this.connection) await this.connection.drained(this.maxBufferedBytes / 4);
    if (this.done) return;
    const page = await readHistory(this.db.read, { roomId: cursor.feed.roomId, afterSeq: cursor.seq, limit: PAGE_SIZE }, this.db.provider);
    for (const m of page) {
      if (m.seq !== cursor.seq + 1 + cursor.page.length) break;
      cursor.page.push(m);
    }
    // Announced but not readable yet: back off instead of spinning.
    if (cursor.page.length === 0) await new Promise((r) => setTimeout(r, 50));
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

/**
 * A bounded queue of ephemeral events (typing, presence, acks, notifications) for one subscriber.
 * These are not replayable from seqs, so a consumer that lets the queue overflow is disconnected.
 */
export class EventQueue<T> implements AsyncIterableIterator<T> {
  private items: T[] = [];
  private wake: (() => void) | undefined;
  private done = false;
  private readonly cleanups: Array<() => void> = [];

  constructor(
    private readonly connection: Connection | undefined,
    private readonly capacity = 1_000,
  ) {}

  push(item: T): void {
    if (this.done) return;
    if (this.items.length >= this.capacity) {
      this.connection?.closeSlowConsumer();
      void this.return();
      return;
    }
    this.items.push(item);
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }

  /** Runs `cleanup` when the queue ends (at once if it already has). */
  onClose(cleanup: () => void): void {
    if (this.done) cleanup();
    else this.cleanups.push(cleanup);
  }

  async next(): Promise<IteratorResult<T>> {
    while (!this.done) {
      const item = this.items.shift();
      if (item !== undefined) return { value: item, done: false };
      await new Promise<void>((resolve) => (this.wake = resolve));
    }
    return { value: undefined, done: true };
  }

  async return(): Promise<IteratorResult<T>> {
    if (!this.done) {
      this.done = true;
      this.items = [];
      for (const cleanup of this.cleanups.splice(0)) cleanup();
      const wake = this.wake;
      this.wake = undefined;
      wake?.();
    }
    return { value: undefined, done: true };
  }

  async throw(err?: unknown): Promise<IteratorResult<T>> {
    await this.return();
    throw err;
  }

  [Symbol.asyncIterator](): this {
    return this;
  }
}

/** The room events that are not messages: typing, presence, acks. */
export type RoomSignal = Exclude<RoomEvent, { type: 'message' }>;

export interface RoomCursorInput {
  roomId: string;
  afterSeq: number;
}

/** Real-time delivery of stored messages and of room events, for every transport. */
export class DeliveryService {
  private readonly feeds: RoomFeeds;

  constructor(
    private readonly db: Database,
    private readonly bus: EventBus,
    private readonly rooms: RoomService,
    logger: Logger,
    private readonly maxBufferedBytes: number,
  ) {
    this.feeds = new RoomFeeds(bus, db, logger);
  }

  /** `messageAdded`: stored messages with seq > afterSeq, then live ones. */
  async roomMessages(session: Session, roomId: unknown, afterSeq: unknown, connection?: Connection): Promise<MessageStream> {
    const member = await this.rooms.requireMember(session, roomId);
    const after = afterSeq == null ? undefined : check(seqSchema, afterSeq, 'afterSeq');
    const stream = new MessageStream(this.feeds, this.db, connection, this.maxBufferedBytes);
    try {
      await stream.addRoom(member.roomId, after);
    } catch (err) {
      await stream.return();
      throw err;
    }
    return stream;
  }

  /**
   * `inbox` and the /ws protocol: every room of the user, each from its cursor (or the member's
   * delivered seq), then live; rooms the user joins later are added as they are joined.
   */
  async inbox(session: Session, after: RoomCursorInput[] | null | undefined, connection?: Connection): Promise<MessageStream> {
    const { tenantId, userId } = session.requireUser();
    const cursors = new Map<string, number>();
    for (const [i, c] of (after ?? []).entries()) cursors.set(c.roomId, check(seqSchema, c.afterSeq, `after[${i}].afterSeq`));
    const stream = new MessageStream(this.feeds, this.db, connection, this.maxBufferedBytes);
    // Listen for new rooms before listing the current ones, so a room joined in between is not missed.
    stream.onClose(
      this.bus.subscribe('user', userKey(tenantId, userId), (event) => {
        if (event.type === 'roomJoined') stream.addRoomLater(event.roomId, 0);
      }),
    );
    try {
      await this.bus.ready('user', userKey(tenantId, userId));
      const memberships = await this.db.read.roomMember.findMany({
        where: { tenantId, userId },
        select: { roomId: true, deliveredSeq: true },
      });
      await Promise.all(memberships.map((m) => stream.addRoom(m.roomId, cursors.get(m.roomId) ?? m.deliveredSeq)));
    } catch (err) {
      // Release whatever was acquired before the failure.
      await stream.return();
      throw publicError(err);
    }
    return stream;
  }

  /** Typing, presence and ack events of one room, live only. */
  async roomEvents(session: Session, roomId: unknown, connection?: Connection): Promise<EventQueue<RoomSignal>> {
    const member = await this.rooms.requireMember(session, roomId);
    return this.watchRooms([member.roomId], connection);
  }

  /** Typing, presence and ack events of several rooms (already authorised), live only. */
  async watchRooms(roomIds: string[], connection?: Connection): Promise<EventQueue<RoomSignal>> {
    const queue = new EventQueue<RoomSignal>(connection);
    try {
      for (const roomId of roomIds) await this.watchRoom(queue, roomId);
    } catch (err) {
      await queue.return();
      throw err;
    }
    return queue;
  }

  async watchRoom(queue: EventQueue<RoomSignal>, roomId: string): Promise<void> {
    const feed = await this.feeds.acquire(roomId);
    const listener = (event: RoomSignal) => queue.push(event);
    feed.listeners.add(listener);
    queue.onClose(() => {
      feed.listeners.delete(listener);
      this.feeds.release(feed);
    });
  }

  /** Every room feed catches up with storage; subscribers then get what they missed. */
  resync(): Promise<void> {
    return this.feeds.resyncAll();
  }

  close(): void {
    this.feeds.closeAll();
  }
}
