import { describe, expect, it } from 'vitest';
import { GroupCommit } from '../../src/services/groupCommit.js';

describe('group commit', () => {
  it('writes what arrives together as one batch and answers each submitter with its own result', async () => {
    const batches: number[][] = [];
    const commit = new GroupCommit<number, string>(async (items) => {
      batches.push(items);
      return items.map((n) => `stored ${n}`);
    });
    const answers = await Promise.all([1, 2, 3].map((n) => commit.submit(n)));
    expect(answers).toEqual(['stored 1', 'stored 2', 'stored 3']);
    expect(batches).toEqual([[1, 2, 3]]);
  });

  it('what arrives while a batch is written forms the next batch; maxBatch splits', async () => {
    const batches: number[][] = [];
    let release!: () => void;
    const first = new Promise<void>((r) => (release = r));
    const commit = new GroupCommit<number, number>(async (items) => {
      batches.push(items);
      if (batches.length === 1) await first;
      return items;
    }, 2);
    const early = commit.submit(1);
    await new Promise((r) => setImmediate(r));
    const later = [2, 3, 4].map((n) => commit.submit(n));
    release();
    expect(await Promise.all([early, ...later])).toEqual([1, 2, 3, 4]);
    expect(batches).toEqual([[1], [2, 3], [4]]);
    await commit.idle();
  });

  it('an Error result rejects that item alone; a failed write rejects its whole batch, not the next', async () => {
    let calls = 0;
    const commit = new GroupCommit<number, number>(async (items) => {
      calls += 1;
      if (calls === 1) return items.map((n) => (n === 2 ? new Error('bad 2') : n));
      throw new Error('disk gone');
    });
    const results = await Promise.allSettled([1, 2, 3].map((n) => commit.submit(n)));
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((results[1] as PromiseRejectedResult).reason.message).toBe('bad 2');
    await expect(commit.submit(4)).rejects.toThrow('disk gone');
    await commit.idle();
  });
});
