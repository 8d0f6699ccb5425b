/**
 * What each caller may do: the one table of authorization rules. Services name an action as the
 * first line of each method (`session.assert('tenant:admin')`, `rooms.authorize(session,
 * 'room:post', { roomId })`); who may perform it is decided here and nowhere else.
 */

/** A member's role in a room. Rooms are created with 'admin' (the creator) and 'member'. */
export type RoomRole = 'owner' | 'admin' | 'member';
export const roomRoles: readonly RoomRole[] = ['owner', 'admin', 'member'];

/** Who may perform an action: the operator (master key), any user of the tenant, or a room member with one of `roles`. */
export type Rule = { who: 'master' } | { who: 'user' } | { who: 'member'; roles: readonly RoomRole[] };

const anyMember = { who: 'member', roles: roomRoles } as const;
const roomAdmins = { who: 'member', roles: ['owner', 'admin'] } as const;

export const permissions = {
  /** The operator's API: tenants, keys, usage, dead letters. */
  'tenant:admin': { who: 'master' },
  /** Act as a user of the session's tenant: who am I, my rooms, who is online. */
  'tenant:read': { who: 'user' },
  'room:create': { who: 'user' },
  /** See the room, its members and history; move one's own delivered/read cursors; watch its events. */
  'room:read': anyMember,
  /** Send messages and typing signals to the room. */
  'room:post': anyMember,
  /** Change the room and its membership (no method needs it yet). */
  'room:manage': roomAdmins,
  /** Edit or delete others' messages (no method needs it yet; authors may edit their own). */
  'message:edit': roomAdmins,
  'notification:send': { who: 'user' },
  /** Receive, acknowledge and (un)subscribe to one's own notifications. */
  'notification:receive': { who: 'user' },
} as const satisfies Record<string, Rule>;

export type Action = keyof typeof permissions;
type ActionsFor<W extends Rule['who']> = {
  [A in Action]: (typeof permissions)[A]['who'] extends W ? A : never;
}[Action];
/** Actions only the master key may perform. */
export type MasterAction = ActionsFor<'master'>;
/** Actions any user of the tenant may perform. */
export type UserAction = ActionsFor<'user'>;
/** Actions that need a membership of the room in scope. */
export type RoomAction = ActionsFor<'member'>;

/** Whether a member with `role` may perform the room action. */
export function roleMay(action: RoomAction, role: string): boolean {
  return (permissions[action].roles as readonly string[]).includes(role);
}
