import { join, sqltag as sql } from '@prisma/client/runtime/client';
import { notFound } from '../errors.js';
import type { MessageData } from '../events/events.js';
import type { Db, Tx } from './database.js';

/**
 * The message hot path in SQL: a batch of messages, possibly for several rooms, written in one
 * transaction with one `UPDATE ... RETURNING` per room (seqs without a read-modify-write round
 * trip; on PostgreSQL the row lock also orders instances) and one multi-row INSERT. The SQL is
 * portable between SQLite and PostgreSQL and stores values in the representation Prisma uses.
 */
export interface NewMessage {
  /** Not stored with the message (its room says it); carried for accounting. */
  tenantId: string;
  id: string;
  roomId: string;
  senderId: string;
  content: string;
  meta: Record<string, unknown> | null;
  /** `meta` serialised once, as stored. */
  metaJson: string | null;
  clientMessageId: string | null;
  createdAt: Date;
}

export interface Appended {
  message: MessageData;
  /** The message existed already (same sender, room and client message id). */
  duplicate: boolean;
}

interface MessageRow {
  id: string;
  roomId: string;
  seq: number | bigint;
  senderId: string;
  content: string;
  meta: string | null;
  clientMessageId: string | null;
  createdAt: Date | string;
}

const columns = sql`"id", "roomId", "seq", "senderId", "content", "meta", "clientMessageId", "createdAt"`;

export function rowToMessage(row: MessageRow): MessageData {
  return {
    id: row.id,
    roomId: row.roomId,
    seq: Number(row.seq),
    senderId: row.senderId,
    content: row.content,
    meta: row.meta === null ? null : (JSON.parse(row.meta) as Record<string, unknown>),
    clientMessageId: row.clientMessageId,
    createdAt: new Date(row.createdAt).toISOString(),
  };
}

const idempotencyKey = (m: { roomId: string; senderId: string; clientMessageId: string | null }) =>
  `${m.roomId}\u0000${m.senderId}\u0000${m.clientMessageId}`;

/** Results line up with `batch`; an entry is an Error when that message could not be written. */
export async function appendMessages(tx: Tx, batch: NewMessage[]): Promise<Array<Appended | Error>> {
  const results: Array<Appended | Error | undefined> = new Array(batch.length);

  // Retries: a client message id seen before (in the database or earlier in this batch).
  const existing = new Map<string, MessageData>();
  const retried = batch.filter((m) => m.clientMessageId !== null);
  if (retried.length > 0) {
    const rows = await tx.$queryRaw<MessageRow[]>`SELECT ${columns} FROM "Message"
      WHERE "roomId" IN (${join([...new Set(retried.map((m) => m.roomId))])})
        AND "clientMessageId" IN (${join([...new Set(retried.map((m) => m.clientMessageId!))])})`;
    for (const row of rows) existing.set(idempotencyKey(row), rowToMessage(row));
  }
  const firstInBatch = new Map<string, number>();
  const aliases: Array<[number, number]> = [];
  const fresh = new Map<string, number[]>();
  batch.forEach((m, i) => {
    if (m.clientMessageId !== null) {
      const key = idempotencyKey(m);
      const stored = existing.get(key);
      if (stored) {
        results[i] = { message: stored, duplicate: true };
        return;
      }
      const first = firstInBatch.get(key);
      if (first !== undefined) {
        aliases.push([i, first]);
        return;
      }
      firstInBatch.set(key, i);
    }
    const list = fresh.get(m.roomId);
    if (list) list.push(i);
    else fresh.set(m.roomId, [i]);
  });

  // Seqs: rooms in a fixed order, so concurrent batches on several instances cannot deadlock.
  const values = [];
  for (const roomId of [...fresh.keys()].sort()) {
    const indexes = fresh.get(roomId)!;
    const updated = await tx.$queryRaw<Array<{ lastSeq: number | bigint }>>`UPDATE "Room"
      SET "lastSeq" = "lastSeq" + ${indexes.length} WHERE "id" = ${roomId} RETURNING "lastSeq"`;
    if (updated.length === 0) {
      for (const i of indexes) results[i] = notFound('Room');
      continue;
    }
    let seq = Number(updated[0]!.lastSeq) - indexes.length;
    for (const i of indexes) {
      const m = batch[i]!;
      seq += 1;
      values.push(sql`(${m.id}, ${m.roomId}, ${seq}, ${m.senderId}, ${m.content}, ${m.metaJson}, ${m.clientMessageId}, ${m.createdAt})`);
      results[i] = {
        duplicate: false,
        message: {
          id: m.id,
          roomId: m.roomId,
          seq,
          senderId: m.senderId,
          content: m.content,
          meta: m.meta,
          clientMessageId: m.clientMessageId,
          createdAt: m.createdAt.toISOString(),
        },
      };
    }
  }
  if (values.length > 0) await tx.$executeRaw`INSERT INTO "Message" (${columns}) VALUES ${join(values)}`;
  for (const [i, first] of aliases) {
    const original = results[first]!;
    results[i] = original instanceof Error ? original : { message: original.message, duplicate: true };
  }
  return results as Array<Appended | Error>;
}

export interface HistoryQuery {
  roomId: string;
  afterSeq?: number;
  beforeSeq?: number;
  limit: number;
}

/**
 * A page of history, always in ascending seq order. With `afterSeq` it is the first `limit`
 * messages after it; otherwise the last `limit` messages before `beforeSeq` (or the latest).
 */
export async function readHistory(db: Db, q: HistoryQuery): Promise<MessageData[]> {
  const lower = q.afterSeq !== undefined ? sql`AND "seq" > ${q.afterSeq}` : sql``;
  const upper = q.beforeSeq !== undefined ? sql`AND "seq" < ${q.beforeSeq}` : sql``;
  const ascending = q.afterSeq !== undefined;
  const rows = await db.$queryRaw<MessageRow[]>`SELECT ${columns} FROM "Message"
    WHERE "roomId" = ${q.roomId} ${lower} ${upper}
    ORDER BY "seq" ${ascending ? sql`ASC` : sql`DESC`} LIMIT ${q.limit}`;
  const messages = rows.map(rowToMessage);
  return ascending ? messages : messages.reverse();
}
