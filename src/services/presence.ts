import type { Database } from '../db/database.js';
import type { EventBus } from '../events/bus.js';
import { userKey, type PresenceStatus } from '../events/events.js';
import type { Logger } from '../logger.js';

/**
 * Counts a user's open connections. The memory store counts this instance only; the Redis store
 * (several instances) counts everywhere. Same interface, so PresenceService never knows which.
 */
export interface PresenceStore {
  /** One more connection; resolves to the user's connection count afterwards. */
  increment(key: string): Promise<number>;
  /** One fewer; resolves to the count afterwards. */
  decrement(key: string): Promise<number>;
  count(key: string): Promise<number>;
  /** Records the status last announced; resolves true when it changed (so exactly one instance announces). */
  announce(key: string, status: PresenceStatus): Promise<boolean>;
  close(): Promise<void>;
}

export class MemoryPresenceStore implements PresenceStore {
  private readonly counts = new Map<string, number>();
  private readonly announced = new Map<string, PresenceStatus>();

  async increment(key: string) {
    const n = (this.counts.get(key) ?? 0) + 1;
    this.counts.set(key, n);
    return n;
  }

  async decrement(key: string) {
    const n = Math.max(0, (this.counts.get(key) ?? 0) - 1);
    if (n === 0) this.counts.delete(key);
    else this.counts.set(key, n);
    return n;
  }

  async count(key: string) {
    return this.counts.get(key) ?? 0;
  }

  async announce(key: string, status: PresenceStatus) {
    const before = this.announced.get(key) ?? 'OFFLINE';
    if (status === 'OFFLINE') this.announced.delete(key);
    else this.announced.set(key, status);
    return before !== status;
  }

  async close() {}
}

/**
 * ONLINE when a user's first connection opens; OFFLINE once their last connection has been gone for
 * the grace period (a reconnect within it announces nothing). Announced to the rooms the user is
 * in, so only users who share a room see it.
 */
export class PresenceService {
  private readonly offlineTimers = new Map<string, NodeJS.Timeout>();

  constructor(
    private readonly db: Database,
    private readonly bus: EventBus,
    private readonly store: PresenceStore,
    private readonly logger: Logger,
    private readonly graceMs: number,
  ) {}

  async connected(tenantId: string, userId: string): Promise<void> {
    const key = userKey(tenantId, userId);
    clearTimeout(this.offlineTimers.get(key));
    this.offlineTimers.delete(key);
    await this.store.increment(key);
    if (await this.store.announce(key, 'ONLINE')) await this.publish(tenantId, userId, 'ONLINE');
  }

  async disconnected(tenantId: string, userId: string): Promise<void> {
    const key = userKey(tenantId, userId);
    if ((await this.store.decrement(key)) > 0) return;
    clearTimeout(this.offlineTimers.get(key));
    const timer = setTimeout(() => {
      this.offlineTimers.delete(key);
      void this.settleOffline(tenantId, userId).catch((err) => this.logger.error({ err }, 'Presence update failed'));
    }, this.graceMs);
    timer.unref();
    this.offlineTimers.set(key, timer);
  }

  /** OFFLINE if no connection came back during the grace period. */
  async settleOffline(tenantId: string, userId: string): Promise<void> {
    const key = userKey(tenantId, userId);
    if ((await this.store.count(key)) > 0) return;
    if (await this.store.announce(key, 'OFFLINE')) await this.publish(tenantId, userId, 'OFFLINE');
  }

  async isOnline(tenantId: string, userId: string): Promise<boolean> {
    return (await this.store.count(userKey(tenantId, userId))) > 0;
  }

  private async publish(tenantId: string, userId: string, status: PresenceStatus): Promise<void> {
    const rooms = await this.db.read.roomMember.findMany({ where: { tenantId, userId }, select: { roomId: true } });
    for (const { roomId } of rooms) this.bus.publish('room', roomId, { type: 'presence', roomId, userId, status });
  }

  close(): void {
    for (const timer of this.offlineTimers.values()) clearTimeout(timer);
    this.offlineTimers.clear();
  }
}
