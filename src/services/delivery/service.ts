import type { Session } from '../../auth/session.js';
import type { Database } from '../../db/database.js';
import type { MessageStore } from '../../db/messageStore.js';
import { publicError } from '../../errors.js';
import type { EventBus } from '../../events/bus.js';
import { userKey } from '../../events/events.js';
import type { Logger } from '../../logger.js';
import { EventQueue, type Connection } from '../eventQueue.js';
import type { RoomService } from '../rooms.js';
import { check, seqSchema } from '../validation.js';
import { MessageStream } from './messageStream.js';
import { RoomFeeds, type DeliveryStorage, type RoomSignal } from './roomFeed.js';

export interface RoomCursorInput {
  roomId: string;
  afterSeq: number;
}

/** Everything a user's connection receives from their rooms (see DeliveryService.userRooms). */
export interface UserRoomStreams {
  messages: MessageStream;
  /** Typing, presence and acks of the same rooms; absent unless asked for. */
  signals: EventQueue<RoomSignal> | undefined;
}

/** A room of the user and where their clients acknowledged delivery up to. */
export interface Membership {
  roomId: string;
  deliveredSeq: number;
}

/** Real-time delivery of stored messages and of room events, for every transport. */
export class DeliveryService {
  private readonly feeds: RoomFeeds;

  constructor(
    private readonly db: Database,
    /** The one message store (and page cache), shared with MessageService's history. */
    store: MessageStore,
    private readonly bus: EventBus,
    private readonly rooms: RoomService,
    logger: Logger,
  ) {
    const storage: DeliveryStorage = {
      history: (q) => store.history(q),
      roomLastSeq: async (roomId) =>
        (await db.read.room.findUnique({ where: { id: roomId }, select: { lastSeq: true } }))?.lastSeq,
    };
    this.feeds = new RoomFeeds(bus, storage, logger);
  }

  /** `messageAdded`: stored messages with seq > afterSeq, then live ones. */
  async roomMessages(
    session: Session,
    roomId: unknown,
    afterSeq: unknown,
    connection?: Connection,
  ): Promise<MessageStream> {
    const member = await this.rooms.requireMember(session, roomId);
    const after = afterSeq == null ? undefined : check(seqSchema, afterSeq, 'afterSeq');
    const stream = new MessageStream(this.feeds, connection);
    try {
      await stream.addRoom(member.roomId, after);
    } catch (err) {
      await stream.return();
      throw err;
    }
    return stream;
  }

  /** `inbox`: the messages of every room of the user (see userRooms). */
  async inbox(
    session: Session,
    after: RoomCursorInput[] | null | undefined,
    connection?: Connection,
  ): Promise<MessageStream> {
    return (await this.userRooms(session, { after, connection })).messages;
  }

  /**
   * Every room of the user, each from its cursor in `after` (or the member's delivered seq), then
   * live; with `signals`, their typing, presence and acks too. Rooms the user joins later are added
   * to both as they are joined: joins are listened for before the rooms are listed, so a room
   * joined in between is not missed. The two streams end together.
   */
  async userRooms(
    session: Session,
    options: { after?: RoomCursorInput[] | null; connection?: Connection; signals?: boolean },
  ): Promise<UserRoomStreams> {
    const { tenantId, userId } = session.requireUser();
    const cursors = new Map<string, number>();
    for (const [i, c] of (options.after ?? []).entries())
      cursors.set(c.roomId, check(seqSchema, c.afterSeq, `after[${i}].afterSeq`));
    const messages = new MessageStream(this.feeds, options.connection);
    const signals = options.signals ? new EventQueue<RoomSignal>(options.connection) : undefined;
    if (signals) {
      messages.onClose(() => void signals.return());
      signals.onClose(() => void messages.return());
    }
    const added = new Set<string>();
    const addRoom = async (roomId: string, afterSeq: number) => {
      if (added.has(roomId)) return;
      added.add(roomId);
      await messages.addRoom(roomId, afterSeq);
      if (signals) await this.watchRoom(signals, roomId);
    };
    messages.onClose(
      this.bus.subscribe('user', userKey(tenantId, userId), (event) => {
        if (event.type === 'roomJoined') addRoom(event.roomId, 0).catch((err: unknown) => messages.fail(err));
      }),
    );
    try {
      await this.bus.ready('user', userKey(tenantId, userId));
      const memberships = await this.memberships(tenantId, userId);
      await Promise.all(memberships.map((m) => addRoom(m.roomId, cursors.get(m.roomId) ?? m.deliveredSeq)));
    } catch (err) {
      // Release whatever was acquired before the failure.
      await messages.return();
      throw publicError(err);
    }
    return { messages, signals };
  }

  /** The rooms of a user (a method of its own so a test can join a room right after the listing). */
  protected memberships(tenantId: string, userId: string): Promise<Membership[]> {
    return this.db.read.roomMember.findMany({
      where: { tenantId, userId },
      select: { roomId: true, deliveredSeq: true },
    });
  }

  /** Typing, presence and ack events of one room, live only. */
  async roomEvents(session: Session, roomId: unknown, connection?: Connection): Promise<EventQueue<RoomSignal>> {
    const member = await this.rooms.requireMember(session, roomId);
    const queue = new EventQueue<RoomSignal>(connection);
    try {
      await this.watchRoom(queue, member.roomId);
    } catch (err) {
      await queue.return();
      throw err;
    }
    return queue;
  }

  /** Feeds the queue with the room's signals until it ends. Callers have authorised the room. */
  private async watchRoom(queue: EventQueue<RoomSignal>, roomId: string): Promise<void> {
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
