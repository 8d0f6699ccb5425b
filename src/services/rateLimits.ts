import type { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { Session, UserActor } from '../auth/session.js';
import { rateLimited } from '../errors.js';
import type { Metrics } from '../metrics.js';
import type { UsageService } from './usage.js';

/** Where a tenant stands in its current one-second window. */
export interface RateLimitState {
  limit: number;
  remaining: number;
  /** Unix time (seconds) when the window resets. */
  resetAt: number;
  /** Seconds to wait before retrying, when over the limit. */
  retryAfter?: number;
}

/**
 * Counts requests per key in fixed one-second windows. A burst up to the limit passes at once; a
 * client retrying in a tight loop gets its share again as soon as the window turns over (rejected
 * requests do not extend the window, so there is no livelock). Memory here; Redis when several
 * instances share one budget. Backed by rate-limiter-flexible.
 */
export interface RateLimitStore {
  /** Takes `points` (one unless said) from `key`'s window of `limit` points. */
  consume(key: string, limit: number, points?: number): Promise<RateLimitState>;
}

type LimiterFactory = (points: number) => RateLimiterAbstract;

/** Turns rate-limiter-flexible's limiters (one per distinct limit) into a RateLimitStore. */
export class FlexibleRateLimitStore implements RateLimitStore {
  private readonly limiters = new Map<number, RateLimiterAbstract>();

  constructor(private readonly create: LimiterFactory = (points) => new RateLimiterMemory({ points, duration: 1 })) {}

  async consume(key: string, limit: number, points = 1): Promise<RateLimitState> {
    let limiter = this.limiters.get(limit);
    if (!limiter) {
      limiter = this.create(limit);
      this.limiters.set(limit, limiter);
    }
    let res: RateLimiterRes;
    let over = false;
    try {
      res = await limiter.consume(key, points);
    } catch (err) {
      if (!(err instanceof RateLimiterRes)) throw err;
      res = err;
      over = true;
    }
    const ms = Math.max(res.msBeforeNext, 0);
    return {
      limit,
      remaining: res.remainingPoints,
      resetAt: Math.ceil((Date.now() + ms) / 1000),
      ...(over ? { retryAfter: Math.max(1, Math.ceil(ms / 1000)) } : {}),
    };
  }
}

/**
 * One budget shared by every instance, in Redis. While Redis is away each instance falls back to
 * its own memory limiter (the "insurance"), so requests keep being limited, per instance.
 */
export function redisRateLimitStore(redis: Redis, prefix: string): RateLimitStore {
  return new FlexibleRateLimitStore(
    (points) =>
      new RateLimiterRedis({
        storeClient: redis,
        keyPrefix: `${prefix}rl:${points}`,
        points,
        duration: 1,
        rejectIfRedisNotReady: true,
        insuranceLimiter: new RateLimiterMemory({ points, duration: 1 }),
      }),
  );
}

/** The error for an exceeded limit (kept here for callers of the service; the row lives in errors.ts). */
export const rateLimitExceeded = rateLimited;

/**
 * Admission of tenant traffic: every REST request, GraphQL request or WebSocket operation, and
 * /ws frame that does work calls `admit` once. It spends one point of the tenant's budget
 * (DEFAULT_RATE_LIMIT or the tenant's own limit) and records the request in the usage figures.
 */
export class RateLimitService {
  constructor(
    private readonly store: RateLimitStore,
    private readonly usage: UsageService,
    private readonly metrics: Metrics,
    private readonly defaultLimit: number,
    /** The tenant's limit now (it may have changed since the session was built). */
    private readonly tenantLimit: (user: UserActor) => number | null = (user) => user.rateLimit,
  ) {}

  limitOf(user: UserActor): number {
    return this.tenantLimit(user) ?? this.defaultLimit;
  }

  /** Throws RATE_LIMIT_EXCEEDED (with `retry_after`) when over the limit; returns the state otherwise. */
  async admit(session: Session): Promise<RateLimitState> {
    const state = await this.check(session);
    if (state.retryAfter !== undefined) throw rateLimitExceeded(state.retryAfter);
    return state;
  }

  /**
   * Spends `points` more of the tenant's budget for work beyond the request's own point: each
   * mutation root field after the first in one GraphQL operation (aliases included). Throws
   * RATE_LIMIT_EXCEEDED when the window cannot pay for them all, before any of them runs.
   */
  async admitExtra(session: Session, points: number): Promise<RateLimitState | undefined> {
    if (points <= 0) return undefined;
    const user = session.requireUser();
    const state = await this.store.consume(`tenant:${user.tenantId}`, this.limitOf(user), points);
    if (state.retryAfter !== undefined) {
      this.metrics.rateLimited.inc();
      throw rateLimitExceeded(state.retryAfter);
    }
    return state;
  }

  /** Like `admit`, but reports the state instead of throwing, so HTTP can set headers either way. */
  async check(session: Session): Promise<RateLimitState> {
    const user = session.requireUser();
    const state = await this.store.consume(`tenant:${user.tenantId}`, this.limitOf(user));
    const limited = state.retryAfter !== undefined;
    this.usage.recordRequest(user, limited);
    if (limited) this.metrics.rateLimited.inc();
    return state;
  }
}

/** The X-RateLimit-* response headers (and Retry-After when over the limit). */
export function rateLimitHeaders(state: RateLimitState): Record<string, string> {
  return {
    'X-RateLimit-Limit': String(state.limit),
    'X-RateLimit-Remaining': String(state.remaining),
    'X-RateLimit-Reset': String(state.resetAt),
    ...(state.retryAfter !== undefined ? { 'Retry-After': String(state.retryAfter) } : {}),
  };
}
