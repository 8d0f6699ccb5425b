import { createHash, timingSafeEqual } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import type { Database } from '../db/database.js';
import { type AppError, forbidden, invalid, rateLimited, unauthenticated } from '../errors.js';
import type { EventBus } from '../events/bus.js';
import type { Logger } from '../logger.js';
import { Session, type UserActor } from './session.js';
import { userIdSchema } from './userId.js';

/** The credentials a request carries, from headers, connection params or query string. */
export interface Credentials {
  apiKey?: string | null;
  userId?: string | null;
  masterKey?: string | null;
  /** The caller's network address: repeated failures from one address are throttled. */
  address?: string;
  /** Why the credentials cannot be read at all (a repeated or undecodable header): 400. */
  refusal?: AppError;
}

export const hashKey = (key: string) => createHash('sha256').update(key).digest('hex');

interface KeyRecord {
  keyId: string;
  tenantId: string;
  tenantDisabled: boolean;
  tenantDeleted: boolean;
  rateLimit: number | null;
  expiresAt: number | null;
  revoked: boolean;
}

/**
 * Failed authentications per address, and per key prefix, before further failures are answered
 * 429, and the window. Only failures are throttled: a key that verifies always passes, so a NAT or
 * a proxy without TRUST_PROXY cannot lock out the correct keys behind it.
 */
const AUTH_FAILURES = { points: 20, duration: 10 };

/** Longer keys are refused at once, unhashed and uncached (ours are 43 characters). */
export const MAX_API_KEY_LENGTH = 256;

/** How much memory the key cache may take, counted by entry. */
const KEY_CACHE_BYTES = 4 * 1024 * 1024;
/** A cached entry's rough footprint: a 64-character hash, and a record (or the 'unknown' mark). */
const keyEntrySize = (record: unknown) => 64 + (typeof record === 'string' ? 8 : 256);

/**
 * How long a key's state is trusted without hearing from the bus. Changes normally arrive at once
 * (a `cache` event), and a Redis reconnect drops the whole cache; this bounds what is left: a
 * change whose event was lost without the connection visibly dropping (a hung link, a paused
 * Redis) applies on other instances within this time.
 */
const KEY_CACHE_TTL_MS = 10_000;

/** How many leading characters of a key count as its prefix for throttling ("sk_" + 7). */
const KEY_PREFIX_LENGTH = 10;

/**
 * Turns credentials into a Session. Tenant keys are looked up by their SHA-256 and cached, so a
 * request costs no database read; the cache forgets a tenant's keys as soon as any instance
 * changes them (a `cache` event on the bus). Unknown keys are remembered briefly too, and an
 * address that keeps presenting bad keys is answered 429 without being checked, so a client
 * hammering with a bad key does not hammer the database or the logs.
 */
export class Authenticator {
  // Changes reach every instance at once through the bus; the TTL bounds staleness when the bus
  // was away (Redis down) and an invalidation was lost.
  // Bounded by bytes, not only by count, and keyed by hash: a flood of bad keys costs at most
  // KEY_CACHE_BYTES, never the keys' own size.
  // `max` stays at 10,000: lru-cache allocates its index arrays for `max` entries up front, and
  // 100,000 cost ~10 KB of RSS per idle WebSocket in the benchmark (docs/performance.md).
  private readonly byHash = new LRUCache<string, KeyRecord | 'unknown'>({
    max: 10_000,
    maxSize: KEY_CACHE_BYTES,
    sizeCalculation: keyEntrySize,
    ttl: KEY_CACHE_TTL_MS,
  });
  private readonly byKeyId = new LRUCache<string, KeyRecord>({ max: 10_000, ttl: KEY_CACHE_TTL_MS });
  private readonly failures = new RateLimiterMemory(AUTH_FAILURES);
  private readonly masterHash: Buffer | undefined;

