import { afterAll, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { MemoryPresenceStore, RedisPresenceStore, type PresenceStore } from '../../src/services/presence.js';
import { TickBatcher } from '../../src/services/tickBatcher.js';
import { scratchRedis } from '../helpers/redis.js';

const logger = pino({ level: 'silent' });
const scratch = scratchRedis('presence-many');
afterAll(() => scratch.dispose());

let stores = 0;
const implementations: Array<[string, () => PresenceStore]> = [
  ['memory', () => new MemoryPresenceStore()],
  ['redis', () => new RedisPresenceStore(scratch.redis, `${scratch.prefix}${++stores}:`, logger)],
];

describe.each(implementations)('%s presence store countMany', (_name, create) => {
  it('counts many users at once, the same as count one by one', async () => {
    const store = create();
    await store.increment('t:alice');
    await store.increment('t:alice');
    await store.increment('t:bob');
    const counts = await store.countMany(['t:alice', 't:bob', 't:carol']);
    expect([...counts]).toEqual([
      ['t:alice', 2],
      ['t:bob', 1],
      ['t:carol', 0],
    ]);
    await store.close();
  });
});

describe('TickBatcher', () => {
  it('merges one tick of look-ups into chunks, deduplicated, and fails every waiter of a failed chunk', async () => {
    const asked: number[][] = [];
    const batcher = new TickBatcher<number, string>(
      async (keys) => {
        asked.push(keys);
        if (keys.includes(13)) throw new Error('boom');
        return new Map(keys.filter((k) => k % 2 === 0).map((k) => [k, `v${k}`]));
      },
      'none',
      5,
    );
    const values = await Promise.all([1, 2, 2, 3, 4, 5, 6].map((k) => batcher.load(k)));
    expect(values).toEqual(['none', 'v2', 'v2', 'none', 'v4', 'none', 'v6']);
    expect(asked).toEqual([[1, 2, 3, 4, 5], [6]]);
    const failed = await Promise.allSettled([12, 13, 14].map((k) => batcher.load(k)));
    expect(failed.map((r) => r.status)).toEqual(['rejected', 'rejected', 'rejected']);
    expect(batcher.fetches).toBe(3);
  });
});
