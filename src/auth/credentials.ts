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