  constructor(
    private readonly db: Database,
    bus: EventBus,
    private readonly logger: Logger,
    masterApiKey: string | undefined,
  ) {
    this.masterHash = masterApiKey ? createHash('sha256').update(masterApiKey).digest() : undefined;
    bus.subscribe('cache', 'all', (event) => {
      if (event.type === 'tenant') this.forgetTenant(event.tenantId);
    });
  }

  /** Forgets every cached key (after events may have been missed, e.g. Redis was away). */
  forgetAll(): void {
    this.generation += 1;
    this.byHash.clear();
    this.byKeyId.clear();
  }

  /**
   * Bumped whenever cached keys are forgotten: a database read that began before a change must not
   * put what it read (possibly from before the change) back into the cache.
   */
  private generation = 0;

  /** The tenant's current rate limit as this instance knows it (a change reaches open sockets too). */
  currentRateLimit(user: UserActor): number | null {
    return this.byKeyId.get(user.keyId)?.rateLimit ?? user.rateLimit;
  }

  private forgetTenant(tenantId: string): void {
    this.generation += 1;
    for (const [hash, record] of this.byHash.entries()) {
      if (record === 'unknown' || record.tenantId === tenantId) this.byHash.delete(hash);
    }
    for (const [keyId, record] of this.byKeyId.entries()) if (record.tenantId === tenantId) this.byKeyId.delete(keyId);
  }

  /** Throws AUTHENTICATION_ERROR for credentials that are present but wrong. */
  async authenticate(credentials: Credentials): Promise<Session> {
    if (credentials.refusal) throw credentials.refusal;
    const adminRefusal = this.masterHash ? 'Unauthorized' : 'Admin API disabled: MASTER_API_KEY is not set';
    if (credentials.masterKey) {
      if (!this.masterHash) throw unauthenticated(adminRefusal);
      const given = createHash('sha256').update(credentials.masterKey).digest();
      if (!timingSafeEqual(given, this.masterHash)) {
        await this.failed(credentials.address, undefined);
        throw unauthenticated('Unauthorized');
      }
      return new Session({ kind: 'master' }, adminRefusal);
    }
    if (credentials.apiKey) {
      const record = await this.lookup(credentials.apiKey, credentials.address);
      if (!credentials.userId) throw unauthenticated('Missing X-User-Id header');
      const parsed = userIdSchema.safeParse(credentials.userId);
      if (!parsed.success) throw invalid(`X-User-Id ${parsed.error.issues[0]!.message}`, 'X-User-Id');
      return new Session(
        {
          kind: 'user',
          tenantId: record.tenantId,
          userId: parsed.data,
          keyId: record.keyId,
          rateLimit: record.rateLimit,
        },
        adminRefusal,
      );
    }
    return new Session({ kind: 'anonymous' }, adminRefusal);
  }

  /**
   * Whether the key a connection authenticated with still works: null if so, else the error a
   * new request with it would get (revoked, expired, tenant disabled or deleted).
   */
  async recheck(user: UserActor): Promise<AppError | null> {
    let record = this.byKeyId.get(user.keyId);
    if (!record) {
      const generation = this.generation;
      const row = await this.db.read.apiKey.findUnique({ where: { id: user.keyId }, select: keySelect });
      if (!row) return unauthenticated('Invalid API key');
      record = this.remember(row, generation);
    }
    try {
      this.judge(record);
      return null;
    } catch (err) {
      return err as AppError;
    }
  }

  /** The record for a key row; cached unless the cache was invalidated since `generation`. */
  private remember(row: KeyRow, generation: number): KeyRecord {
    const record: KeyRecord = {
      keyId: row.id,
      tenantId: row.tenantId,
      tenantDisabled: row.tenant.disabled,
      tenantDeleted: row.tenant.deletedAt !== null,
      rateLimit: row.tenant.rateLimit,
      expiresAt: row.expiresAt ? row.expiresAt.getTime() : null,
      revoked: row.revokedAt !== null,
    };
    if (generation === this.generation) {
      this.byHash.set(row.keyHash, record);
      this.byKeyId.set(row.id, record);
    }
    return record;
  }

