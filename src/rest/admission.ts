import type { IncomingMessage } from 'node:http';
import { clientAddress, credentialsFromHeaders } from '../auth/credentials.js';
import type { Session } from '../auth/session.js';
import type { Services } from '../services/index.js';
import type { RateLimitState } from '../services/rateLimits.js';

export interface Admission {
  session: Session;
  /** Where the tenant stands against its rate limit (tenant users only); over it when `retryAfter` is set. */
  limit?: RateLimitState;
}

/**
 * The HTTP side of the one authentication path, shared by REST and GraphQL over HTTP: the session
 * from the request's headers, and for a tenant user one point of the tenant's rate limit. Throws
 * for wrong credentials; reports (does not throw) an exceeded limit, so the caller can still send
 * the X-RateLimit-* headers with its 429.
 */
export async function admitHttpRequest(services: Services, req: IncomingMessage, trustProxy: boolean): Promise<Admission> {
  const credentials = { ...credentialsFromHeaders(req), address: clientAddress(req, trustProxy) };
  const session = await services.auth.authenticate(credentials);
  if (session.actor.kind !== 'user') return { session };
  return { session, limit: await services.limits.check(session) };
}
