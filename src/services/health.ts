import type { Database } from '../db/database.js';
import type { Logger } from '../logger.js';

export interface HealthView {
  /** ok; degraded: serving, but real-time delivery across instances is impaired (Redis down); error: the database cannot be written. */
  status: 'ok' | 'degraded' | 'error';
  /** Whole seconds since this instance started. */
  uptime: number;
  dbWritable: boolean;
  /** Why the database is not writable (e.g. "disk full"); absent while it is. */
  reason?: string;
  /** "up" or "down"; absent without REDIS_URL. */
  redis?: 'up' | 'down';
}

/** Answers /health. Works with zero tenants and needs no credentials. */
export class HealthService {
  private readonly startedAt = Date.now();
  /** A probe write at most once per interval, so health polling cannot load the database. */
  private recent: { at: number; writable: Promise<{ writable: boolean; reason?: string }> } | undefined;

  constructor(
    private readonly db: Database,
    private readonly logger: Logger,
    /** Whether Redis is reachable; absent when not configured. */
    private readonly redisUp?: () => boolean,
    private readonly probeIntervalMs = 1_000,
    /** A database that takes longer than this to accept a write counts as not writable. */
    private readonly probeTimeoutMs = 2_000,
  ) {}

  async check(): Promise<HealthView> {
    const now = Date.now();
    if (!this.recent || now - this.recent.at >= this.probeIntervalMs) {
      this.recent = { at: now, writable: this.probe() };
    }
    const { writable: dbWritable, reason } = await this.recent.writable;
    const redis = this.redisUp ? (this.redisUp() ? 'up' : 'down') : undefined;
    return {
      status: !dbWritable ? 'error' : redis === 'down' ? 'degraded' : 'ok',
      uptime: Math.floor((now - this.startedAt) / 1000),
      dbWritable,
      ...(reason ? { reason } : {}),
      ...(redis ? { redis } : {}),
    };
  }

  private async probe(): Promise<{ writable: boolean; reason?: string }> {
    let timer: NodeJS.Timeout | undefined;
    try {
      const checkedAt = new Date();
      const write = this.db.transaction(
        (tx) => tx.healthProbe.upsert({ where: { id: 1 }, create: { id: 1, checkedAt }, update: { checkedAt } }),
        { probe: true },
      );
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no write within ${this.probeTimeoutMs} ms`)), this.probeTimeoutMs);
      });
      write.catch(() => {}); // settled later if the timeout wins
      await Promise.race([write, timeout]);
      // The probe rewrites one row in place, which can succeed on a full disk: the last full disk
      // any write met counts until a write succeeds again with room on the disk.
      const failure = this.db.storageFailure;
      return failure ? { writable: false, reason: failure } : { writable: true };
    } catch (err) {
      this.logger.error({ err }, 'Database is not writable');
      return { writable: false, reason: unwritableReason(err) };
    } finally {
      clearTimeout(timer);
    }
  }
}

/** A short, public reason for a failed probe write: no SQL, no paths. */
function unwritableReason(err: unknown): string {
  const e = err as { code?: string; message?: string } | undefined;
  const text = `${e?.code ?? ''} ${e?.message ?? ''}`;
  if (/SQLITE_FULL|database or disk is full|ENOSPC|No space left|could not extend file/i.test(text)) return 'disk full';
  if (/SQLITE_READONLY|readonly database|read-only/i.test(text)) return 'read-only';
  if (/no write within/i.test(text)) return 'write timed out';
  return 'unavailable';
}