  /**
   * SHA-256 of keys that verified recently, so a request does not hash its key again. Only good
   * keys are remembered raw, and only a bounded number of bytes of them.
   */
  private readonly hashes = new LRUCache<string, string>({
    maxSize: 1024 * 1024,
    sizeCalculation: (hash, key) => key.length + hash.length,
  });

  private async lookup(apiKey: string, address: string | undefined): Promise<KeyRecord> {
    if (apiKey.length > MAX_API_KEY_LENGTH) throw unauthenticated('Invalid API key');
    const memoised = this.hashes.get(apiKey);
    const hash = memoised ?? hashKey(apiKey);
    let record = this.byHash.get(hash);
    if (record === undefined) {
      // Looked up even from an address that keeps failing: a correct key must still get through
      // (one indexed read; the failures are what gets throttled, below).
      const generation = this.generation;
      const row = await this.db.read.apiKey.findUnique({ where: { keyHash: hash }, select: keySelect });
      if (row) {
        record = this.remember(row, generation);
        if (!record.revoked && !record.tenantDisabled && !record.tenantDeleted) {
          this.logger.info({ tenant_id: record.tenantId }, 'Tenant validated');
        }
      } else {
        record = 'unknown';
        this.byHash.set(hash, record, { ttl: 10_000 });
      }
    }
    if (record === 'unknown') {
      await this.failed(address, apiKey);
      this.logger.error({ error: 'tenant not found' }, 'Invalid API key');
      throw unauthenticated('Invalid API key');
    }
    try {
      this.judge(record);
    } catch (err) {
      if ((err as AppError).code === 'AUTHENTICATION_ERROR') await this.failed(address, apiKey);
      throw err;
    }
    if (memoised === undefined) this.hashes.set(apiKey, hash);
    return record;
  }

  private judge(record: KeyRecord): KeyRecord {
    const reason = record.tenantDeleted
      ? 'tenant deleted'
      : record.revoked
        ? 'key revoked'
        : record.expiresAt !== null && record.expiresAt <= Date.now()
          ? 'key expired'
          : undefined;
    if (reason) {
      this.logger.error({ error: reason, tenant_id: record.tenantId }, 'Invalid API key');
      throw unauthenticated('Invalid API key');
    }
    if (record.tenantDisabled) {
      this.logger.warn({ tenant_id: record.tenantId }, 'Tenant disabled');
      throw forbidden('tenant disabled');
    }
    return record;
  }

  /**
   * Counts a failed authentication against the address and the key's prefix; past the allowance
   * of either, the failure is answered 429 instead of 401.
   */
  private async failed(address: string | undefined, apiKey: string | undefined): Promise<void> {
    const counters = [address && `address:${address}`, apiKey && `prefix:${apiKey.slice(0, KEY_PREFIX_LENGTH)}`].filter(
      (counter): counter is string => Boolean(counter),
    );
    let retryAfterMs = 0;
    for (const counter of counters) {
      try {
        await this.failures.consume(counter);
      } catch (res) {
        if (!(res instanceof RateLimiterRes)) throw res;
        retryAfterMs = Math.max(retryAfterMs, res.msBeforeNext);
      }
    }
    if (retryAfterMs > 0) throw rateLimited(Math.max(1, Math.ceil(retryAfterMs / 1000)));
  }
}

const keySelect = {
  id: true,
  keyHash: true,
  tenantId: true,
  expiresAt: true,
  revokedAt: true,
  tenant: { select: { disabled: true, deletedAt: true, rateLimit: true } },
} as const;

type KeyRow = {
  id: string;
  keyHash: string;
  tenantId: string;
  expiresAt: Date | null;
  revokedAt: Date | null;
  tenant: { disabled: boolean; deletedAt: Date | null; rateLimit: number | null };
};
