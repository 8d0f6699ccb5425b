import { z } from 'zod';
import type { Session } from '../auth/session.js';
import { isRetryableConflict, isUniqueViolation, type Database } from '../db/database.js';
import type { Appended, MessageStore, NewMessage } from '../db/messageStore.js';
import { invalid, isDatabaseUnavailable, tooLarge } from '../errors.js';
import type { EventBus } from '../events/bus.js';
import type { MessageData } from '../events/events.js';
import type { Logger } from '../logger.js';
import type { Metrics } from '../metrics.js';
import { GroupCommit } from './groupCommit.js';
import { newId } from './ids.js';
import type { Membership, RoomService } from './rooms.js';
import type { UsageService } from './usage.js';
import {
  check,
  checkJsonDepth,
  isStorableText,
  seqSchema,
  storableText,
  userIdSchema,
  utf8Bytes,
} from './validation.js';

export interface SendInput {
  content: unknown;
  meta?: unknown;
  clientMessageId?: unknown;
}

export interface HistoryInput {
  afterSeq?: unknown;
  beforeSeq?: unknown;
  limit?: unknown;
}

export const DEFAULT_PAGE = 50;
export const MAX_PAGE = 100;

const contentSchema = z
  .string({ error: 'must be a string' })
  .refine((s) => s.trim().length > 0, 'must not be empty')
  .refine(isStorableText, storableText);
// Validated but not copied: a copy made by assignment would drop an own `__proto__` key.
const metaSchema = z.custom<Record<string, unknown> | null | undefined>(
  (v) => v == null || (typeof v === 'object' && !Array.isArray(v)),
  { error: 'must be a JSON object' },
);
const clientMessageIdSchema = userIdSchema.nullish().transform((v) => v ?? null);
const limitSchema = z
  .number({ error: 'must be an integer' })
  .int('must be an integer')
  .min(1, 'must be at least 1')
  .transform((n) => Math.min(n, MAX_PAGE));

export class MessageService {
  private readonly writer: GroupCommit<NewMessage, Appended>;

  constructor(
    private readonly db: Database,
    /** The one message store (and page cache), shared with delivery's catch-up reads. */
    private readonly store: MessageStore,
    private readonly bus: EventBus,
    private readonly rooms: RoomService,
    private readonly usage: UsageService,
    private readonly metrics: Metrics,
    private readonly logger: Logger,
    private readonly maxMessageBytes: number,
  ) {
    this.writer = new GroupCommit((batch) => this.write(batch));
  }

  /** Stores the message (seq assigned), then publishes it. A retried client message id returns the original. */
  async send(session: Session, roomId: unknown, input: SendInput): Promise<Appended> {
    const member = await this.rooms.authorize(session, 'room:post', { roomId });
    const content = check(contentSchema, input.content, 'content');
    if (utf8Bytes(content) > this.maxMessageBytes) {
      throw tooLarge(`content must be at most ${this.maxMessageBytes} bytes`, 'content');
    }
    const meta = check(metaSchema, input.meta, 'meta') ?? null;
    checkJsonDepth(meta, 'meta');
    const metaJson = meta === null ? null : JSON.stringify(meta);
    if (metaJson !== null && utf8Bytes(metaJson) > this.maxMessageBytes) {
      throw tooLarge(`meta must be at most ${this.maxMessageBytes} bytes as JSON`, 'meta');
    }
    const clientMessageId = check(clientMessageIdSchema, input.clientMessageId, 'clientMessageId');
    return this.writer.submit({
      tenantId: member.tenantId,
      id: newId('msg'),
      roomId: member.roomId,
      senderId: member.userId,
      content,
      meta,
      metaJson,
      clientMessageId,
      createdAt: new Date(),
    });
  }

  async list(session: Session, roomId: unknown, input: HistoryInput): Promise<MessageData[]> {
    const member = await this.rooms.authorize(session, 'room:read', { roomId });
    const afterSeq = input.afterSeq == null ? undefined : check(seqSchema, input.afterSeq, 'afterSeq');
    const beforeSeq = input.beforeSeq == null ? undefined : check(seqSchema, input.beforeSeq, 'beforeSeq');
    const limit = input.limit == null ? DEFAULT_PAGE : check(limitSchema, input.limit, 'limit');
    return this.store.history({ roomId: member.roomId, afterSeq, beforeSeq, limit });
  }

