import { join, sqltag as sql } from '@prisma/client/runtime/client';
import { z } from 'zod';
import type { Session, UserActor } from '../auth/session.js';
import type { Database } from '../db/database.js';
import { invalid } from '../errors.js';
import type { Logger } from '../logger.js';
import { check } from './validation.js';

export interface UsageDay {
  date: string;
  messagesSent: number;
  apiRequests: number;
  rateLimitedRequests: number;
  activeUsers: number;
  peakConnections: number;
}

interface Counters {
  tenantId: string;
  day: string;
  messagesSent: number;
  apiRequests: number;
  rateLimited: number;
  peakConnections: number;
  users: Set<string>;
}

/** Today's UTC date, YYYY-MM-DD; recomputed only when the day changes (this runs per request). */
let day = { value: '', until: 0 };
const today = () => {
  const now = Date.now();
  if (now >= day.until)
    day = { value: new Date(now).toISOString().slice(0, 10), until: (Math.floor(now / 86_400_000) + 1) * 86_400_000 };
  return day.value;
};
const daySchema = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date like 2026-01-31')
  .refine(
    (d) => !Number.isNaN(Date.parse(d)) && new Date(Date.parse(d)).toISOString().startsWith(d),
    'is not a valid date',
  );
const MAX_RANGE_DAYS = 366;

/**
 * Per-tenant usage by UTC day: messages sent, API requests, rate-limited requests, distinct active
 * users, peak concurrent connections. Counted in memory on the request path (no write per request)
 * and added to the database every flush interval, at shutdown, and before a report.
 */
export class UsageService {
  private pending = new Map<string, Counters>();
  private readonly open = new Map<string, number>();
  private readonly keysUsed = new Map<string, number>();
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> = Promise.resolve();

  constructor(
    private readonly db: Database,
    private readonly logger: Logger,
    private readonly flushIntervalMs = 10_000,
  ) {}

  private counters(tenantId: string, day = today()): Counters {
    const key = `${tenantId}\u0000${day}`;
    let c = this.pending.get(key);
    if (!c) {
      c = {
        tenantId,
        day,
        messagesSent: 0,
        apiRequests: 0,
        rateLimited: 0,
        peakConnections: this.open.get(tenantId) ?? 0,
        users: new Set(),
      };
      this.pending.set(key, c);
    }
    return c;
  }

  recordRequest(user: UserActor, limited: boolean): void {
    const c = this.counters(user.tenantId);
    c.apiRequests += 1;
    if (limited) c.rateLimited += 1;
    c.users.add(user.userId);
    this.keysUsed.set(user.keyId, Date.now());
  }

  recordMessages(tenantId: string, count: number): void {
    this.counters(tenantId).messagesSent += count;
  }

  connectionOpened(tenantId: string): void {
    const n = (this.open.get(tenantId) ?? 0) + 1;
    this.open.set(tenantId, n);
    const c = this.counters(tenantId);
    c.peakConnections = Math.max(c.peakConnections, n);
  }

  connectionClosed(tenantId: string): void {
    const n = (this.open.get(tenantId) ?? 1) - 1;
    if (n > 0) this.open.set(tenantId, n);
    else this.open.delete(tenantId);
  }

