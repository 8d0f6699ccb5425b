import type { Database } from '../db/database.js';
import type { Logger } from '../logger.js';

export interface HealthView {
  /** ok; degraded: serving, but real-time delivery across instances is impaired (Redis down); error: the database cannot be written. */
  status: 'ok' | 'degraded' | 'error';
  /** Whole seconds since this instance started. */
  uptime: number;
  dbWritable: boolean;
  /** "up" or "down"; absent without REDIS_URL. */
  redis?: 'up' | 'down';
}

/** Answers /health. Works with zero tenants and needs no credentials. */
export class HealthService {
  private readonly startedAt = Date.now();
  /** A probe write at most once per interval, so health polling cannot load the database. */
  private recent: { at: number; writable: Promise<boolean> } | undefined;

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
    const dbWritable = await this.recent.writable;
    const redis = this.redisUp ? (this.redisUp() ? 'up' : 'down') : undefined;
    return {
      status: !dbWritable ? 'error' : redis === 'down' ? 'degraded' : 'ok',
      uptime: Math.floor((now - this.startedAt) / 1000),
      dbWritable,
      ...(redis ? { redis } : {}),
    };
  }

  private async probe(): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    try {
      const checkedAt = new Date();
      const write = this.db.transaction((tx) =>
        tx.healthProbe.upsert({ where: { id: 1 }, create: { id: 1, checkedAt }, update: { checkedAt } }),
      );
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no write within ${this.probeTimeoutMs} ms`)), this.probeTimeoutMs);
      });
      write.catch(() => {}); // settled later if the timeout wins
      await Promise.race([write, timeout]);
      return true;
    } catch (err) {
      this.logger.error({ err }, 'Database is not writable');
      return false;
    } finally {
      clearTimeout(timer);
    }
  }
}
