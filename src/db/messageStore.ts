import { sqltag as sql } from '@prisma/client/runtime/client';
import { LRUCache } from 'lru-cache';
import { notFound } from '../errors.js';
import type { MessageData } from '../events/events.js';
import type { Database, Db } from './database.js';

/**
 * The message hot path in SQL. A batch of messages, possibly for several rooms, is written in one
 * transaction of two statements sent in a single trip through Prisma:
 *
 *   1. UPDATE "Room" SET "lastSeq" = "lastSeq" + n ... RETURNING: reserves n seqs per room without a
 *      read-modify-write round trip (on PostgreSQL the row lock also orders concurrent instances);
 *   2. INSERT INTO "Message" ... SELECT ... JOIN "Room": each row's seq is computed from the room's
 *      new lastSeq, the same way the caller computes it from what step 1 returned.
 *
 * Both statements take the whole batch as one JSON parameter, so their text never changes with the
 * batch size (the driver prepares short, constant statements). Values are stored in the
 * representation Prisma uses on each provider (DateTime on SQLite is ISO text with "+00:00").
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

/** Stands in for a stored `meta` that cannot be read back, so one bad row never breaks a page. */
export const UNREADABLE_META = Object.freeze({ _unreadable: true });
const reportedUnreadable = new Set<string>();

/** Parses a stored `meta` text; a row that does not parse gets UNREADABLE_META (reported once per message id). */
export function parseMeta(messageId: string, meta: string | null): Record<string, unknown> | null {
  if (meta === null) return null;
  try {
    const value: unknown = JSON.parse(meta);
    if (value === null || typeof value === 'object') return value as Record<string, unknown> | null;
  } catch {
    // falls through to the marker
  }
  if (!reportedUnreadable.has(messageId) && reportedUnreadable.size < 10_000) {
    reportedUnreadable.add(messageId);
    process.emitWarning(
      `message ${messageId} has unreadable meta; served as { "_unreadable": true }`,
      'ChatAPIWarning',
    );
  }
  return { ...UNREADABLE_META };
}

export function rowToMessage(row: MessageRow): MessageData {
  return {
    id: row.id,
    roomId: row.roomId,
    seq: Number(row.seq),
    senderId: row.senderId,
    content: row.content,
    meta: parseMeta(row.id, row.meta),
    clientMessageId: row.clientMessageId,
    createdAt: new Date(row.createdAt).toISOString(),
  };
}

const idempotencyKey = (m: { roomId: string; senderId: string; clientMessageId: string | null }) =>
  `${m.roomId}\u0000${m.senderId}\u0000${m.clientMessageId}`;

/** One reserved row: [id, roomId, n (messages for the room in this batch), k (1..n), sender, content, meta, cmid, createdAt]. */
type Row = [string, string, number, number, string, string, string | null, string | null, string];

interface Dialect {
  reserve(db: Db, rooms: string): ReturnType<Db['$queryRaw']>;
  insert(db: Db, rows: string): ReturnType<Db['$executeRaw']>;
  /** createdAt as this provider's DateTime representation, for the JSON rows. */
  timestamp(date: Date): string;
}

const sqlite: Dialect = {
  reserve: (db, rooms) => db.$queryRaw`UPDATE "Room" SET "lastSeq" = "Room"."lastSeq" + (j.value ->> 1)
    FROM json_each(${rooms}) AS j WHERE "Room"."id" = (j.value ->> 0) RETURNING "Room"."id", "Room"."lastSeq"`,
  insert: (db, rows) => db.$executeRaw`INSERT INTO "Message" (${columns})
    SELECT j.value ->> 0, j.value ->> 1, r."lastSeq" - (j.value ->> 2) + (j.value ->> 3), j.value ->> 4, j.value ->> 5,
      j.value ->> 6, j.value ->> 7, j.value ->> 8
    FROM json_each(${rows}) AS j JOIN "Room" r ON r."id" = (j.value ->> 1)`,
  timestamp: (date) => date.toISOString().replace('Z', '+00:00'),
};

