import { describe, expect, it } from 'vitest';
import { Client, createRoom } from './helpers/client.js';
import { useTenant } from './helpers/kit.js';

describe('HTTP edge cases', () => {
  const { server, tenant } = useTenant();

  it.each([
    ['malformed JSON', '{"type": "group", '],
    ['an array', '[1, 2]'],
    ['a string', '"group"'],
    ['null', 'null'],
    ['an empty body', ''],
  ])('answers %s with a 400 error body', async (_label, raw) => {
    const res = await tenant.as('alice').request('POST', '/rooms', raw, { 'content-type': 'application/json' });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ success: false, error: { code: 'VALIDATION_ERROR', message: expect.any(String) } });
    expect((await tenant.as('alice').get('/rooms')).body).toEqual([]);
  });

  it('refuses oversized bodies with 413, on REST and GraphQL', async () => {
    const room = await createRoom(tenant.as('alice'), 'group', []);
    const huge = JSON.stringify({ content: 'x', meta: { pad: 'p'.repeat(300_000) } });
    const rest = await tenant.as('alice').request('POST', `/rooms/${room}/messages`, huge);
    expect(rest.status).toBe(413);
    expect(rest.body.error.code).toBe('PAYLOAD_TOO_LARGE');
    const gql = await tenant
      .as('alice')
      .request('POST', '/graphql', { query: `{ health { status } }`, pad: 'p'.repeat(300_000) });
    expect(gql.status).toBe(413);
    expect(gql.body.error.code).toBe('PAYLOAD_TOO_LARGE');
    expect((await tenant.as('alice').get(`/rooms/${room}/messages`)).body).toEqual([]);
  });

  it('answers unknown routes and methods with a 404 error body', async () => {
    for (const [method, path] of [
      ['GET', '/nope'],
      ['DELETE', '/rooms'],
      ['GET', '/rooms/a/b/c'],
    ]) {
      const res = await new Client(server.url).request(method!, path!);
      expect(res.status, `${method} ${path}`).toBe(404);
      expect(res.body.error.code).toBe('NOT_FOUND');
    }
  });

  it('never answers 500 to hostile input', async () => {
    const hostile = [
      ['/rooms/%ZZ', 'GET'],
      ['/rooms/' + 'r'.repeat(5000), 'GET'],
      ['/rooms/x/messages?limit=99999999999999999999', 'GET'],
      ['/rooms/../../etc/passwd', 'GET'],
      ['/acks', 'POST', '{"room_id": {"$gt": ""}, "seq": 1}'],
      ['/acks', 'POST', '{"room_id": ["a"], "seq": {"n": 1}}'],
      ['/rooms', 'POST', '{"type": {"toString": 1}, "members": {"length": 2}}'],
      ['/rooms', 'POST', '{"__proto__": {"type": "dm"}, "members": ["a", "b"]}'],
    ] as const;
    for (const [path, method, body] of hostile) {
      const res = await tenant.as('alice').request(method, path, body);
      expect(res.status, `${method} ${path}`).toBeGreaterThanOrEqual(400);
      expect(res.status, `${method} ${path}`).toBeLessThan(500);
      expect(res.body.success).toBe(false);
    }
  });
});
