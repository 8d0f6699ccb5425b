import { mkdirSync } from 'node:fs';
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
  transaction<T>(fn: (tx: Tx) => Promise<T>): Promise<T>;
  /**
   * Independent statements in one transaction, in order, in a single trip through Prisma (no reads
   * between them, so cheaper than `transaction`): the hot path's shape.
   */
  batch(build: (db: Db) => PendingQuery[]): Promise<unknown[]>;
  /** Applies pending migrations (creating the SQLite file and folder if needed). */
  migrate(): Promise<void>;
  close(): Promise<void>;
}

const transactionOptions = { maxWait: 30_000, timeout: 30_000 };

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
  const url = `file:${config.file}`;
  const opened = () => {
    if (!writer || !reader) throw new Error('database used before migrate()');
    return { writer, reader };
  };
  return {
    provider: 'sqlite',
    get read() {
      return opened().reader;
    },
    transaction: (fn) => opened().writer.$transaction(fn, transactionOptions),
    batch: (build) => {
      const { writer: db } = opened();
      return db.$transaction(build(db));
    },
    async migrate() {
      mkdirSync(path.dirname(config.file), { recursive: true });
      migrateSqlite(config.file, config.busyTimeoutMs, logger);
      const { PrismaClient } = await import('./generated/sqlite/client.js');
      writer = new PrismaClient({ adapter: new PrismaBetterSQLite3({ url, timeout: config.busyTimeoutMs }) });
      reader = new PrismaClient({ adapter: new PrismaBetterSQLite3({ url, readonly: true, timeout: config.busyTimeoutMs }) });
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
