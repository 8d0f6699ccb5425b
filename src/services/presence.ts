import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Session } from '../auth/session.js';
import type { Database } from '../db/database.js';
import type { EventBus } from '../events/bus.js';
import { userKey, type PresenceStatus } from '../events/events.js';
import type { Logger } from '../logger.js';
import { TickBatcher } from './tickBatcher.js';

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
  /** `count` of many users at once (one round trip per live instance, not per user). */
  countMany(keys: string[]): Promise<Map<string, number>>;
  /** Records the status last announced; resolves true when it changed (so exactly one instance announces). */
  announce(key: string, status: PresenceStatus): Promise<boolean>;
  /** Calls `settle` with users whose connections vanished with a dead instance. */
  start(settle: (keys: string[]) => void): void;
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

  async countMany(keys: string[]) {
    return new Map(keys.map((key) => [key, this.counts.get(key) ?? 0]));
  }

  async announce(key: string, status: PresenceStatus) {
    const before = this.announced.get(key) ?? 'OFFLINE';
    if (status === 'OFFLINE') this.announced.delete(key);
    else this.announced.set(key, status);
    return before !== status;
  }

  start() {}

  async close() {}
}

/**
 * Presence counted in Redis, across instances. Each instance keeps its users' connection counts
 * in a hash of its own and refreshes its heartbeat in a sorted set; a user's count is the sum over
 * live instances. When an instance dies without saying goodbye, its heartbeat goes stale and the
 * first instance to notice takes its hash apart and settles those users (OFFLINE if they have no
 * connection anywhere else), so nobody stays ONLINE forever.
 */
export class RedisPresenceStore implements PresenceStore {
  private readonly instance = randomBytes(8).toString('hex');
  /** This instance's truth, to rewrite its hash after Redis was away. */
  private readonly local = new Map<string, number>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly logger: Logger,
    /** An instance whose heartbeat is older than this is dead. @default 15000 */
    private readonly instanceTtlMs = 15_000,
  ) {}

  private get instances() {
    return `${this.prefix}presence:instances`;
  }

  private hash(instance = this.instance) {
    return `${this.prefix}presence:i:${instance}`;
  }

  async increment(key: string) {
    this.local.set(key, (this.local.get(key) ?? 0) + 1);
    await this.redis.hincrby(this.hash(), key, 1);
    return this.count(key);
  }

  async decrement(key: string) {
    const n = (this.local.get(key) ?? 1) - 1;
    if (n > 0) this.local.set(key, n);
    else this.local.delete(key);
    if (n > 0) await this.redis.hset(this.hash(), key, n);
    else await this.redis.hdel(this.hash(), key);
    return this.count(key);
  }

  async count(key: string) {
    const live = await this.redis.zrangebyscore(this.instances, Date.now() - this.instanceTtlMs, '+inf');
    if (!live.includes(this.instance)) live.push(this.instance);
    const counts = await Promise.all(live.map((instance) => this.redis.hget(this.hash(instance), key)));
    return counts.reduce((sum, c) => sum + Number(c ?? 0), 0);
  }

  async countMany(keys: string[]) {
    const live = await this.redis.zrangebyscore(this.instances, Date.now() - this.instanceTtlMs, '+inf');
    if (!live.includes(this.instance)) live.push(this.instance);
    const perInstance = await Promise.all(live.map((instance) => this.redis.hmget(this.hash(instance), ...keys)));
    return new Map(keys.map((key, i) => [key, perInstance.reduce((sum, counts) => sum + Number(counts[i] ?? 0), 0)]));
  }

  async announce(key: string, status: PresenceStatus) {
    const flag = `${this.prefix}presence:a:${key}`;
    const before = status === 'OFFLINE' ? await this.redis.getdel(flag) : await this.redis.set(flag, status, 'GET');
    return (before ?? 'OFFLINE') !== status;
  }

  start(settle: (keys: string[]) => void) {
    const beat = async () => {
      await this.redis.zadd(this.instances, Date.now(), this.instance);
      // Reap dead instances (one reaper each, thanks to the NX lock).
      const dead = await this.redis.zrangebyscore(this.instances, '-inf', Date.now() - this.instanceTtlMs);
      for (const instance of dead) {
        const lock = await this.redis.set(
          `${this.prefix}presence:reap:${instance}`,
          this.instance,
          'PX',
          this.instanceTtlMs,
          'NX',
        );
        if (!lock) continue;
        const users = Object.keys(await this.redis.hgetall(this.hash(instance)));
        await this.redis.multi().del(this.hash(instance)).zrem(this.instances, instance).exec();
        this.logger.warn({ instance, users: users.length }, 'Presence: reaped a dead instance');
        if (users.length > 0) settle(users);
      }
    };
    const tick = () => beat().catch((err) => this.logger.debug({ err }, 'Presence heartbeat failed'));
    void tick();
    this.timer = setInterval(tick, Math.max(200, Math.floor(this.instanceTtlMs / 3)));
    this.timer.unref();
    // After Redis was away, write this instance's counts again (they may have been reaped meanwhile).
    this.redis.on('ready', () => {
      const fields = [...this.local].flatMap(([key, n]) => [key, String(n)]);
      const write = this.redis.multi().del(this.hash()).zadd(this.instances, Date.now(), this.instance);
      if (fields.length > 0) write.hset(this.hash(), ...fields);
      write.exec().catch((err) => this.logger.debug({ err }, 'Presence resync failed'));
    });
  }

  /** Removes this instance's counts (its connections are closing). The Redis client is the caller's. */
  async close() {
    clearInterval(this.timer);
    await this.redis
      .multi()
      .del(this.hash())
      .zrem(this.instances, this.instance)
      .exec()
      .catch(() => {});
  }
}

