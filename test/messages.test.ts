import { describe, expect, it } from 'vitest';
import { createRoom } from './helpers/client.js';
import { useTenant } from './helpers/kit.js';

describe('messages over REST', () => {
  const { server, tenant } = useTenant({ MAX_MESSAGE_BYTES: '1000' });

  it('gives 60 concurrent sends to one room the seqs 1..60, each stored once', async () => {
    const room = await createRoom(tenant.as('alice'), 'group', ['bob']);
    const sends = await Promise.all(
      Array.from({ length: 60 }, (_, i) =>
        tenant.as(i % 2 ? 'alice' : 'bob').post(`/rooms/${room}/messages`, { content: `m${i}` }),
      ),
    );
    expect(sends.map((r) => r.status)).toEqual(Array(60).fill(201));
    expect(sends.map((r) => r.body.seq).sort((a, b) => a - b)).toEqual(Array.from({ length: 60 }, (_, i) => i + 1));
    const first = await tenant.as('bob').get(`/rooms/${room}/messages?limit=100`);
    expect(first.body.map((m: any) => m.seq)).toEqual(Array.from({ length: 60 }, (_, i) => i + 1));
    expect(new Set(first.body.map((m: any) => m.content)).size).toBe(60);
    expect((await tenant.as('bob').get(`/rooms/${room}`)).body.last_seq).toBe(60);
  });

  it('pages history with after_seq and limit (default 50, at most 100)', async () => {
    const room = await createRoom(tenant.as('alice'), 'group', []);
    for (let i = 1; i <= 120; i += 1) await tenant.as('alice').post(`/rooms/${room}/messages`, { content: `n${i}` });
    const page = (query: string) => tenant.as('alice').get(`/rooms/${room}/messages${query}`);
    expect((await page('')).body.map((m: any) => m.seq)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    expect((await page('?after_seq=110')).body.map((m: any) => m.seq)).toEqual(
      Array.from({ length: 10 }, (_, i) => i + 111),
    );
    expect((await page('?after_seq=5&limit=3')).body.map((m: any) => m.content)).toEqual(['n6', 'n7', 'n8']);
    expect((await page('?limit=1000')).body).toHaveLength(100);
    expect((await page('?after_seq=120')).body).toEqual([]);
    for (const bad of ['?limit=0', '?limit=-1', '?limit=abc', '?after_seq=-1', '?after_seq=1.5', '?after_seq=x']) {
      const res = await page(bad);
      expect(res.status, bad).toBe(400);
      expect(res.body.error.code).toBe('VALIDATION_ERROR');
    }
  });

  it('keeps meta as any JSON object and returns it as sent', async () => {
    const room = await createRoom(tenant.as('alice'), 'group', []);
    const meta = { kind: 'image', size: [640, 480], nested: { ok: true, none: null }, text: 'ünïcødé ✓' };
    const sent = await tenant.as('alice').post(`/rooms/${room}/messages`, { content: 'pic', meta });
    expect(sent.status).toBe(201);
    const [stored] = (await tenant.as('alice').get(`/rooms/${room}/messages`)).body;
    expect(stored.meta).toEqual(meta);
  });

  it('returns the original message when a client message id is retried', async () => {
    const room = await createRoom(tenant.as('alice'), 'group', ['bob']);
    const body = { content: 'once', client_message_id: 'retry-1' };
    const [a, b] = await Promise.all([
      tenant.as('alice').post(`/rooms/${room}/messages`, body),
      tenant.as('alice').post(`/rooms/${room}/messages`, body),
    ]);
    const c = await tenant.as('alice').post(`/rooms/${room}/messages`, body);
    expect([a.status, b.status, c.status]).toEqual([201, 201, 201]);
    expect(b.body).toEqual(a.body);
    expect(c.body).toEqual(a.body);
    // Another sender may use the same id: it is theirs.
    const other = await tenant.as('bob').post(`/rooms/${room}/messages`, body);
    expect(other.body.seq).toBe(2);
    const all = (await tenant.as('alice').get(`/rooms/${room}/messages`)).body;
    expect(all.map((m: any) => [m.seq, m.sender_id, m.client_message_id])).toEqual([
      [1, 'alice', 'retry-1'],
      [2, 'bob', 'retry-1'],
    ]);
  });

  it.each([
    ['missing content', {}, 400, 'content'],
    ['empty content', { content: '' }, 400, 'content'],
    ['blank content', { content: '   ' }, 400, 'content'],
    ['content not a string', { content: 12 }, 400, 'content'],
    ['content over MAX_MESSAGE_BYTES', { content: 'é'.repeat(501) }, 413, 'content'],
    ['content with a NUL character', { content: 'a\u0000b' }, 400, 'content'],
    ['content with an unpaired surrogate', { content: 'a\udc00b' }, 400, 'content'],
    ['meta not an object', { content: 'x', meta: [1, 2] }, 400, 'meta'],
    ['meta a string', { content: 'x', meta: 'yes' }, 400, 'meta'],
    ['meta too large', { content: 'x', meta: { big: 'b'.repeat(1000) } }, 413, 'meta'],
    ['client_message_id not a string', { content: 'x', client_message_id: 5 }, 400, 'client_message_id'],
    ['client_message_id empty', { content: 'x', client_message_id: '' }, 400, 'client_message_id'],
  ])('rejects %s and stores nothing', async (_label, body, status, field) => {
    const room = await createRoom(tenant.as('alice'), 'group', []);
    const res = await tenant.as('alice').post(`/rooms/${room}/messages`, body);
    expect(res.status).toBe(status);
    expect(res.body).toEqual({
      success: false,
      error: { code: status === 413 ? 'PAYLOAD_TOO_LARGE' : 'VALIDATION_ERROR', message: expect.any(String), field },
    });
    expect((await tenant.as('alice').get(`/rooms/${room}/messages`)).body).toEqual([]);
    expect((await tenant.as('alice').get(`/rooms/${room}`)).body.last_seq).toBe(0);
  });

  it('moves the delivered cursor only forward, and refuses seqs beyond last_seq', async () => {
    const room = await createRoom(tenant.as('alice'), 'group', ['bob']);
    for (let i = 0; i < 3; i += 1) await tenant.as('alice').post(`/rooms/${room}/messages`, { content: `a${i}` });
    const ack = (seq: unknown, roomId: unknown = room) => tenant.as('bob').post('/acks', { room_id: roomId, seq });
    const cursor = async () =>
      (
        await server.app.services.rooms.listMembers(
          await server.app.services.auth.authenticate({ apiKey: tenant.apiKey, userId: 'bob' }),
          room,
        )
      ).find((m) => m.userId === 'bob')!.deliveredSeq;

    expect((await ack(2)).body).toEqual({ success: true });
    expect(await cursor()).toBe(2);
    expect((await ack(1)).status).toBe(200);
    expect(await cursor()).toBe(2);
    const beyond = await ack(4);
    expect(beyond.status).toBe(400);
    expect(beyond.body.error).toMatchObject({ code: 'VALIDATION_ERROR', field: 'seq' });
    expect(await cursor()).toBe(2);
    for (const bad of [-1, 1.5, '2', null]) {
      const res = await ack(bad);
      expect(res.status, String(bad)).toBe(400);
    }
    expect((await ack(3, 'room_nope')).status).toBe(404);
    expect((await tenant.as('mallory').post('/acks', { room_id: room, seq: 1 })).status).toBe(404);
    expect((await ack(3)).status).toBe(200);
    expect(await cursor()).toBe(3);
  });

  it('hides rooms from non-members: 404 on read, send and ack, and nothing stored', async () => {
    const room = await createRoom(tenant.as('alice'), 'dm', ['alice', 'bob']);
    const mallory = tenant.as('mallory');
    expect((await mallory.get(`/rooms/${room}/messages`)).status).toBe(404);
    expect((await mallory.post(`/rooms/${room}/messages`, { content: 'hi' })).status).toBe(404);
    expect((await mallory.post('/acks', { room_id: room, seq: 0 })).status).toBe(404);
    expect((await tenant.as('alice').get(`/rooms/${room}/messages`)).body).toEqual([]);
  });
});
