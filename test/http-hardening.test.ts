import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, seedTenant, type SeededTenant } from './helpers/client.js';
import { startServer, type TestServer } from './helpers/server.js';

/** One raw HTTP request; `chunked` sends the body in pieces without a content-length. */
function rawRequest(
  url: string,
  options: { method?: string; path?: string; headers?: Record<string, string>; body?: string; chunked?: boolean },
): Promise<{ status: number; headers: http.IncomingHttpHeaders; text: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      `${url}${options.path ?? '/graphql'}`,
      { method: options.method ?? 'POST', headers: options.headers ?? {} },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }),
        );
      },
    );
    // The server may answer and close before the whole body is sent: that is the point.
    req.on('error', (err: NodeJS.ErrnoException) =>
      err.code === 'EPIPE' || err.code === 'ECONNRESET' ? undefined : reject(err),
    );
    const body = options.body ?? '';
    if (options.chunked) {
      for (let i = 0; i < body.length; i += 64 * 1024) req.write(body.slice(i, i + 64 * 1024));
      req.end();
    } else {
      req.end(body);
    }
  });
}

const code = (text: string) =>
  (JSON.parse(text) as { errors?: Array<{ extensions: { code: string } }> }).errors?.[0]?.extensions.code;

/** `{ health { status } }` under `levels` nested fields: deep beyond any real document. */
const deepSelection = (levels: number) => `{ health ${'{ status '.repeat(levels)}${'}'.repeat(levels)} }`;

/** A JSON value nested `levels` arrays deep. */
const deepJson = (levels: number) => `${'['.repeat(levels)}${']'.repeat(levels)}`;

