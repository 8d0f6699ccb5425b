import type { Redis } from 'ioredis';
import type { Config } from './config.js';
import { createEventBus, type EventBus } from './events/bus.js';
import { connectRedis, createRedisBus, type RedisBus } from './events/redis.js';
import type { Logger } from './logger.js';
import { MemoryPresenceStore, RedisPresenceStore, type PresenceStore } from './services/presence.js';
import { FlexibleRateLimitStore, redisRateLimitStore, type RateLimitStore } from './services/rateLimits.js';

export interface Stores {
  bus: EventBus;
  /** The bus when it goes through Redis (its health and reconnects matter then). */
  redisBus: RedisBus | undefined;
  presenceStore: PresenceStore;
  rateLimitStore: RateLimitStore;
  /** The Redis connection of the stores, to close at shutdown. */
  redis: Redis | undefined;
}

/**
 * The one place the store choice is made. One instance (no REDIS_URL): everything in memory.
 * Several: the event bus, rate limits and presence go through Redis.
 */
export function createStores(config: Config, logger: Logger): Stores {
  if (!config.redis) {
    return {
      bus: createEventBus((err) => logger.error({ err }, 'Event listener failed')),
      redisBus: undefined,
      presenceStore: new MemoryPresenceStore(),
      rateLimitStore: new FlexibleRateLimitStore(),
      redis: undefined,
    };
  }
  const { url, prefix, instanceTtlMs } = config.redis;
  const redisBus = createRedisBus(url, prefix, logger);
  const redis = connectRedis(url, logger, 'store');
  return {
    bus: redisBus,
    redisBus,
    presenceStore: new RedisPresenceStore(redis, prefix, logger, instanceTtlMs),
    rateLimitStore: redisRateLimitStore(redis, prefix),
    redis,
  };
}
