import type { IncomingMessage } from 'node:http';
import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import { clientAddress, credentialsFromHeaders } from '../auth/credentials.js';
import type { Session } from '../auth/session.js';
import { rateLimited } from '../errors.js';
import type { Services } from '../services/index.js';
import type { RateLimitState } from '../services/rateLimits.js';

export interface Admission {
  session: Session;
  /** Where the tenant stands against its rate limit (tenant users only); over it when `retryAfter` is set. */
  limit?: RateLimitState;
}

export interface AdmissionOptions {
  trustProxy: boolean;
  /** Requests per second one address may make without credentials (health, introspection). */
  anonymousRateLimit: number;
}

/**
 * The HTTP side of the one authentication path, shared by REST and GraphQL over HTTP, run before
 * any body is read or parsed: the session from the request's headers, and one point of a rate
 * limit (the tenant's for a tenant user; the address's anonymous limit for a request without
 * credentials). Throws for wrong credentials and for an exceeded anonymous limit; reports (does
 * not throw) an exceeded tenant limit, so the caller can still send the X-RateLimit-* headers with
 * its 429.
 */
export type Admit = (req: IncomingMessage) => Promise<Admission>;

export function createAdmission(services: Services, options: AdmissionOptions): Admit {
  const anonymous = new RateLimiterMemory({ points: options.anonymousRateLimit, duration: 1 });
  return async (req) => {
    const address = clientAddress(req, options.trustProxy);
    const credentials = { ...credentialsFromHeaders(req), address };
    const session = await services.auth.authenticate(credentials);
    if (session.actor.kind === 'anonymous') {
      try {
        await anonymous.consume(address ?? 'unknown');
      } catch (err) {
        if (!(err instanceof RateLimiterRes)) throw err;
        throw rateLimited(Math.max(1, Math.ceil(err.msBeforeNext / 1000)));
      }
    }
    if (session.actor.kind !== 'user') return { session };
    return { session, limit: await services.limits.check(session) };
  };
}