describe('HTTP edge: bounded, admitted before parsing', () => {
  let server: TestServer;
  let tenant: SeededTenant;
  let keyHeaders: Record<string, string>;
  beforeAll(async () => {
    server = await startServer();
    tenant = await seedTenant(server);
    keyHeaders = { 'x-api-key': tenant.apiKey, 'x-user-id': 'alice' };
  });
  afterAll(() => server.stop());

  it('refuses a 2 MB application/graphql body with 413 without parsing it', async () => {
    const document = `{ ${Array.from({ length: 110_000 }, (_, i) => `a${i}: health { status }`).join(' ')} }`.slice(
      0,
      2 * 1024 * 1024,
    );
    const started = Date.now();
    const res = await rawRequest(server.url, {
      headers: { ...keyHeaders, 'content-type': 'application/graphql' },
      body: document,
      chunked: true,
    });
    expect(res.status).toBe(413);
    expect(code(res.text)).toBe('PAYLOAD_TOO_LARGE');
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('refuses a chunked 2 MB JSON body (no content-length) with 413', async () => {
    const body = JSON.stringify({ query: '{ health { status } }', pad: 'p'.repeat(2 * 1024 * 1024) });
    const res = await rawRequest(server.url, {
      headers: { ...keyHeaders, 'content-type': 'application/json' },
      body,
      chunked: true,
    });
    expect(res.status).toBe(413);
    expect(code(res.text)).toBe('PAYLOAD_TOO_LARGE');
  });

  it('answers a 200 KB document without credentials with 401 before parsing it, on both paths', async () => {
    const document = `{ ${Array.from({ length: 10_500 }, (_, i) => `a${i}: rooms { id }`).join(' ')} }`;
    expect(document.length).toBeGreaterThan(200_000);
    for (const [contentType, body] of [
      ['application/json', JSON.stringify({ query: document })],
      ['application/graphql', document],
    ]) {
      const started = Date.now();
      const res = await rawRequest(server.url, { headers: { 'content-type': contentType! }, body: body! });
      expect(res.status, contentType).toBe(401);
      expect(code(res.text)).toBe('AUTHENTICATION_ERROR');
      expect(Date.now() - started).toBeLessThan(2_000);
    }
  });

  it('runs health and introspection without credentials, and nothing else', async () => {
    const anonymous = new Client(server.url);
    const health = await anonymous.post('/graphql', { query: '{ health { status } }' });
    expect(health.status).toBe(200);
    expect(health.body).toEqual({ data: { health: { status: 'ok' } } });
    const introspection = await anonymous.post('/graphql', { query: '{ __schema { queryType { name } } }' });
    expect(introspection.body).toEqual({ data: { __schema: { queryType: { name: 'Query' } } } });
    const viaYoga = await rawRequest(server.url, {
      headers: { 'content-type': 'application/graphql' },
      body: '{ health { status } }',
    });
    expect(viaYoga.status).toBe(200);
    expect(JSON.parse(viaYoga.text)).toEqual({ data: { health: { status: 'ok' } } });
    const rooms = await anonymous.post('/graphql', { query: '{ health { status } rooms { id } }' });
    expect(rooms.status).toBe(401);
    expect(rooms.body.errors[0].extensions.code).toBe('AUTHENTICATION_ERROR');
  });

  it('answers 400 to selections nested thousands of levels deep, on both paths', async () => {
    const document = deepSelection(5_000);
    const json = await tenant.as('alice').post('/graphql', { query: document });
    expect(json.status).toBe(400);
    expect(json.body.errors[0].extensions.code).toBe('VALIDATION_ERROR');
    const graphql = await rawRequest(server.url, {
      headers: { ...keyHeaders, 'content-type': 'application/graphql' },
      body: document,
    });
    expect(graphql.status).toBe(400);
    expect(code(graphql.text)).toBe('VALIDATION_ERROR');
  });

  it('answers 400 to several operations without operationName, or an unknown one', async () => {
    const query = 'query A { health { status } } query B { health { status } }';
    for (const body of [
      { query },
      { query, operationName: 'C' },
      { query: '{ health { status } }', operationName: 'C' },
    ]) {
      const res = await tenant.as('alice').post('/graphql', body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.errors[0].extensions.code).toBe('VALIDATION_ERROR');
    }
    const named = await tenant.as('alice').post('/graphql', { query, operationName: 'B' });
    expect(named.body).toEqual({ data: { health: { status: 'ok' } } });
  });

  it('answers 400 to JSON nested 40,000 levels deep, in the body or in variables, on GraphQL and REST', async () => {
    const headers = { ...keyHeaders, 'content-type': 'application/json' };
    const room = (await tenant.as('alice').post('/rooms', { type: 'group', members: [] })).body.room_id as string;
    const asBody = await rawRequest(server.url, { headers, body: deepJson(40_000) });
    expect(asBody.status).toBe(400);
    expect(code(asBody.text)).toBe('VALIDATION_ERROR');
    const inVariables = await rawRequest(server.url, {
      headers,
      body: `{"query":"mutation ($r: ID!, $m: JSON) { sendMessage(roomId: $r, content: \\"x\\", meta: $m) { id } }","variables":{"r":"${room}","m":${deepJson(40_000)}}}`,
    });
    expect(inVariables.status).toBe(400);
    expect(code(inVariables.text)).toBe('VALIDATION_ERROR');
    const rest = await rawRequest(server.url, {
      path: `/rooms/${room}/messages`,
      headers,
      body: `{"content":"x","meta":{"a":${deepJson(40_000)}}}`,
    });
    expect(rest.status).toBe(400);
    expect(JSON.parse(rest.text).error.code).toBe('VALIDATION_ERROR');
    expect((await tenant.as('alice').get(`/rooms/${room}/messages`)).body).toEqual([]);
  });

  it('refuses a query string longer than the body limit with a 4xx, never a 500', async () => {
    const query = encodeURIComponent(`{ ${Array.from({ length: 20_000 }, (_, i) => `a${i}: __typename`).join(' ')} }`);
    const res = await rawRequest(server.url, { method: 'GET', path: `/graphql?query=${query}`, headers: keyHeaders });
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
  });
});
