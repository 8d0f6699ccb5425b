import type { Database } from '../db/database.js';
import type { Logger } from '../logger.js';

export interface HealthView {
  status: 'ok' | 'error';
  /** Whole seconds since this instance started. */
  uptime: number;
  dbWritable: boolean;
}

/** Answers /health. Works with zero tenants and needs no credentials. */
export class HealthService {
  private readonly startedAt = Date.now();
  /** A probe write at most once per interval, so health polling cannot load the database. */
  private recent: { at: number; writable: Promise<boolean> } | undefined;

  constructor(
    private readonly db: Database,
    private readonly logger: Logger,
    private readonly probeIntervalMs = 1_000,
  ) {}

  async check(): Promise<HealthView> {
    const now = Date.now();
    if (!this.recent || now - this.recent.at >= this.probeIntervalMs) {
      this.recent = { at: now, writable: this.probe() };
    }
    const dbWritable = await this.recent.writable;
    return { status: dbWritable ? 'ok' : 'error', uptime: Math.floor((now - this.startedAt) / 1000), dbWritable };
  }

  private async probe(): Promise<boolean> {
    try {
      const checkedAt = new Date();
      await this.db.transaction((tx) =>
        tx.healthProbe.upsert({ where: { id: 1 }, create: { id: 1, checkedAt }, update: { checkedAt } }),
      );
      return true;
    } catch (err) {
      this.logger.error({ err }, 'Database is not writable');
      return false;
    }
  }
}
