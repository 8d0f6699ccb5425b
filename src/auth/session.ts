import { unauthenticated } from '../errors.js';

export interface UserActor {
  kind: 'user';
  tenantId: string;
  userId: string;
  keyId: string;
  /** The tenant's own requests-per-second limit; null means DEFAULT_RATE_LIMIT. */
  rateLimit: number | null;
}
export type Actor = { kind: 'anonymous' } | { kind: 'master' } | UserActor;

/**
 * Who is calling. Built by the one authentication path (`Authenticator.authenticate`) for REST,
 * GraphQL over HTTP and WebSocket alike; services ask it what the caller may do. The tenant id a
 * service acts on always comes from here, never from an argument.
 */
export class Session {
  constructor(
    readonly actor: Actor,
    /** Why `requireMaster` fails for a caller without the master key. */
    private readonly adminRefusal = 'Unauthorized',
  ) {}

  requireUser(): UserActor {
    if (this.actor.kind !== 'user') throw unauthenticated('Missing X-API-Key header');
    return this.actor;
  }

  requireMaster(): void {
    if (this.actor.kind !== 'master') throw unauthenticated(this.adminRefusal);
  }
}
