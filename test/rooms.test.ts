import { describe, expect, it } from 'vitest';
import { createRoom } from './helpers/client.js';
import { useTenant, seed } from './helpers/kit.js';

describe('rooms over REST', () => {
  const { server, tenant } = useTenant();

  it('creates a dm once: the second attempt is a 409 naming the existing room, whatever the order', async () => {
    const first = await tenant.as('carol').post('/rooms', { type: 'dm', members: ['alice', 'bob'] });
    expect(first.status).toBe(201);
    const again = await tenant.as('bob').post('/rooms', { type: 'dm', members: ['bob', 'alice'] });
    expect(again.status).toBe(409);
    expect(again.body).toEqual({
      success: false,
      error: { code: 'CONFLICT', message: expect.any(String), room_id: first.body.room_id },
    });
    const members = await tenant.as('alice').get(`/rooms/${first.body.room_id}/members`);
    expect(members.body.map((m: any) => [m.user_id, m.role])).toEqual([
      ['alice', 'member'],
      ['bob', 'member'],
    ]);
    // The creator of a dm between two others is not in it.
    expect((await tenant.as('carol').get(`/rooms/${first.body.room_id}`)).status).toBe(404);
  });

  it('keeps dm keys unambiguous when ids contain ":"', async () => {
    const a = await tenant.as('x').post('/rooms', { type: 'dm', members: ['a:b', 'c'] });
    const b = await tenant.as('x').post('/rooms', { type: 'dm', members: ['a', 'b:c'] });
    expect([a.status, b.status]).toEqual([201, 201]);
    expect(a.body.unique_key).not.toBe(b.body.unique_key);
  });

  it('makes the creator of a group admin and the listed users members', async () => {
    const res = await tenant
      .as('owner')
      .post('/rooms', { type: 'group', members: ['m1', 'm2', 'owner'], name: 'Team' });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ type: 'group', name: 'Team', last_seq: 0, unique_key: null });
    const members = await tenant.as('m1').get(`/rooms/${res.body.room_id}/members`);
    expect(members.status).toBe(200);
    const roles = Object.fromEntries(members.body.map((m: any) => [m.user_id, m.role]));
    expect(roles).toEqual({ owner: 'admin', m1: 'member', m2: 'member' });
    for (const m of members.body) expect(Object.keys(m).sort()).toEqual(['joined_at', 'role', 'user_id']);
  });

  it("lists only the caller's rooms and shows a room only to its members", async () => {
    const t = await seed(server).tenant('Listing');
    const mine = await createRoom(t.as('u1'), 'channel', ['u2'], 'News');
    await createRoom(t.as('u3'), 'group', ['u4']);
    const list = await t.as('u2').get('/rooms');
    expect(list.status).toBe(200);
    expect(list.body.map((r: any) => r.room_id)).toEqual([mine]);
    expect(Object.keys(list.body[0]).sort()).toEqual([
      'created_at',
      'last_seq',
      'name',
      'room_id',
      'type',
      'unique_key',
    ]);
    const one = await t.as('u1').get(`/rooms/${mine}`);
    expect(one.body).toMatchObject({ room_id: mine, type: 'channel', name: 'News' });
    for (const path of [`/rooms/${mine}`, `/rooms/${mine}/members`, `/rooms/room_doesnotexist`]) {
      const res = await t.as('outsider').get(path);
      expect(res.status).toBe(404);
      expect(res.body.error.code).toBe('NOT_FOUND');
    }
  });

  it.each([
    ['unknown type', { type: 'forum', members: ['a', 'b'] }, 'type'],
    ['missing type', { members: ['a', 'b'] }, 'type'],
    ['members not an array', { type: 'group', members: 'a,b' }, 'members'],
    ['missing members', { type: 'group' }, 'members'],
    ['an empty member id', { type: 'group', members: ['a', ''] }, 'members'],
    ['a non-string member id', { type: 'group', members: ['a', 7] }, 'members'],
    ['a member id too long', { type: 'group', members: ['a'.repeat(129)] }, 'members'],
    ['a member id with control characters', { type: 'group', members: ['a\nb'] }, 'members'],
    ['duplicate member ids', { type: 'group', members: ['a', 'b', 'a'] }, 'members'],
    ['too many members', { type: 'group', members: Array.from({ length: 501 }, (_, i) => `u${i}`) }, 'members'],
    ['a dm with one member', { type: 'dm', members: ['a'] }, 'members'],
    ['a dm with three members', { type: 'dm', members: ['a', 'b', 'c'] }, 'members'],
    ['a dm with the same user twice', { type: 'dm', members: ['a', 'a'] }, 'members'],
    ['a name that is not a string', { type: 'group', members: [], name: 42 }, 'name'],
    ['a name too long', { type: 'group', members: [], name: 'n'.repeat(201) }, 'name'],
  ])('rejects %s with a 400 naming the field, and creates nothing', async (_label, body, field) => {
    const t = await seed(server).tenant('Bad input');
    const res = await t.as('creator').post('/rooms', body);
    expect(res.status).toBe(400);
    expect(res.body).toEqual({
      success: false,
      error: { code: 'VALIDATION_ERROR', message: expect.any(String), field },
    });
    expect((await t.as('creator').get('/rooms')).body).toEqual([]);
    expect((await t.as('a').get('/rooms')).body).toEqual([]);
  });
});
