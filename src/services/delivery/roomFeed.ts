import type { HistoryQuery } from '../../db/messageStore.js';
import { publicError } from '../../errors.js';
import type { EventBus } from '../../events/bus.js';
import type { MessageData, RoomEvent } from '../../events/events.js';
import type { Logger } from '../../logger.js';

/** The room events that are not messages: typing, presence, acks. */
export type RoomSignal = Exclude<RoomEvent, { type: 'message' }>;

/**
 * What feeds and streams read from storage: the message store (the same one, and the same page
 * cache, as REST history) and where a room stands.
 */
export interface DeliveryStorage {
  /** A page of history in ascending seq order (see MessageStore.history). */
  history(q: HistoryQuery): Promise<MessageData[]>;
  /** The highest seq handed out in the room; undefined when the room is gone. */
  roomLastSeq(roomId: string): Promise<number | undefined>;
}

/** Messages kept in memory per room, shared by every subscriber of the room on this instance. */
const RING_SIZE = 512;
/** Rows per read when a subscriber or a feed is behind what memory holds (replay, catch-up, gaps). */
export const PAGE_SIZE = 100;
/** How long an unused room feed lingers, so reconnect storms do not re-read the room each time. */
const FEED_LINGER_MS = 10_000;
/** A seq announced but not readable yet (another instance's commit still becoming visible): wait this long. */
const MISSING_SEQ_RETRY_MS = 100;
/** Reading a gap from storage failed: wait this long before the held messages are tried again. */
const GAP_FAILURE_BACKOFF_MS = 500;

type Waker = () => void;

/**
 * Where a feed stands. `starting`: it does not know the room's last seq yet; `filling`: it is
 * reading a gap from storage. In both, messages from the bus are `held` (in arrival order) and
 * processed once it is `live` again.
 */
type FeedState =
  | { kind: 'starting'; held: MessageData[] }
  | { kind: 'live' }
  | { kind: 'filling'; held: MessageData[] };

/**
 * One room as seen by this instance: the highest seq stored, the latest messages, and who waits
 * for more. Fed by the event bus; a gap in the seqs it receives (an event lost or reordered between
 * instances) is filled from storage, so what it holds is always contiguous.
 */
export class RoomFeed {
  lastSeq = 0;
  private ring: MessageData[] = [];
  private state: FeedState = { kind: 'starting', held: [] };
  private readonly wakers = new Set<Waker>();
  readonly listeners = new Set<(event: RoomSignal) => void>();
  refs = 0;
  lingerTimer: NodeJS.Timeout | undefined;
  readonly ready: Promise<void>;
  private readonly unsubscribe: () => void;
  private closed = false;

  constructor(
    readonly roomId: string,
    private readonly bus: EventBus,
    private readonly storage: DeliveryStorage,
    private readonly logger: Logger,
  ) {
    // Subscribe before reading where the room stands, so nothing published in between is missed.
    this.unsubscribe = bus.subscribe('room', roomId, (event) => this.onEvent(event));
    this.ready = this.start();
  }

  /** What the feed is doing now (for tests and logs). */
  get kind(): FeedState['kind'] {
    return this.state.kind;
  }

  private async start(): Promise<void> {
    try {
      await this.bus.ready('room', this.roomId);
      this.lastSeq = (await this.storage.roomLastSeq(this.roomId)) ?? 0;
    } finally {
      this.goLive();
    }
  }

  private onEvent(event: RoomEvent): void {
    if (event.type !== 'message') {
      for (const listener of this.listeners) listener(event);
      return;
    }
    if (this.state.kind === 'live') this.accept(event.message);
    else this.state.held.push(event.message);
  }

  /** Live only: appends the next seq, ignores what is known, starts filling on a gap. */
  private accept(message: MessageData): void {
    if (message.seq <= this.lastSeq) return;
    if (message.seq === this.lastSeq + 1) {
      this.append(message);
      return;
    }
    this.state = { kind: 'filling', held: [message] };
    void this.fillGap(message.seq);
  }

  /**
   * Reads the seqs between lastSeq and `upTo` (exclusive) from storage, then goes live again.
   * When the room is gone (its tenant was deleted meanwhile) or the feed closed, what is held is
   * dropped: nobody will read it, and retrying would never end.
   */
  private async fillGap(upTo: number): Promise<void> {
    let gone = false;
    try {
      while (this.lastSeq + 1 < upTo && !this.closed) {
        const page = await this.storage.history({
          roomId: this.roomId,
          afterSeq: this.lastSeq,
          beforeSeq: upTo,
          limit: PAGE_SIZE,
        });
        const before = this.lastSeq;
        for (const m of page) if (m.seq === this.lastSeq + 1) this.append(m);
        if (this.lastSeq === before) {
          // Not visible yet (it cannot be lost: seqs are assigned and stored in one transaction),
          // unless the room itself is gone.
          if ((await this.storage.roomLastSeq(this.roomId)) === undefined) {
            gone = true;
            break;
          }
          this.logger.warn({ room_id: this.roomId, after_seq: before, up_to: upTo }, 'Waiting for a missing seq');
          await sleep(MISSING_SEQ_RETRY_MS);
        }
      }
    } catch (err) {
      this.logger.error({ err, room_id: this.roomId }, 'Filling a seq gap failed; retrying');
      await sleep(GAP_FAILURE_BACKOFF_MS);
    }
    if (gone || this.closed) this.state = { kind: 'live' };
    else this.goLive();
  }

  /** Goes live and processes what was held meanwhile, in seq order. */
  private goLive(): void {
    const held = this.state.kind === 'live' ? [] : this.state.held;
    this.state = { kind: 'live' };
    held.sort((a, b) => a.seq - b.seq);
    for (const m of held) {
      // accept() may start filling another gap, which holds what follows again.
      const state = this.state as FeedState;
      if (state.kind === 'live') this.accept(m);
      else state.held.push(m);
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
    if (this.state.kind !== 'live') return; // starting or filling already
    const stored = await this.storage.roomLastSeq(this.roomId);
    if (stored === undefined || stored <= this.lastSeq || this.state.kind !== 'live') return;
    this.state = { kind: 'filling', held: [] };
    await this.fillGap(stored + 1);
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
export class RoomFeeds {
  private readonly feeds = new Map<string, RoomFeed>();

  constructor(
    private readonly bus: EventBus,
    readonly storage: DeliveryStorage,
    private readonly logger: Logger,
  ) {}

  async acquire(roomId: string): Promise<RoomFeed> {
    let feed = this.feeds.get(roomId);
    if (!feed) {
      feed = new RoomFeed(roomId, this.bus, this.storage, this.logger);
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

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
