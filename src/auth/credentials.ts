import { invalid, type AppError } from '../errors.js';
import type { Credentials } from './authenticator.js';

/**
 * A request's headers: Node's `headersDistinct` (every value of a header, as the latin1 string of
 * its bytes) where available, else the folded `headers`.
 */
export interface HeaderSource {
  headers: Record<string, string | string[] | undefined>;
  headersDistinct?: Record<string, string[] | undefined>;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * One credential header, by the rule every transport follows: given at most once (a repeated
 * header is refused, never joined into "a, b"), its bytes decoded as UTF-8 (Node hands them over
 * as latin1). Control characters and NFC normalisation are the user-id rule's (see userId.ts),
 * which connection params go through too.
 */
function credentialHeader(source: HeaderSource, name: string, label: string): string | undefined {
  const values =
    source.headersDistinct?.[name] ??
    (typeof source.headers[name] === 'string' ? [source.headers[name]] : source.headers[name]);
  if (!values || values.length === 0) return undefined;
  if (values.length > 1) throw invalid(`${label} must be given once`, label);
  const raw = values[0]!;
  // Plain ASCII (every API key, most user ids) needs no decoding.
  if (!/[^\x00-\x7f]/.test(raw)) return raw;
  try {
    return utf8.decode(Buffer.from(raw, 'latin1'));
  } catch {
    throw invalid(`${label} must be UTF-8 text`, label);
  }
}

/** Credentials from request headers (REST, GraphQL over HTTP, the WebSocket upgrade request). */
export function credentialsFromHeaders(source: HeaderSource): Credentials {
  try {
    return {
      apiKey: credentialHeader(source, 'x-api-key', 'X-API-Key'),
      userId: credentialHeader(source, 'x-user-id', 'X-User-Id'),
      masterKey: credentialHeader(source, 'x-master-key', 'X-Master-Key'),
    };
  } catch (err) {
    // Refused by `authenticate`, so every transport answers it the way it answers bad credentials.
    return { refusal: err as AppError };
  }
}

/**
 * Credentials for a WebSocket: `connection_init` params first (`{apiKey, userId}`), then the
 * upgrade request's X-API-Key / X-User-Id headers, then `?api_key=&user_id=` in its URL.
 */
export function credentialsForSocket(
  request: HeaderSource & { url?: string },
  params?: Readonly<Record<string, unknown>> | null,
  address?: string,
): Credentials {
  const fromHeaders = credentialsFromHeaders(request);
  const query = new URL(request.url ?? '/', 'http://localhost').searchParams;
  const param = (...names: string[]) => {
    for (const name of names) {
      const value = params?.[name];
      if (typeof value === 'string') return value;
    }
    return undefined;
  };
  const apiKey = param('apiKey', 'api_key', 'X-API-Key', 'x-api-key');
  const userId = param('userId', 'user_id', 'X-User-Id', 'x-user-id');
  // Connection params replace the headers entirely: a bad header they override does not matter.
  if (fromHeaders.refusal && !(apiKey && userId)) return { refusal: fromHeaders.refusal, address };
  return {
    apiKey: apiKey ?? fromHeaders.apiKey ?? query.get('api_key'),
    userId: userId ?? fromHeaders.userId ?? query.get('user_id'),
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
