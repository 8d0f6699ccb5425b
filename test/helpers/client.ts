import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { print } from 'graphql';
import type { TestServer } from './server.js';

export interface HttpResult<T = any> {
  status: number;
  headers: Headers;
  body: T;
}

/** Speaks real HTTP to a ChatAPI with a fixed set of headers (a tenant user, or the operator). */
export class Client {
  constructor(
    readonly baseUrl: string,
    readonly headers: Record<string, string> = {},
  ) {}

  async request<T = any>(
    method: string,
    path: string,
    body?: unknown,
    extraHeaders: Record<string, string> = {},
  ): Promise<HttpResult<T>> {
    const res = await fetch(this.baseUrl + path, {
      method,
      headers: {
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...this.headers,
        ...extraHeaders,
      },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      // Not JSON: the test sees the raw text.
    }
    return { status: res.status, headers: res.headers, body: parsed as T };
  }

  get = <T = any>(path: string) => this.request<T>('GET', path);
  post = <T = any>(path: string, body?: unknown) => this.request<T>('POST', path, body ?? {});

  /** A typed GraphQL operation over HTTP. */
  async graphql<R, V>(
    document: TypedDocumentNode<R, V>,
    ...[variables]: V extends Record<string, never> ? [] : [V]
  ): Promise<
    HttpResult<{
      data?: R | null;
      errors?: Array<{ message: string; path?: string[]; extensions: Record<string, any> }>;
    }>
  > {
    return this.request('POST', '/graphql', { query: print(document), variables });
  }

  /** The same user with other headers. */
  with(headers: Record<string, string>): Client {
    return new Client(this.baseUrl, { ...this.headers, ...headers });
  }
}

export interface SeededTenant {
  tenantId: string;
  apiKey: string;
  /** A client acting as `userId` in this tenant. */
  as(userId: string): Client;
}

/** Creates a tenant through the documented admin endpoint: each test gets its own. */
export async function seedTenant(server: TestServer, name = 'Tenant'): Promise<SeededTenant> {
  const admin = new Client(server.url, { 'x-master-key': server.masterKey });
  const res = await admin.post('/admin/tenants', { name });
  if (res.status !== 201) throw new Error(`tenant creation failed: ${res.status} ${JSON.stringify(res.body)}`);
  const { tenant_id: tenantId, api_key: apiKey } = res.body;
  return { tenantId, apiKey, as: (userId) => new Client(server.url, { 'x-api-key': apiKey, 'x-user-id': userId }) };
}

export const adminClient = (server: TestServer) => new Client(server.url, { 'x-master-key': server.masterKey });

/** Creates a room and returns its id. */
export async function createRoom(client: Client, type: string, members: string[], name?: string): Promise<string> {
  const res = await client.post('/rooms', { type, members, name });
  if (res.status !== 201) throw new Error(`room creation failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.room_id;
}
