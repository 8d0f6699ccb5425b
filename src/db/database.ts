import { mkdirSync, statfsSync } from 'node:fs';
import path from 'node:path';
import { PrismaBetterSQLite3 } from '@prisma/adapter-better-sqlite3';
import type { DatabaseConfig } from '../config.js';
import type { Logger } from '../logger.js';
import type { Prisma, PrismaClient } from './generated/sqlite/client.js';

/** A query built but not yet sent (Prisma runs it when awaited or inside `batch`). */
export type PendingQuery = Prisma.PrismaPromise<unknown>;
import { startCheckpointer, type Checkpointer } from './checkpointer.js';
import { migratePostgres, migrateSqlite } from './migrate.js';

/**
 * Both generated clients have the same models and methods; services are written against this
 * one type so they never know which provider they run on.
 */
export type Db = PrismaClient;
export type Tx = Prisma.TransactionClient;

export interface Database {
  readonly provider: DatabaseConfig['provider'];
  /** For reads. Sees committed data only. */
  readonly read: Db;
  /**
   * The only way to write. On SQLite all writers share one connection, so a write outside a
   * transaction could land inside another request's open transaction; routing every write through
   * here rules that out.
   */
  transaction<T>(fn: (tx: Tx) => Promise<T>, options?: TransactionOptions): Promise<T>;
  /**
   * Independent statements in one transaction, in order, in a single trip through Prisma (no reads
   * between them, so cheaper than `transaction`): the hot path's shape.
   */
  batch(build: (db: Db) => PendingQuery[]): Promise<unknown[]>;
  /**
   * Why the last write failed for want of storage ("disk full"), until a write succeeds again;
   * undefined while writes go through. SQLite only (PostgreSQL reports its own state).
   */
  readonly storageFailure: string | undefined;
  /** Applies pending migrations (creating the SQLite file and folder if needed). */
  migrate(): Promise<void>;
  close(): Promise<void>;
}

export interface TransactionOptions {
  /**
   * A health probe: it rewrites one existing row, which can succeed on a full disk, so its success
   * clears `storageFailure` only once the file system has room again.
   */
  probe?: boolean;
}

const transactionOptions = { maxWait: 30_000, timeout: 30_000 };

/** Free space below which a successful probe does not count as the disk having room again. */
const MIN_FREE_BYTES = 1024 * 1024;

/** SQLite's SQLITE_FULL or the OS's ENOSPC, however Prisma wrapped it. */
export function isDiskFull(err: unknown): boolean {
  let e = err as { code?: string; message?: string; cause?: unknown; meta?: unknown } | undefined;
  for (let depth = 0; depth < 4 && e && typeof e === 'object'; depth++, e = e.cause as typeof e) {
    const text = `${e.code ?? ''} ${e.message ?? ''} ${JSON.stringify(e.meta ?? '')}`;
    if (/SQLITE_FULL|database or disk is full|ENOSPC|No space left on device/i.test(text)) return true;
  }
  return false;
}

/** A conflict a retry resolves: PostgreSQL deadlock or serialization failure between instances. */
export function isRetryableConflict(err: unknown): boolean {
  const text = `${(err as { meta?: { code?: string } })?.meta?.code ?? ''} ${(err as Error)?.message ?? ''}`;
  return /40P01|40001|deadlock detected|could not serialize/i.test(text);
}

export function isUniqueViolation(err: unknown): boolean {
  const e = err as { code?: string; message?: string; meta?: { code?: string } } | undefined;
  if (!e) return false;
  if (e.code === 'P2002') return true;
  return e.code === 'P2010' && /UNIQUE constraint failed|23505|unique constraint/i.test(`${e.meta?.code} ${e.message}`);
}

export function createDatabase(config: DatabaseConfig, logger: Logger): Database {
  return config.provider === 'sqlite' ? sqliteDatabase(config, logger) : postgresDatabase(config.url, logger);
}