/**
 * ONLINE when a user's first connection opens; OFFLINE once their last connection has been gone for
 * the grace period (a reconnect within it announces nothing). Announced to the rooms the user is
 * in, so only users who share a room see it.
 */
export class PresenceService {
  private readonly offlineTimers = new Map<string, NodeJS.Timeout>();
  /** `online` of every member a query lists, counted per tick in batches (its store away: offline). */
  readonly onlineCounts = new TickBatcher<string, number>(
    (keys) => this.store.countMany(keys).catch(() => new Map()),
    0,
  );

  constructor(
    private readonly db: Database,
    private readonly bus: EventBus,
    private readonly store: PresenceStore,
    private readonly logger: Logger,
    private readonly graceMs: number,
  ) {}

  /** Starts the store's housekeeping (reaping users of dead instances). */
  start(): void {
    this.store.start((keys) => {
      for (const key of keys) {
        const split = key.indexOf(':');
        void this.settleOffline(key.slice(0, split), key.slice(split + 1)).catch((err) =>
          this.logger.error({ err }, 'Presence update failed'),
        );
      }
    });
  }

  /** Never throws: with its store (Redis) away, presence degrades and connections carry on. */
  async connected(tenantId: string, userId: string): Promise<void> {
    const key = userKey(tenantId, userId);
    clearTimeout(this.offlineTimers.get(key));
    this.offlineTimers.delete(key);
    try {
      await this.store.increment(key);
      if (await this.store.announce(key, 'ONLINE')) await this.publish(tenantId, userId, 'ONLINE');
    } catch (err) {
      this.logger.warn({ err }, 'Presence update failed');
    }
  }

  async disconnected(tenantId: string, userId: string): Promise<void> {
    const key = userKey(tenantId, userId);
    try {
      if ((await this.store.decrement(key)) > 0) return;
    } catch (err) {
      this.logger.warn({ err }, 'Presence update failed');
    }
    clearTimeout(this.offlineTimers.get(key));
    const timer = setTimeout(() => {
      this.offlineTimers.delete(key);
      void this.settleOffline(tenantId, userId).catch((err) => this.logger.warn({ err }, 'Presence update failed'));
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

  /** Whether `userId`, of the caller's tenant, has an open connection now. */
  memberOnline(session: Session, userId: string): Promise<boolean> {
    const { tenantId } = session.assert('tenant:read');
    return this.onlineCounts.load(userKey(tenantId, userId)).then((n) => n > 0);
  }

  async isOnline(tenantId: string, userId: string): Promise<boolean> {
    return (await this.store.count(userKey(tenantId, userId)).catch(() => 0)) > 0;
  }

  private async publish(tenantId: string, userId: string, status: PresenceStatus): Promise<void> {
    const rooms = await this.db.read.roomMember.findMany({ where: { tenantId, userId }, select: { roomId: true } });
    for (const { roomId } of rooms) this.bus.publish('room', roomId, { type: 'presence', roomId, userId, status });
  }

  async close(): Promise<void> {
    for (const timer of this.offlineTimers.values()) clearTimeout(timer);
    this.offlineTimers.clear();
    await this.store.close();
  }
}
