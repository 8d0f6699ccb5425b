/** Most keys one batched look-up asks for (SQLite binds at most 32,766 parameters; PostgreSQL 65,535). */
export const BATCH_SIZE = 500;

type Waiter<V> = { resolve: (value: V) => void; reject: (err: unknown) => void };

/**
 * Look-ups made in the same tick, merged: `load(key)` queues the key, and on the next tick the
 * distinct keys are fetched in chunks of at most `chunkSize`, one `fetch` per chunk, one after
 * another (so one request holds at most one database connection for them). A `rooms { members }`
 * query over a user's 1,000 rooms costs 2 queries instead of 1,000.
 */
export class TickBatcher<K, V> {
  private pending = new Map<K, Waiter<V>[]>();
  /** Chunks fetched so far (each is one query). */
  fetches = 0;

  constructor(
    /** Values for some keys; a key missing from the answer gets `missing`. */
    private readonly fetch: (keys: K[]) => Promise<Map<K, V>>,
    private readonly missing: V,
    private readonly chunkSize = BATCH_SIZE,
  ) {}

  load(key: K): Promise<V> {
    return new Promise((resolve, reject) => {
      if (this.pending.size === 0) process.nextTick(() => void this.flush());
      let waiters = this.pending.get(key);
      if (!waiters) this.pending.set(key, (waiters = []));
      waiters.push({ resolve, reject });
    });
  }

  private async flush(): Promise<void> {
    const batch = this.pending;
    this.pending = new Map();
    const keys = [...batch.keys()];
    for (let i = 0; i < keys.length; i += this.chunkSize) {
      // Let other requests' I/O in between chunks: the waiters of one chunk complete before the next.
      if (i > 0) await new Promise((resolve) => setImmediate(resolve));
      const chunk = keys.slice(i, i + this.chunkSize);
      let found: Map<K, V>;
      try {
        this.fetches += 1;
        found = await this.fetch(chunk);
      } catch (err) {
        for (const key of keys.slice(i)) for (const waiter of batch.get(key)!) waiter.reject(err);
        return;
      }
      for (const key of chunk) {
        const value = found.has(key) ? found.get(key)! : this.missing;
        for (const waiter of batch.get(key)!) waiter.resolve(value);
      }
    }
  }
}
