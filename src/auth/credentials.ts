import type { Credentials } from './authenticator.js';

type HeaderGetter = (name: string) => string | null | undefined;

/** Credentials from request headers (REST, GraphQL over HTTP, the WebSocket upgrade request). */
export function credentialsFromHeaders(get: HeaderGetter): Credentials {
  return { apiKey: get('x-api-key'), userId: get('x-user-id'), masterKey: get('x-master-key') };
}

/** Node's IncomingHttpHeaders as a getter (a repeated header counts as absent: it is ambiguous). */
export const nodeHeaders =
  (headers: Record<string, string | string[] | undefined>): HeaderGetter =>
  (name) => {
    const value = headers[name];
    return typeof value === 'string' ? value : undefined;
  };

/**
 * Credentials for a WebSocket: `connection_init` params first (`{apiKey, userId}`), then the
 * upgrade request's X-API-Key / X-User-Id headers, then `?api_key=&user_id=` in its URL.
 */
export function credentialsForSocket(
  request: { headers: Record<string, string | string[] | undefined>; url?: string },
  params?: Readonly<Record<string, unknown>> | null,
  address?: string,
): Credentials {
  const fromHeaders = credentialsFromHeaders(nodeHeaders(request.headers));
  const query = new URL(request.url ?? '/', 'http://localhost').searchParams;
  const param = (...names: string[]) => {
    for (const name of names) {
      const value = params?.[name];
      if (typeof value === 'string') return value;
    }
    return undefined;
  };
  return {
    apiKey: param('apiKey', 'api_key', 'X-API-Key', 'x-api-key') ?? fromHeaders.apiKey ?? query.get('api_key'),
    userId: param('userId', 'user_id', 'X-User-Id', 'x-user-id') ?? fromHeaders.userId ?? query.get('user_id'),
    address,
  };
}

/**
 * The client's address: the socket peer, or, behind a trusted proxy, the last X-Forwarded-For hop
 * (the address that proxy saw: earlier entries are whatever the client claimed).
 */
export function clientAddress(
  request: { headers: Record<string, string | string[] | undefined>; socket?: { remoteAddress?: string } },
  trustProxy: boolean,
): string | undefined {
  if (trustProxy) {
    const forwarded = request.headers['x-forwarded-for'];
    const last = (Array.isArray(forwarded) ? forwarded.join(',') : forwarded)?.split(',').at(-1)?.trim();
    if (last) return last;
  }
  return request.socket?.remoteAddress;
}