function sqliteDatabase(config: Extract<DatabaseConfig, { provider: 'sqlite' }>, logger: Logger): Database {
  let writer: Db | undefined;
  let reader: Db | undefined;
  let checkpointer: Checkpointer | undefined;
  let storageFailure: string | undefined;
  const url = `file:${config.file}`;
  const opened = () => {
    if (!writer || !reader) throw new Error('database used before migrate()');
    return { writer, reader };
  };
  const hasRoom = () => {
    try {
      const fs = statfsSync(path.dirname(config.file));
      return fs.bavail * fs.bsize >= MIN_FREE_BYTES;
    } catch {
      return false;
    }
  };
  /** Remembers a full disk from any write until a write succeeds again. */
  const tracked = async <T>(write: Promise<T>, probe = false): Promise<T> => {
    try {
      const result = await write;
      if (storageFailure && (!probe || hasRoom())) {
        logger.info({ file: config.file }, 'Database writable again');
        storageFailure = undefined;
      }
      return result;
    } catch (err) {
      if (isDiskFull(err)) {
        if (!storageFailure)
          logger.error({ err, file: config.file }, 'Disk full: writes answer 503 until space returns');
        storageFailure = 'disk full';
      }
      throw err;
    }
  };
  return {
    provider: 'sqlite',
    get read() {
      return opened().reader;
    },
    get storageFailure() {
      return storageFailure;
    },
    transaction: (fn, options) => tracked(opened().writer.$transaction(fn, transactionOptions), options?.probe),
    batch: (build) => {
      const { writer: db } = opened();
      return tracked(db.$transaction(build(db)));
    },
    async migrate() {
      mkdirSync(path.dirname(config.file), { recursive: true });
      migrateSqlite(config.file, config.busyTimeoutMs, logger);
      const { PrismaClient } = await import('./generated/sqlite/client.js');
      writer = new PrismaClient({
        adapter: releasingOnFailedEnd(new PrismaBetterSQLite3({ url, timeout: config.busyTimeoutMs })),
      });
      reader = new PrismaClient({
        adapter: new PrismaBetterSQLite3({ url, readonly: true, timeout: config.busyTimeoutMs }),
      });
      // Per-connection settings; nothing else runs on the writer yet. A 64 MiB page cache keeps
      // the indexes of a busy messages table in memory (measured: a third less time per inserted
      // row than SQLite's 2 MiB default once the table holds ~100k messages).
      await writer.$executeRawUnsafe(`PRAGMA synchronous = ${config.synchronous}`);
      await writer.$executeRawUnsafe('PRAGMA foreign_keys = ON');
      await writer.$executeRawUnsafe('PRAGMA cache_size = -65536');
      await reader.$queryRawUnsafe('PRAGMA cache_size = -32768');
      // Checkpoints happen on a worker thread; the writer only steps in if the log passes ~40 MiB.
      await writer.$queryRawUnsafe('PRAGMA wal_autocheckpoint = 10000');
      checkpointer = startCheckpointer(config.file, logger);
    },
    async close() {
      await checkpointer?.stop();
      // The writer last: the last connection to close checkpoints the WAL and removes it.
      await reader?.$disconnect();
      await writer?.$disconnect();
    },
  };
}

function postgresDatabase(url: string, logger: Logger): Database {
  let client: Db | undefined;
  const opened = () => {
    if (!client) throw new Error('database used before migrate()');
    return client;
  };
  return {
    provider: 'postgresql',
    get read() {
      return opened();
    },
    storageFailure: undefined,
    transaction: (fn) => opened().$transaction(fn, transactionOptions),
    batch: (build) => {
      const db = opened();
      return db.$transaction(build(db));
    },
    async migrate() {
      await migratePostgres(url, logger);
      const [{ PrismaClient }, { PrismaPg }] = await Promise.all([
        import('./generated/postgresql/client.js'),
        import('@prisma/adapter-pg'),
      ]);
      client = new PrismaClient({
        adapter: new PrismaPg({ connectionString: url, max: 10, connectionTimeoutMillis: 5_000 }),
      }) as unknown as Db;
    },
    async close() {
      await client?.$disconnect();
    },
  };
}

type SqliteFactory = PrismaBetterSQLite3;
type SqliteAdapter = Awaited<ReturnType<SqliteFactory['connect']>>;
type SqliteTransaction = Awaited<ReturnType<SqliteAdapter['startTransaction']>>;

/**
 * Keeps one failed COMMIT or ROLLBACK from wedging every later write. The adapter lets one
 * transaction at a time onto the connection and frees it in `commit()`/`rollback()`, which Prisma
 * calls only after its COMMIT or ROLLBACK statement went through. On a full disk SQLite fails the
 * statement with SQLITE_FULL and may roll the transaction back by itself, so Prisma's ROLLBACK then
 * fails too ("no transaction is active") and the connection stays taken forever: every later send,
 * room creation and health probe waits for it. Here a ROLLBACK with nothing to roll back is a no-op,
 * and a failed COMMIT or ROLLBACK rolls back what is left and frees the connection before failing.
 */
function releasingOnFailedEnd(factory: SqliteFactory): SqliteFactory {
  const connect = factory.connect.bind(factory);
  factory.connect = async () => {
    const adapter = await connect();
    const client = (adapter as unknown as { client: { inTransaction: boolean; exec(sql: string): void } }).client;
    const start = adapter.startTransaction.bind(adapter);
    adapter.startTransaction = async (isolationLevel) => {
      const tx: SqliteTransaction = await start(isolationLevel);
      const executeRaw = tx.executeRaw.bind(tx);
      tx.executeRaw = async (query) => {
        const ending = /^\s*(COMMIT|ROLLBACK)\b/i.exec(query.sql)?.[1]?.toUpperCase();
        if (ending === 'ROLLBACK' && !client.inTransaction) return 0;
        try {
          return await executeRaw(query);
        } catch (err) {
          if (ending) {
            try {
              if (client.inTransaction) client.exec('ROLLBACK');
            } catch {
              // nothing more to undo
            }
            await tx.rollback();
          }
          throw err;
        }
      };
      return tx;
    };
    return adapter;
  };
  return factory;
}
