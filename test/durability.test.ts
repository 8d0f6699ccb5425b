import { describe, expect, it } from 'vitest';
import { Client, createRoom } from './helpers/client.js';
import { seed } from './helpers/kit.js';
import { spawnServer } from './helpers/process.js';

describe('durability', () => {
  it('loses no answered message when the process is killed (kill -9) mid-burst, and seqs stay gapless', async () => {
    const server = await spawnServer();
    const tenant = await seed(server).tenant();
    const room = await createRoom(tenant.as('w'), 'group', []);
    const answered: Array<{ message_id: string; seq: number }> = [];
    let stop = false;
    const writer = async (w: number) => {
      for (let i = 0; !stop; i += 1) {
        const res = await tenant
          .as('w')
          .post(`/rooms/${room}/messages`, { content: `w${w}-${i}` })
          .catch(() => undefined);
        if (!res) return; // the server is gone
        if (res.status === 201) answered.push(res.body);
      }
    };
    const writers = Array.from({ length: 8 }, (_, w) => writer(w));
    while (answered.length < 300) await new Promise((r) => setTimeout(r, 5));
    server.proc.kill('SIGKILL');
    stop = true;
    await Promise.all(writers);
    expect((await server.exited).signal).toBe('SIGKILL');

    const restarted = await spawnServer({}, server);
    try {
      const reader = new Client(restarted.url, { 'x-api-key': tenant.apiKey, 'x-user-id': 'w' });
      const stored: Array<{ message_id: string; seq: number }> = [];
      for (let after = 0; ; ) {
        const page = (await reader.get(`/rooms/${room}/messages?after_seq=${after}&limit=100`)).body;
        stored.push(...page);
        if (page.length < 100) break;
        after = page.at(-1).seq;
      }
      expect(stored.map((m) => m.seq)).toEqual(Array.from({ length: stored.length }, (_, i) => i + 1));
      const byId = new Map(stored.map((m) => [m.message_id, m.seq]));
      for (const m of answered) expect(byId.get(m.message_id)).toBe(m.seq);
      const room_ = (await reader.get(`/rooms/${room}`)).body;
      expect(room_.last_seq).toBe(stored.length);
      const next = await reader.post(`/rooms/${room}/messages`, { content: 'after restart' });
      expect(next.body.seq).toBe(stored.length + 1);
    } finally {
      restarted.proc.kill('SIGTERM');
      await restarted.exited;
      await server.database.drop();
    }
  }, 90_000);
});
