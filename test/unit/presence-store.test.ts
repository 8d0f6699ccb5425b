import { afterAll, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { MemoryPresenceStore, RedisPresenceStore, type PresenceStore } from '../../src/services/presence.js';
import { scratchRedis } from '../helpers/redis.js';

const logger = pino({ level: 'silent' });
const scratch = scratchRedis('presence');
afterAll(() => scratch.dispose());

let stores = 0;
/** A fresh store (and a fresh key namespace) per test, so cases do not see each other's counts. */
const implementations: Array<[string, () => PresenceStore]> = [
  ['memory', () => new MemoryPresenceStore()],
  ['redis', () => new RedisPresenceStore(scratch.redis, `${scratch.prefix}${++stores}:`, logger)],
];

describe.each(implementations)('%s presence store', (_name, create) => {
  it('counts connections up and down per key', async () => {
    const store = create();
    expect(await store.count('t:alice')).toBe(0);
    expect(await store.increment('t:alice')).toBe(1);
    expect(await store.increment('t:alice')).toBe(2);
    expect(await store.increment('t:bob')).toBe(1);
    expect(await store.decrement('t:alice')).toBe(1);
    expect(await store.count('t:alice')).toBe(1);
    expect(await store.count('t:bob')).toBe(1);
    expect(await store.decrement('t:alice')).toBe(0);
    expect(await store.count('t:alice')).toBe(0);
    await store.close();
  });

  it('never counts below zero', async () => {
    const store = create();
    expect(await store.decrement('t:ghost')).toBe(0);
    expect(await store.increment('t:ghost')).toBe(1);
    await store.close();
  });

  it('reports a status change once', async () => {
    const store = create();
    expect(await store.announce('t:alice', 'OFFLINE')).toBe(false);
    expect(await store.announce('t:alice', 'ONLINE')).toBe(true);
    expect(await store.announce('t:alice', 'ONLINE')).toBe(false);
    expect(await store.announce('t:bob', 'ONLINE')).toBe(true);
    expect(await store.announce('t:alice', 'OFFLINE')).toBe(true);
    expect(await store.announce('t:alice', 'OFFLINE')).toBe(false);
    expect(await store.announce('t:alice', 'ONLINE')).toBe(true);
    await store.close();
  });
});

describe('redis presence store across instances', () => {
  it('sums the counts of every live instance and drops an instance that closed', async () => {
    const prefix = `${scratch.prefix}shared-${++stores}:`;
    const one = new RedisPresenceStore(scratch.redis, prefix, logger);
    const two = new RedisPresenceStore(scratch.redis, prefix, logger);
    one.start(() => {});
    two.start(() => {});
    await one.increment('t:alice');
    expect(await two.increment('t:alice')).toBe(2);
    expect(await one.count('t:alice')).toBe(2);
    await two.close();
    expect(await one.count('t:alice')).toBe(1);
    await one.close();
  });

  it('only one instance sees the announcement change', async () => {
    const prefix = `${scratch.prefix}shared-${++stores}:`;
    const one = new RedisPresenceStore(scratch.redis, prefix, logger);
    const two = new RedisPresenceStore(scratch.redis, prefix, logger);
    const answers = await Promise.all([one.announce('t:alice', 'ONLINE'), two.announce('t:alice', 'ONLINE')]);
    expect(answers.filter(Boolean)).toHaveLength(1);
    await Promise.all([one.close(), two.close()]);
  });

  it('settles the users of an instance whose heartbeat went stale', async () => {
    const prefix = `${scratch.prefix}shared-${++stores}:`;
    const ttlMs = 300;
    const dead = new RedisPresenceStore(scratch.redis, prefix, logger, ttlMs);
    dead.start(() => {});
    await dead.increment('t:alice');
    await dead.increment('t:bob');
    // The instance stops beating without saying goodbye (no close: that would remove its counts).
    clearInterval((dead as unknown as { timer: NodeJS.Timeout }).timer);
    const survivor = new RedisPresenceStore(scratch.redis, prefix, logger, ttlMs);
    const settled = new Promise<string[]>((resolve) => survivor.start(resolve));
    expect((await settled).sort()).toEqual(['t:alice', 't:bob']);
    expect(await survivor.count('t:alice')).toBe(0);
    await survivor.close();
  });
});