const postgresql: Dialect = {
  reserve: (db, rooms) => db.$queryRaw`UPDATE "Room" SET "lastSeq" = "Room"."lastSeq" + (j.value ->> 1)::int
    FROM json_array_elements(${rooms}::json) AS j(value) WHERE "Room"."id" = (j.value ->> 0) RETURNING "Room"."id", "Room"."lastSeq"`,
  insert: (db, rows) => db.$executeRaw`INSERT INTO "Message" (${columns})
    SELECT j.value ->> 0, j.value ->> 1, r."lastSeq" - (j.value ->> 2)::int + (j.value ->> 3)::int, j.value ->> 4, j.value ->> 5,
      j.value ->> 6, j.value ->> 7, (j.value ->> 8)::timestamp(3)
    FROM json_array_elements(${rows}::json) AS j(value) JOIN "Room" r ON r."id" = (j.value ->> 1)`,
  timestamp: (date) => date.toISOString(),
};

export class MessageStore {
  private readonly dialect: Dialect;
  /**
   * Full pages of history by (room, after seq, limit). Messages are never edited and seqs never
   * reused, so a page that came back full can never change: clients paging through a room (a
   * reconnect storm catching up, everyone opening a busy channel) are served from memory.
   * Bounded by size; a room's pages go with its tenant (membership is checked before any read).
   */
  private readonly pages = new LRUCache<string, { messages: MessageData[]; bytes: number }>({
    maxSize: 32 * 1024 * 1024,
    // Parsed JavaScript takes about three times its JSON text (content, meta and all).
    sizeCalculation: (page) => 1_000 + page.bytes * 3,
  });

  constructor(private readonly db: Database) {
    this.dialect = db.provider === 'sqlite' ? sqlite : postgresql;
  }

  /** Results line up with `batch`; an entry is an Error when that message could not be written. */
  async append(batch: NewMessage[]): Promise<Array<Appended | Error>> {
    const results: Array<Appended | Error | undefined> = new Array(batch.length);

    // Retries: a client message id seen before (in storage or earlier in this batch). Reading
    // before the transaction is safe here: batches of one process are written one at a time, and a
    // race with another instance ends in a unique violation, which the caller retries.
    const existing = new Map<string, MessageData>();
    const retried = batch.filter((m) => m.clientMessageId !== null);
    if (retried.length > 0) {
      const rooms = JSON.stringify([...new Set(retried.map((m) => m.roomId))]);
      const ids = JSON.stringify([...new Set(retried.map((m) => m.clientMessageId))]);
      const rows = await this.db.read.$queryRaw<MessageRow[]>`SELECT ${columns} FROM "Message"
        WHERE "roomId" IN (SELECT value FROM ${this.jsonValues(rooms)}) AND "clientMessageId" IN (SELECT value FROM ${this.jsonValues(ids)})`;
      for (const row of rows) existing.set(idempotencyKey(row), rowToMessage(row));
    }
    const firstInBatch = new Map<string, number>();
    const aliases: Array<[number, number]> = [];
    const perRoom = new Map<string, number[]>();
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
      const list = perRoom.get(m.roomId);
      if (list) list.push(i);
      else perRoom.set(m.roomId, [i]);
    });

    if (perRoom.size > 0) {
      // Rooms in a fixed order, so concurrent batches on several instances lock them alike.
      const roomIds = [...perRoom.keys()].sort();
      const rows: Row[] = [];
      for (const roomId of roomIds) {
        const indexes = perRoom.get(roomId)!;
        indexes.forEach((i, k) => {
          const m = batch[i]!;
          rows.push([
            m.id,
            roomId,
            indexes.length,
            k + 1,
            m.senderId,
            m.content,
            m.metaJson,
            m.clientMessageId,
            this.dialect.timestamp(m.createdAt),
          ]);
        });
      }
      const [reserved] = (await this.db.batch((db) => [
        this.dialect.reserve(db, JSON.stringify(roomIds.map((id) => [id, perRoom.get(id)!.length]))),
        this.dialect.insert(db, JSON.stringify(rows)),
      ])) as [Array<{ id: string; lastSeq: number | bigint }>, number];
      const lastSeq = new Map(reserved.map((r) => [r.id, Number(r.lastSeq)]));
      for (const [roomId, indexes] of perRoom) {
        const last = lastSeq.get(roomId);
        indexes.forEach((i, k) => {
          if (last === undefined) {
            results[i] = notFound('Room');
            return;
          }
          const m = batch[i]!;
          results[i] = {
            duplicate: false,
            message: {
              id: m.id,
              roomId,
              seq: last - indexes.length + k + 1,
              senderId: m.senderId,
              content: m.content,
              meta: m.meta,
              clientMessageId: m.clientMessageId,
              createdAt: m.createdAt.toISOString(),
            },
          };
        });
      }
    }
    for (const [i, first] of aliases) {
      const original = results[first]!;
      results[i] = original instanceof Error ? original : { message: original.message, duplicate: true };
    }
    return results as Array<Appended | Error>;
  }

  private jsonValues(json: string) {
    return this.db.provider === 'sqlite'
      ? sql`json_each(${json})`
      : sql`json_array_elements_text(${json}::json) AS j(value)`;
  }

  /**
   * A page of history, always in ascending seq order. With `afterSeq` it is the first `limit`
   * messages after it; otherwise the last `limit` messages before `beforeSeq` (or the latest).
   */
  async history(q: HistoryQuery): Promise<MessageData[]> {
    const cacheable = q.afterSeq !== undefined && q.beforeSeq === undefined;
    const key = `${q.roomId}\u0000${q.afterSeq}\u0000${q.limit}`;
    const cached = cacheable ? this.pages.get(key) : undefined;
    if (cached) return cached.messages;
    const page = await readHistoryPage(this.db.read, q, this.db.provider);
    if (cacheable && page.messages.length === q.limit) this.pages.set(key, page);
    return page.messages;
  }
}

