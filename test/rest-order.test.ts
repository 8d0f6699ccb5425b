import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from './helpers/server.js';

// Credentials come before the body: a caller without any is refused before its body is parsed.
describe('REST: credentials before the body', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer();
  });
  afterAll(() => server.stop());

  const post = (path: string, body: string) =>
    fetch(`${server.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body }).then(
      async (r) => ({
        status: r.status,
        body: await r.json(),
      }),
    );

  it('answers 401 with the tenant refusal, not 400, to a bad body without a key', async () => {
    const res = await post('/rooms', 'not json');
    expect(res.status).toBe(401);
    expect(res.body).toEqual({
      success: false,
      error: { code: 'AUTHENTICATION_ERROR', message: 'Missing X-API-Key header' },
    });
  });

  it('answers 401 with the admin refusal to a bad admin body without the master key', async () => {
    const res = await post('/admin/tenants', '{"name": 42');
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('AUTHENTICATION_ERROR');
  });
});