  start(): void {
    this.timer = setInterval(() => void this.flush(), this.flushIntervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.flush();
  }

  /** Adds what was counted since the last flush to the database (one transaction). */
  flush(): Promise<void> {
    this.flushing = this.flushing
      .then(() => this.write())
      .catch((err) => this.logger.error({ err }, 'Usage flush failed'));
    return this.flushing;
  }

  private async write(): Promise<void> {
    const batch = [...this.pending.values()];
    const keys = [...this.keysUsed];
    this.pending = new Map();
    this.keysUsed.clear();
    if (batch.length === 0 && keys.length === 0) return;
    try {
      await this.db.transaction(async (tx) => {
        for (const c of batch) {
          // Only for tenants that still exist (a deleted tenant keeps a tombstone row).
          await tx.$executeRaw`INSERT INTO "TenantUsageDay" ("tenantId", "day", "messagesSent", "apiRequests", "rateLimited", "peakConnections")
            SELECT ${c.tenantId}, ${c.day}, ${c.messagesSent}, ${c.apiRequests}, ${c.rateLimited}, ${c.peakConnections}
            WHERE EXISTS (SELECT 1 FROM "Tenant" WHERE "id" = ${c.tenantId} AND "deletedAt" IS NULL)
            ON CONFLICT ("tenantId", "day") DO UPDATE SET
              "messagesSent" = "TenantUsageDay"."messagesSent" + excluded."messagesSent",
              "apiRequests" = "TenantUsageDay"."apiRequests" + excluded."apiRequests",
              "rateLimited" = "TenantUsageDay"."rateLimited" + excluded."rateLimited",
              "peakConnections" = CASE WHEN excluded."peakConnections" > "TenantUsageDay"."peakConnections"
                THEN excluded."peakConnections" ELSE "TenantUsageDay"."peakConnections" END`;
          const users = [...c.users];
          for (let i = 0; i < users.length; i += 500) {
            const rows = users.slice(i, i + 500).map((u) => sql`(${c.tenantId}, ${c.day}, ${u})`);
            await tx.$executeRaw`INSERT INTO "UsageActiveUser" ("tenantId", "day", "userId")
              SELECT * FROM (VALUES ${join(rows)}) AS v
              WHERE EXISTS (SELECT 1 FROM "Tenant" WHERE "id" = ${c.tenantId} AND "deletedAt" IS NULL)
              ON CONFLICT DO NOTHING`;
          }
        }
        for (const [keyId, at] of keys)
          await tx.apiKey.updateMany({ where: { id: keyId }, data: { lastUsedAt: new Date(at) } });
      });
    } catch (err) {
      // Put the counts back so the next flush retries them.
      for (const c of batch) {
        const into = this.counters(c.tenantId, c.day);
        into.messagesSent += c.messagesSent;
        into.apiRequests += c.apiRequests;
        into.rateLimited += c.rateLimited;
        into.peakConnections = Math.max(into.peakConnections, c.peakConnections);
        for (const u of c.users) into.users.add(u);
      }
      throw err;
    }
  }

  /** Usage per day from `from` to `to` (inclusive, UTC dates; default: the last 30 days). */
  async report(session: Session, tenantId: string, range: { from?: unknown; to?: unknown }): Promise<UsageDay[]> {
    session.assert('tenant:admin');
    const to = range.to == null || range.to === '' ? today() : check(daySchema, range.to, 'to');
    const from =
      range.from == null || range.from === ''
        ? new Date(Date.parse(to) - 29 * 86_400_000).toISOString().slice(0, 10)
        : check(daySchema, range.from, 'from');
    const days = Math.round((Date.parse(to) - Date.parse(from)) / 86_400_000) + 1;
    if (days < 1) throw invalid('from must not be after to', 'from');
    if (days > MAX_RANGE_DAYS) throw invalid(`a report covers at most ${MAX_RANGE_DAYS} days`, 'from');

    await this.flush();
    const [rows, users] = await Promise.all([
      this.db.read.tenantUsageDay.findMany({ where: { tenantId, day: { gte: from, lte: to } } }),
      this.db.read.usageActiveUser.groupBy({
        by: ['day'],
        where: { tenantId, day: { gte: from, lte: to } },
        _count: { _all: true },
      }),
    ]);
    const byDay = new Map(rows.map((r) => [r.day, r]));
    const usersByDay = new Map(users.map((u) => [u.day, u._count._all]));
    return Array.from({ length: days }, (_, i) => {
      const date = new Date(Date.parse(from) + i * 86_400_000).toISOString().slice(0, 10);
      const row = byDay.get(date);
      return {
        date,
        messagesSent: row?.messagesSent ?? 0,
        apiRequests: row?.apiRequests ?? 0,
        rateLimitedRequests: row?.rateLimited ?? 0,
        activeUsers: usersByDay.get(date) ?? 0,
        peakConnections: row?.peakConnections ?? 0,
      };
    });
  }
}