export interface HistoryQuery {
  roomId: string;
  afterSeq?: number;
  beforeSeq?: number;
  limit: number;
}

/**
 * Reads a page as one JSON document built by the database (one row, one column), so neither Prisma
 * nor the driver maps rows and columns one by one: the page arrives in MessageData's shape.
 */
export async function readHistory(db: Db, q: HistoryQuery, provider: 'sqlite' | 'postgresql'): Promise<MessageData[]> {
  return (await readHistoryPage(db, q, provider)).messages;
}

/** A page of history and the length of the JSON text it came as. */
async function readHistoryPage(
  db: Db,
  q: HistoryQuery,
  provider: 'sqlite' | 'postgresql',
): Promise<{ messages: MessageData[]; bytes: number }> {
  const lower = q.afterSeq !== undefined ? sql`AND "seq" > ${q.afterSeq}` : sql``;
  const upper = q.beforeSeq !== undefined ? sql`AND "seq" < ${q.beforeSeq}` : sql``;
  // After a seq: the first `limit` from there; otherwise the last `limit` (before beforeSeq).
  const window = sql`SELECT ${columns} FROM "Message" WHERE "roomId" = ${q.roomId} ${lower} ${upper}
    ORDER BY "seq" ${q.afterSeq !== undefined ? sql`ASC` : sql`DESC`} LIMIT ${q.limit}`;
  const [row] =
    provider === 'sqlite'
      ? await db.$queryRaw<Array<{ page: string | null }>>`SELECT json_group_array(json_object(
          'id', "id", 'roomId', "roomId", 'seq', "seq", 'senderId', "senderId", 'content', "content", 'meta', "meta",
          'clientMessageId', "clientMessageId", 'createdAt', strftime('%Y-%m-%dT%H:%M:%fZ', "createdAt")) ORDER BY "seq") AS "page"
          FROM (${window})`
      : await db.$queryRaw<Array<{ page: string | null }>>`SELECT json_agg(json_build_object(
          'id', "id", 'roomId', "roomId", 'seq', "seq", 'senderId', "senderId", 'content', "content", 'meta', "meta",
          'clientMessageId', "clientMessageId", 'createdAt', to_char("createdAt", 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')) ORDER BY "seq")::text AS "page"
          FROM (${window}) AS w`;
  if (!row?.page) return { messages: [], bytes: 0 };
  // meta comes as its stored text and is parsed here, one row at a time: the database's own JSON
  // functions refuse some texts JavaScript stored (SQLite: nesting over 1,000), which failed the whole page.
  const messages = JSON.parse(row.page) as Array<Omit<MessageData, 'meta'> & { meta: string | null }>;
  return { messages: messages.map((m) => ({ ...m, meta: parseMeta(m.id, m.meta) })), bytes: row.page.length };
}
