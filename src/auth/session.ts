import { unauthenticated } from '../errors.js';
import { permissions, type MasterAction, type RoomAction, type UserAction } from './permissions.js';

export interface UserActor {
  kind: 'user';
  tenantId: string;
  userId: string;
  keyId: string;
  /** The tenant's own requests-per-second limit; null means DEFAULT_RATE_LIMIT. */
  rateLimit: number | null;
}
export interface MasterActor {
  kind: 'master';
}
export type Actor = { kind: 'anonymous' } | MasterActor | UserActor;

/**
 * Who is calling. Built by the one authentication path (`Authenticator.authenticate`) for REST,
 * GraphQL over HTTP and WebSocket alike; services ask it what the caller may do. The tenant id a
 * service acts on always comes from here, never from an argument.
 */
export class Session {
  constructor(
    readonly actor: Actor,
    /** Why a master action fails for a caller without the master key. */
    private readonly adminRefusal = 'Unauthorized',
  ) {}

  /**
   * Refuses the caller unless `permissions` lets its kind of actor perform `action`; returns the
   * actor. For a room action this checks the actor only: `RoomService.authorize` adds the
   * membership and role.
   */
  assert(action: MasterAction): MasterActor;
  assert(action: UserAction | RoomAction): UserActor;
  assert(action: MasterAction | UserAction | RoomAction): MasterActor | UserActor {
    if (permissions[action].who === 'master') {
      if (this.actor.kind !== 'master') throw unauthenticated(this.adminRefusal);
      return this.actor;
    }
    return this.requireUser();
  }

  /** The tenant user calling (for transports binding a connection to a user); services use `assert`. */
  requireUser(): UserActor {
    if (this.actor.kind !== 'user') throw unauthenticated('Missing X-API-Key header');
    return this.actor;
  }
}
