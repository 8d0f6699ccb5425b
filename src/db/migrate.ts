import { createHash, randomUUID } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Sqlite from 'better-sqlite3';
import type { Logger } from '../logger.js';

/**
 * Applies the committed migrations (prisma/<provider>/migrations/<name>/migration.sql) at start-up,
 * recording each in `_prisma_migrations` exactly as `prisma migrate deploy` does, so Prisma's own
 * tooling agrees wherever its native engine is available. Runs through the same drivers Prisma's
 * adapters wrap, because a migration file holds many statements and Prisma's raw API runs one.
 */
export interface Migration {
  name: string;
  sql: string;
  checksum: string;
}

/** Prisma's advisory-lock key for migrations: instances (and `prisma migrate`) take turns. */
const PRISMA_MIGRATION_LOCK = 72707369;

function projectRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  while (!existsSync(path.join(dir, 'prisma', 'models.prisma'))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error('cannot find the prisma/ folder next to ChatAPI');
    dir = parent;
  }
  return dir;
}

export function loadMigrations(provider: 'sqlite' | 'postgresql'): Migration[] {
  const dir = path.join(projectRoot(), 'prisma', provider, 'migrations');
  return readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(path.join(dir, entry.name, 'migration.sql')))
    .map((entry) => entry.name)
    .sort()
    .map((name) => {
      const sql = readFileSync(path.join(dir, name, 'migration.sql'), 'utf8');
      return { name, sql, checksum: createHash('sha256').update(sql).digest('hex') };
    });
}

interface AppliedRow {
  migration_name: string;
  checksum: string;
  finished_at: unknown;
  rolled_back_at: unknown;
}

function pending(migrations: Migration[], applied: AppliedRow[], logger: Logger): Migration[] {
  const done = new Map<string, AppliedRow>();
  for (const row of applied) {
    if (row.rolled_back_at) continue;
    if (!row.finished_at) {
      throw new Error(
        `migration ${row.migration_name} failed earlier and was not resolved; fix the database, then mark it with \`prisma migrate resolve\``,
      );
    }
    done.set(row.migration_name, row);
  }
  for (const m of migrations) {
    const row = done.get(m.name);
    if (row && row.checksum !== m.checksum) {
      logger.warn({ migration: m.name }, 'Migration file changed after it was applied');
    }
  }
  return migrations.filter((m) => !done.has(m.name));
}

const SQLITE_TABLE = `CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
    "id"                    TEXT PRIMARY KEY NOT NULL,
    "checksum"              TEXT NOT NULL,
    "finished_at"           DATETIME,
    "migration_name"        TEXT NOT NULL,
    "logs"                  TEXT,
    "rolled_back_at"        DATETIME,
    "started_at"            DATETIME NOT NULL DEFAULT current_timestamp,
    "applied_steps_count"   INTEGER UNSIGNED NOT NULL DEFAULT 0
)`;

const POSTGRES_TABLE = `CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
    "id"                    VARCHAR(36) PRIMARY KEY NOT NULL,
    "checksum"              VARCHAR(64) NOT NULL,
    "finished_at"           TIMESTAMPTZ,
    "migration_name"        VARCHAR(255) NOT NULL,
    "logs"                  TEXT,
    "rolled_back_at"        TIMESTAMPTZ,
    "started_at"            TIMESTAMPTZ NOT NULL DEFAULT now(),
    "applied_steps_count"   INTEGER NOT NULL DEFAULT 0
)`;

/** Also switches the file to WAL, which is persistent, before any other connection opens it. */
export function migrateSqlite(file: string, busyTimeoutMs: number, logger: Logger): void {
  const db = new Sqlite(file, { timeout: busyTimeoutMs });
  try {
    db.pragma('journal_mode = WAL');
    db.exec(SQLITE_TABLE);
    const migrations = loadMigrations('sqlite');
    db.exec('BEGIN IMMEDIATE');
    try {
      const applied = db.prepare('SELECT * FROM "_prisma_migrations"').all() as AppliedRow[];
      for (const m of pending(migrations, applied, logger)) {
        const startedAt = new Date().toISOString();
        db.exec(m.sql);
        db.prepare(
          'INSERT INTO "_prisma_migrations" (id, checksum, finished_at, migration_name, started_at, applied_steps_count) VALUES (?, ?, ?, ?, ?, 1)',
        ).run(randomUUID(), m.checksum, new Date().toISOString(), m.name, startedAt);
        logger.info({ migration: m.name }, 'Applied migration');
      }
      db.exec('COMMIT');
    } catch (err) {
      db.exec('ROLLBACK');
      throw err;
    }
  } finally {
    db.close();
  }
}

export async function migratePostgres(url: string, logger: Logger): Promise<void> {
  const { default: pg } = await import('pg'); // only PostgreSQL deployments load the driver
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5_000 });
  await client.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1)', [PRISMA_MIGRATION_LOCK]);
    await client.query(POSTGRES_TABLE);
    const { rows } = await client.query<AppliedRow>('SELECT * FROM "_prisma_migrations"');
    for (const m of pending(loadMigrations('postgresql'), rows, logger)) {
      await client.query('BEGIN');
      try {
        const startedAt = new Date();
        await client.query(m.sql);
        await client.query(
          'INSERT INTO "_prisma_migrations" (id, checksum, finished_at, migration_name, started_at, applied_steps_count) VALUES ($1, $2, now(), $3, $4, 1)',
          [randomUUID(), m.checksum, m.name, startedAt],
        );
        await client.query('COMMIT');
        logger.info({ migration: m.name }, 'Applied migration');
      } catch (err) {
        await client.query('ROLLBACK');
        throw err;
      }
    }
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [PRISMA_MIGRATION_LOCK]).catch(() => {});
    await client.end();
  }
}
