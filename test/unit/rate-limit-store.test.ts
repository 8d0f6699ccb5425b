import { afterAll, describe, expect, it } from 'vitest';
import { FlexibleRateLimitStore, redisRateLimitStore, type RateLimitStore } from '../../src/services/rateLimits.js';
import { scratchRedis } from '../helpers/redis.js';
import { sleep } from '../helpers/ws.js';

const scratch = scratchRedis('rate-limit');
afterAll(() => scratch.dispose());

let stores = 0;
const implementations: Array<[string, () => RateLimitStore]> = [
  ['memory', () => new FlexibleRateLimitStore()],
  ['redis', () => redisRateLimitStore(scratch.redis, `${scratch.prefix}${++stores}:`)],
];

describe.each(implementations)('%s rate-limit store', (_name, create) => {
  it('lets a burst up to the limit through, counting down, then refuses with a retry time', async () => {
    const store = create();
    const before = Math.floor(Date.now() / 1000);
    const passed = [];
    for (let i = 0; i < 3; i++) passed.push(await store.consume('tenant:a', 3));
    expect(passed.map((s) => s.remaining)).toEqual([2, 1, 0]);
    expect(passed.every((s) => s.limit === 3 && s.retryAfter === undefined)).toBe(true);
    const refused = await store.consume('tenant:a', 3);
    expect(refused).toMatchObject({ limit: 3, remaining: 0, retryAfter: 1 });
    expect(refused.resetAt).toBeGreaterThanOrEqual(before);
    expect(refused.resetAt).toBeLessThanOrEqual(before + 2);
  });

  it('keeps one budget per key', async () => {
    const store = create();
    await store.consume('tenant:a', 1);
    expect((await store.consume('tenant:a', 1)).retryAfter).toBe(1);
    const other = await store.consume('tenant:b', 1);
    expect(other.retryAfter).toBeUndefined();
    expect(other.remaining).toBe(0);
  });

  it('gives the budget back when the window turns over, however often a refused client retried', async () => {
    const store = create();
    await store.consume('tenant:a', 2);
    await store.consume('tenant:a', 2);
    const deadline = Date.now() + 1_500;
    let state = await store.consume('tenant:a', 2);
    expect(state.retryAfter).toBe(1);
    // A tight retry loop must not extend the window (no livelock).
    while (state.retryAfter !== undefined && Date.now() < deadline) {
      await sleep(20);
      state = await store.consume('tenant:a', 2);
    }
    expect(state.retryAfter).toBeUndefined();
    expect(state.remaining).toBe(1);
  });

  it('applies a changed limit to the same key at once', async () => {
    const store = create();
    await store.consume('tenant:a', 1);
    expect((await store.consume('tenant:a', 1)).retryAfter).toBe(1);
    const raised = await store.consume('tenant:a', 5);
    expect(raised.retryAfter).toBeUndefined();
    expect(raised.limit).toBe(5);
  });
});
