import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { Authenticator, MAX_API_KEY_LENGTH } from '../../src/auth/authenticator.js';
import type { Database } from '../../src/db/database.js';
import { createEventBus } from '../../src/events/bus.js';
import { createLogger } from '../../src/logger.js';

/**
 * The key caches on their own (no server): a stand-in database that knows no key and counts the
 * lookups, so the test can see what the authenticator reads and what it keeps.
 */
function authenticatorWithEmptyStore() {
  const lookups = { count: 0 };
  const db = {
    read: {
      apiKey: {
        findUnique: async () => {
          lookups.count += 1;
          return null;
        },
      },
    },
  } as unknown as Database;
  const auth = new Authenticator(db, createEventBus(), createLogger('silent'), undefined);
  return { auth, lookups };
}

describe('Authenticator key caches', () => {
  it('refuses an over-long key with 401 without reading or caching anything', async () => {
    const { auth, lookups } = authenticatorWithEmptyStore();
    await expect(
      auth.authenticate({ apiKey: `sk_${'a'.repeat(MAX_API_KEY_LENGTH)}`, userId: 'u' }),
    ).rejects.toMatchObject({
      code: 'AUTHENTICATION_ERROR',
      message: 'Invalid API key',
    });
    expect(lookups.count).toBe(0);
  });

  it('keeps bad keys only as hashes, in a cache bounded by bytes', async () => {
    const { auth } = authenticatorWithEmptyStore();
    for (let i = 0; i < 2_000; i += 1) {
      const key = `sk_${randomBytes(150).toString('base64url')}`.slice(0, MAX_API_KEY_LENGTH);
      await expect(auth.authenticate({ apiKey: key, userId: 'u' })).rejects.toMatchObject({
        code: 'AUTHENTICATION_ERROR',
      });
    }
    const caches = auth as unknown as {
      hashes: { size: number };
      byHash: { size: number; calculatedSize: number; maxSize: number; keys(): IterableIterator<string> };
    };
    // No raw key is remembered: only their SHA-256 (64 hex characters).
    expect(caches.hashes.size).toBe(0);
    expect(caches.byHash.size).toBe(2_000);
    expect([...caches.byHash.keys()].every((k) => /^[0-9a-f]{64}$/.test(k))).toBe(true);
    expect(caches.byHash.calculatedSize).toBeLessThanOrEqual(caches.byHash.maxSize);
  });
});