  /** Moves the caller's delivered cursor forward to `seq` (never back) and tells the room. */
  async ack(session: Session, roomId: unknown, seq: unknown): Promise<void> {
    const member = await this.rooms.authorize(session, 'room:read', { roomId });
    const moved = await this.moveCursor(member, seq, 'deliveredSeq');
    if (moved)
      this.bus.publish('room', moved.roomId, {
        type: 'ack',
        roomId: moved.roomId,
        userId: moved.userId,
        seq: moved.seq,
      });
  }

  /** Moves the caller's read cursor forward to `seq` (never back). */
  async markRead(session: Session, roomId: unknown, seq: unknown): Promise<void> {
    const member = await this.rooms.authorize(session, 'room:read', { roomId });
    await this.moveCursor(member, seq, 'readSeq');
  }

  /** Moves one of the member's cursors forward; a seq beyond the room's last_seq is refused. */
  private async moveCursor(member: Membership, seqInput: unknown, cursor: 'deliveredSeq' | 'readSeq') {
    const seq = check(seqSchema, seqInput, 'seq');
    const { moved, room } = await this.db.transaction(async (tx) => {
      const { count } = await tx.roomMember.updateMany({
        where: { roomId: member.roomId, userId: member.userId, [cursor]: { lt: seq }, room: { lastSeq: { gte: seq } } },
        data: { [cursor]: seq },
      });
      const room =
        count > 0 ? null : await tx.room.findUnique({ where: { id: member.roomId }, select: { lastSeq: true } });
      return { moved: count > 0, room };
    });
    if (room && seq > room.lastSeq) {
      throw invalid(`seq ${seq} is beyond the room's last_seq ${room.lastSeq}`, 'seq');
    }
    return moved ? { roomId: member.roomId, userId: member.userId, seq } : undefined;
  }

  /** Resolves when every accepted message is stored (graceful shutdown). */
  idle(): Promise<void> {
    return this.writer.idle();
  }

  private async write(batch: NewMessage[]): Promise<Array<Appended | Error>> {
    let results: Array<Appended | Error>;
    try {
      results = await this.appendWithRetries(batch);
    } catch (err) {
      // One message the database refuses must not fail the others it was batched with (other
      // senders, other tenants): unless the database itself is away, write them one by one.
      if (batch.length === 1 || isDatabaseUnavailable(err)) throw err;
      this.logger.warn({ err, batch: batch.length }, 'Message batch failed; writing its messages one by one');
      results = [];
      for (const message of batch) {
        try {
          results.push(...(await this.appendWithRetries([message])));
        } catch (single) {
          results.push(single instanceof Error ? single : new Error(String(single)));
        }
      }
    }
    this.metrics.sendBatchSize.observe(batch.length);
    const stored = results.flatMap((result, i) =>
      result instanceof Error || result.duplicate ? [] : [{ message: result.message, tenantId: batch[i]!.tenantId }],
    );
    // Published on the next turn of the event loop: the senders' answers go out first, then the
    // fan-out (which may write to thousands of sockets). Batches publish in commit order.
    setImmediate(() => {
      for (const { message, tenantId } of stored) {
        this.bus.publish('room', message.roomId, { type: 'message', message });
        this.usage.recordMessages(tenantId, 1);
        this.metrics.messagesStored.inc();
      }
    });
    return results;
  }

  private async appendWithRetries(batch: NewMessage[]): Promise<Array<Appended | Error>> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.store.append(batch);
      } catch (err) {
        // Another instance stored the same client message id first (the retry finds it), or two
        // instances' batches collided on PostgreSQL (the retry goes through).
        if (attempt < 3 && (isUniqueViolation(err) || isRetryableConflict(err))) continue;
        this.logger.error({ err, batch: batch.length }, 'Message batch failed');
        throw err;
      }
    }
  }
}
