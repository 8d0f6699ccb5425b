import { execFileSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRoom, seedTenant, type SeededTenant } from './helpers/client.js';
import { startServer, type TestServer } from './helpers/server.js';
import { sleep } from './helpers/ws.js';

// SQLite only (excluded from the postgresql project in vitest.config.ts). The database lives on a
// 4 MiB tmpfs that a ballast file fills, as on a real full disk; where tmpfs cannot be mounted
// (not root) the full disk is simulated with SQLite's max_page_count instead.

/** Mounts a 4 MiB tmpfs on a fresh folder; undefined if this process may not mount. */
function mountSmallDisk(): string | undefined {
  const dir = mkdtempSync(path.join(tmpdir(), 'chatapi-diskfull-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=4m', 'tmpfs', dir], { stdio: 'ignore' });
    return dir;
  } catch {
    rmSync(dir, { recursive: true, force: true });
    return undefined;
  }
}

/** Writes a ballast file until the disk has no byte left. */
function fillWithBallast(file: string): void {
  const fd = openSync(file, 'a');
  try {
    for (const size of [256 * 1024, 4096, 1]) {
      const chunk = Buffer.alloc(size, 1);
      try {
        for (;;) writeSync(fd, chunk);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOSPC') throw err;
      }
    }
  } finally {
    closeSync(fd);
  }
}

/** Caps the database at its current size on the writer's connection: the next growth fails with SQLITE_FULL. */
async function capPages(server: TestServer): Promise<void> {
  await server.app.db.transaction(async (tx) => {
    const [{ page_count: pages }] =
      await tx.$queryRawUnsafe<Array<{ page_count: bigint | number }>>('PRAGMA page_count');
    await tx.$queryRawUnsafe(`PRAGMA max_page_count = ${Number(pages)}`);
  });
}

/** Fails the test if `answer` takes longer than `ms`: a wedged writer never answers. */
const within = <T>(answer: Promise<T>, ms = 5_000) =>
  Promise.race([answer, sleep(ms).then(() => Promise.reject(new Error(`no answer within ${ms} ms`)))]);

describe('a full disk (SQLite)', () => {
  let server: TestServer;
  let tenant: SeededTenant;
  let disk: string | undefined;
  beforeAll(async () => {
    disk = mountSmallDisk();
    server = await startServer(disk ? { DATA_DIR: disk } : {});
    tenant = await seedTenant(server);
  });
  afterAll(async () => {
    await server?.stop();
    if (disk) {
      execFileSync('umount', ['-l', disk], { stdio: 'ignore' });
      rmSync(disk, { recursive: true, force: true });
    }
  });

  it('fails writes fast with 503 SERVICE_UNAVAILABLE while full, says why on /health, and resumes by itself when space returns', async () => {
    const dan = tenant.as('dan');
    const room = await createRoom(dan, 'group', ['dee']);
    const big = (i: number) => `${'x'.repeat(12_000)}${i}`;
    const ballast = disk ? path.join(disk, 'ballast') : undefined;
    if (ballast) fillWithBallast(ballast);
    else await capPages(server);

    const statuses: number[] = [];
    for (let i = 0; i < 400 && !statuses.includes(503); i += 1) {
      const res = await within(dan.post(`/rooms/${room}/messages`, { content: big(i) }));
      statuses.push(res.status);
      if (res.status !== 201) expect(res.body.error.code).toBe('SERVICE_UNAVAILABLE');
    }
    expect(statuses.at(-1)).toBe(503);
    expect(statuses.filter((s) => s !== 201 && s !== 503)).toEqual([]);

    // Still full: every further write answers 503 at once (sends, room creation), and health says why.
    for (let i = 0; i < 5; i += 1) {
      const res = await within(dan.post(`/rooms/${room}/messages`, { content: big(100 + i) }), 2_000);
      expect(res.status).toBe(503);
      expect(res.body.error.code).toBe('SERVICE_UNAVAILABLE');
    }
    if (ballast) {
      const created = await within(dan.post('/rooms', { type: 'group', members: ['dee'] }), 2_000);
      expect(created.status).toBe(503);
    }
    await sleep(1_100); // past the health probe's interval: a fresh check
    const full = await within(dan.get('/health'), 3_000);
    if (ballast) {
      expect(full.status).toBe(503);
      expect(full.body).toMatchObject({ status: 'error', db_writable: false, reason: 'disk full' });
    } else {
      // Simulated: the file system has room, so the probe's in-place rewrite counts as writable.
      expect([200, 503]).toContain(full.status);
      if (full.body.db_writable === false) expect(full.body.reason).toBe('disk full');
    }

    // Space returns: writing resumes with no restart.
    if (ballast) rmSync(ballast);
    else await server.app.db.transaction((tx) => tx.$queryRawUnsafe('PRAGMA max_page_count = 1073741823'));
    const resumed = await within(dan.post(`/rooms/${room}/messages`, { content: big(200) }));
    expect(resumed.status).toBe(201);
    expect((await within(dan.post('/rooms', { type: 'group', members: ['dee'] }))).status).toBe(201);
    await sleep(1_100);
    const health = await within(dan.get('/health'));
    expect(health.status).toBe(200);
    expect(health.body).toMatchObject({ status: 'ok', db_writable: true });
    expect(health.body.reason).toBeUndefined();
    const history = await within(dan.get(`/rooms/${room}/messages?limit=1`));
    expect(history.status).toBe(200);
  });
});
