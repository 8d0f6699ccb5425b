import http from 'node:http';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, seedTenant } from './helpers/client.js';
import { startServer, type TestServer } from './helpers/server.js';
import { LegacyClient, graphqlWsClient } from './helpers/ws.js';

/**
 * A raw HTTP request, so a test controls the exact header bytes: `headers` is a flat list of
 * names and values (a name may repeat), each value written as the given bytes.
 */
function rawRequest(
  server: TestServer,
  method: string,
  path: string,
  headers: Array<[string, string | Buffer]>,
  body?: string,
) {
  const grouped = new Map<string, string[]>();
  for (const [name, value] of headers)
    grouped.set(name, [...(grouped.get(name) ?? []), typeof value === 'string' ? value : value.toString('latin1')]);
  if (body !== undefined) grouped.set('content-type', ['application/json']);
  return new Promise<{ status: number; body: any }>((resolve, reject) => {
    const req = http.request(server.url + path, { method }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode!, body: text ? JSON.parse(text) : undefined }));
    });
    // An array value is sent as that many header lines.
    for (const [name, values] of grouped) req.setHeader(name, values.length === 1 ? values[0]! : values);
    req.on('error', reject);
    // A Buffer, so Node writes the header block as latin1 (a string body would re-encode it as UTF-8).
    req.end(body === undefined ? undefined : Buffer.from(body));
  });
}

const viewerQuery = JSON.stringify({ query: '{ viewer { userId } }' });
const badKey = () => `sk_${randomBytes(30).toString('base64url')}`;

describe('authentication failures are throttled without locking out correct keys', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer();
  });
  afterAll(() => server.stop());

  it('lets a fresh valid key through from an address past its failure allowance, and still throttles bad keys', async () => {
    // Created before the flood, and never used from this address until after it.
    const tenant = await seedTenant(server);
    const bad = await Promise.all(
      Array.from({ length: 25 }, () =>
        new Client(server.url, { 'x-api-key': badKey(), 'x-user-id': 'x' }).get('/rooms'),
      ),
    );
    expect(bad.filter((r) => r.status === 401)).toHaveLength(20);
    expect(bad.filter((r) => r.status === 429)).toHaveLength(5);

    const fresh = await tenant.as('u').get('/rooms');
    expect(fresh.status).toBe(200);
    const next = await new Client(server.url, { 'x-api-key': badKey(), 'x-user-id': 'x' }).get('/rooms');
    expect(next.status).toBe(429);
    expect(next.body.error.code).toBe('RATE_LIMIT_EXCEEDED');
  });

  it('refuses an absurdly long key with 401', async () => {
    const res = await new Client(server.url, { 'x-api-key': `sk_${'a'.repeat(12_000)}`, 'x-user-id': 'x' }).get(
      '/rooms',
    );
    expect(res.status).toBe(401);
    expect(res.body.error).toEqual({ code: 'AUTHENTICATION_ERROR', message: 'Invalid API key' });
  });
});

describe('X-User-Id reads the same on every transport', () => {
  let server: TestServer;
  let apiKey: string;
  beforeAll(async () => {
    server = await startServer();
    apiKey = (await seedTenant(server)).apiKey;
  });
  afterAll(() => server.stop());

  it('decodes a header as UTF-8 and normalises to NFC, like connection params', async () => {
    const rest = await rawRequest(
      server,
      'POST',
      '/graphql',
      [
        ['x-api-key', apiKey],
        ['x-user-id', Buffer.from('josé', 'utf8')],
      ],
      viewerQuery,
    );
    expect(rest.status).toBe(200);
    expect(rest.body.data.viewer.userId).toBe('josé');

    const decomposed = await rawRequest(
      server,
      'POST',
      '/graphql',
      [
        ['x-api-key', apiKey],
        ['x-user-id', Buffer.from('jose\u0301', 'utf8')],
      ],
      viewerQuery,
    );
    expect(decomposed.body.data.viewer.userId).toBe('josé');

    const ws = graphqlWsClient(server, { apiKey, userId: 'jose\u0301' });
    try {
      const result = await new Promise<any>((resolve, reject) => {
        ws.subscribe({ query: '{ viewer { userId } }' }, { next: resolve, error: reject, complete: () => {} });
      });
      expect(result.data.viewer.userId).toBe('josé');
    } finally {
      await ws.dispose();
    }
  });

  it('refuses a repeated X-User-Id with 400 instead of joining the values', async () => {
    const res = await rawRequest(server, 'GET', '/rooms', [
      ['x-api-key', apiKey],
      ['x-user-id', 'a'],
      ['x-user-id', 'b'],
    ]);
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code: 'VALIDATION_ERROR', field: 'X-User-Id' });
    expect(res.body.error.message).toBe('X-User-Id must be given once');

    const graphql = await rawRequest(
      server,
      'POST',
      '/graphql',
      [
        ['x-api-key', apiKey],
        ['x-user-id', 'a'],
        ['x-user-id', 'b'],
      ],
      viewerQuery,
    );
    expect(graphql.body.errors[0].extensions.code).toBe('VALIDATION_ERROR');
  });

  it('refuses C1 control characters and bytes that are not UTF-8 with 400', async () => {
    const c1 = await rawRequest(server, 'GET', '/rooms', [
      ['x-api-key', apiKey],
      ['x-user-id', Buffer.from('a\u0085b', 'utf8')],
    ]);
    expect(c1.status).toBe(400);
    expect(c1.body.error.message).toBe('X-User-Id must not contain control characters');

    const notUtf8 = await rawRequest(server, 'GET', '/rooms', [
      ['x-api-key', apiKey],
      ['x-user-id', Buffer.from([0x6a, 0xe9])],
    ]);
    expect(notUtf8.status).toBe(400);
    expect(notUtf8.body.error.message).toBe('X-User-Id must be UTF-8 text');
  });

  it('refuses a repeated X-User-Id on the /ws upgrade too', async () => {
    const client = new LegacyClient(server, '', { 'x-api-key': apiKey, 'x-user-id': ['a', 'b'] as unknown as string });
    const closed = await client.closed;
    expect(closed.code).toBe(4401);
    expect(closed.reason).toBe('X-User-Id must be given once');
  });
});
