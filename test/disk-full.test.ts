import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRoom, seedTenant, type SeededTenant } from './helpers/client.js';
import { startServer, type TestServer } from './helpers/server.js';
import { sleep } from './helpers/ws.js';

// SQLite only (excluded from the postgresql project in vitest.config.ts): the full disk is SQLite's max_page_count.

/** Caps the database at its current size on the writer's connection: the next growth fails with SQLITE_FULL, as on a full disk. */
async function fillDisk(server: TestServer): Promise<void> {
  await server.app.db.transaction(async (tx) => {
    const [{ page_count: pages }] = await tx.$queryRawUnsafe<Array<{ page_count: bigint | number }>>('PRAGMA page_count');
    await tx.$queryRawUnsafe(`PRAGMA max_page_count = ${Number(pages)}`);
  });
}

/** Lifts the cap again: space has returned. */
async function freeDisk(server: TestServer): Promise<void> {
  await server.app.db.transaction((tx) => tx.$queryRawUnsafe('PRAGMA max_page_count = 1073741823'));
}

/** Fails the test if `answer` takes longer than `ms`: a wedged writer never answers. */
const within = <T>(answer: Promise<T>, ms = 5_000) =>
  Promise.race([answer, sleep(ms).then(() => Promise.reject(new Error(`no answer within ${ms} ms`)))]);

describe('a full disk (SQLite)', () => {
  let server: TestServer;
  let tenant: SeededTenant;
  beforeAll(async () => {
    server = await startServer();
    tenant = await seedTenant(server);
  });
  afterAll(() => server.stop());

  it('fails writes fast with 503 SERVICE_UNAVAILABLE while full, and resumes by itself when space returns', async () => {
    const room = await createRoom(tenant.as('dan'), 'group', ['dee']);
    const big = (i: number) => `${'x'.repeat(3000)}${i}`;
    await fillDisk(server);
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 40 && !statuses.includes(503); i += 1) {
        const res = await within(tenant.as('dan').post(`/rooms/${room}/messages`, { content: big(i) }));
        statuses.push(res.status);
        if (res.status !== 201) expect(res.body.error.code).toBe('SERVICE_UNAVAILABLE');
      }
      expect(statuses.at(-1)).toBe(503);
      expect(statuses.filter((s) => s !== 201 && s !== 503)).toEqual([]);
      // Still full: every further growing write answers 503 at once, and health still answers.
      for (let i = 0; i < 5; i += 1) {
        const res = await within(tenant.as('dan').post(`/rooms/${room}/messages`, { content: big(100 + i) }), 2_000);
        expect(res.status).toBe(503);
      }
      const health = await within(tenant.as('dan').get('/health'), 3_000);
      expect([200, 503]).toContain(health.status);
      if (health.body.db_writable === false) expect(health.body.reason).toBe('disk full');
    } finally {
      await freeDisk(server);
    }
    const resumed = await within(tenant.as('dan').post(`/rooms/${room}/messages`, { content: big(200) }));
    expect(resumed.status).toBe(201);
    expect((await within(tenant.as('dan').post('/rooms', { type: 'group', members: ['dee'] }))).status).toBe(201);
    const health = await within(tenant.as('dan').get('/health'));
    expect(health.body).toMatchObject({ status: 'ok', db_writable: true });
    expect(health.body.reason).toBeUndefined();
  });
});
