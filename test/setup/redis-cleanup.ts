import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  interface ProvidedContext {
    /** Starts every REDIS_PREFIX of this run (test/helpers/database.ts), so teardown finds them. */
    redisRunPrefix: string;
  }
}

const redisUrl = process.env.REDIS_TEST_URL ?? 'redis://127.0.0.1:6379';

/**
 * Servers keep some keys without expiry (rate-limit counters, revocations, usage): each run gets
 * a prefix of its own and deletes everything under it at the end. Runs of other worktrees on the
 * same Redis have other prefixes and are left alone.
 */
export default function setup(project: TestProject) {
  const runPrefix = `chatapi_t_${randomBytes(4).toString('hex')}_`;
  project.provide('redisRunPrefix', runPrefix);
  return async function teardown() {
    const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1, retryStrategy: () => null });
    try {
      await redis.connect();
    } catch {
      return; // no Redis on this machine: nothing can have been left behind
    }
    try {
      let cursor = '0';
      do {
        const [next, keys] = await redis.scan(cursor, 'MATCH', `${runPrefix}*`, 'COUNT', 1000);
        cursor = next;
        if (keys.length > 0) await redis.unlink(...keys);
      } while (cursor !== '0');
    } finally {
      redis.disconnect();
    }
  };
}
