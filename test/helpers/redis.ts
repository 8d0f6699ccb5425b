import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';

/** The machine's Redis, for tests that talk to it directly. */
export const unitRedisUrl = process.env.REDIS_TEST_URL ?? 'redis://127.0.0.1:6379';

export interface ScratchRedis {
  redis: Redis;
  /** A key prefix of this run's own: nothing else reads or writes under it. */
  prefix: string;
  /** Deletes every key under the prefix and disconnects. */
  dispose(): Promise<void>;
}

/** A Redis connection and a fresh key prefix, cleaned up by `dispose`. */
export function scratchRedis(name: string): ScratchRedis {
  const redis = new Redis(unitRedisUrl, { lazyConnect: false, maxRetriesPerRequest: 1 });
  const prefix = `chatapi-test:${name}:${randomBytes(6).toString('hex')}:`;
  return {
    redis,
    prefix,
    async dispose() {
      let cursor = '0';
      do {
        const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
        if (keys.length > 0) await redis.del(...keys);
        cursor = next;
      } while (cursor !== '0');
      redis.disconnect();
    },
  };
}
