import { LRUCache } from 'lru-cache';
import { z } from 'zod';
import { roleMay, type RoomAction } from '../auth/permissions.js';
import type { Session } from '../auth/session.js';
import { isUniqueViolation, type Database } from '../db/database.js';
import { conflict, forbidden, invalid, notFound } from '../errors.js';
import type { EventBus } from '../events/bus.js';
import { userKey } from '../events/events.js';
import type { Logger } from '../logger.js';
import { newId } from './ids.js';
import { TickBatcher } from './tickBatcher.js';
import { check, isStorableText, roomIdSchema, storableText, userIdSchema } from './validation.js';

export const roomTypes = ['dm', 'group', 'channel'] as const;
export type RoomType = (typeof roomTypes)[number];

export interface RoomView {
  id: string;
  type: RoomType;
  uniqueKey: string | null;
  name: string | null;
  lastSeq: number;
  createdBy: string;
  createdAt: Date;
}

export interface MemberView {
  userId: string;
  role: string;
  joinedAt: Date;
  deliveredSeq: number;
  readSeq: number;
}

/** What a member may do in a room, as cached per (room, user). */
export interface Membership {
  tenantId: string;
  roomId: string;
  userId: string;
  role: string;
}

/** Most members one create call accepts. */
export const MAX_MEMBERS_PER_REQUEST = 500;

const createSchema = z.object({
  type: z.enum(roomTypes, { error: 'must be one of dm, group, channel' }),
  members: z
    .array(userIdSchema, { error: 'must be an array of user ids' })
    .max(MAX_MEMBERS_PER_REQUEST, `must list at most ${MAX_MEMBERS_PER_REQUEST} users`),
  name: z
    .string({ error: 'must be a string' })
    .trim()
    .max(200, 'must be at most 200 characters')
    .refine(isStorableText, storableText)
    .nullish()
    .transform((v) => v || null),
});

const roomSelect = {
  id: true,
  type: true,
  uniqueKey: true,
  name: true,
  lastSeq: true,
  createdBy: true,
  createdAt: true,
} as const;

/** The most rooms a `limit` gets (the cost rule's MAX_LIST_SIZE). */
export const MAX_ROOM_PAGE = 100;

const roomLimitSchema = z
  .number({ error: 'must be an integer' })
  .int('must be an integer')
  .min(1, 'must be at least 1')
  .transform((n) => Math.min(n, MAX_ROOM_PAGE));

/** `dm:5:alice:3:bob`: length-prefixed, so ids containing ':' cannot collide. */
export const dmKey = (a: string, b: string) =>
  `dm:${[a, b]
    .sort()
    .map((id) => `${id.length}:${id}`)
    .join(':')}`;

type MembershipRow = { tenantId: string; role: string };

const membershipKey = (roomId: string, userId: string) => `${roomId}\u0000${userId}`;

const memberSelect = { userId: true, role: true, joinedAt: true, deliveredSeq: true, readSeq: true } as const;

export class RoomService {
  /** (room, user) -> membership, or 'none'; evicted on every instance when membership changes. */
  private readonly memberships = new LRUCache<string, Membership | 'none'>({ max: 50_000 });

  constructor(
    private readonly db: Database,
    private readonly bus: EventBus,
    private readonly logger: Logger,
  ) {
    bus.subscribe('cache', 'all', (event) => {
      if (event.type === 'membership') {
        for (const userId of event.userIds) this.memberships.delete(membershipKey(event.roomId, userId));
      } else if (event.type === 'tenant') {
        this.memberships.clear();
      }
    });
  }

  /** Forgets every cached membership (after events may have been missed, e.g. Redis was away). */
  forgetAll(): void {
    this.memberships.clear();
  }

  /**
   * The caller's membership of `scope.roomId`, if its role may perform `action` (see
   * auth/permissions.ts). A room of another tenant, a room the caller is not in and a room that
   * does not exist all look the same: NOT_FOUND, so existence is never revealed; a member whose
   * role may not perform the action is refused with AUTHORIZATION_ERROR.
   */
  async authorize(session: Session, action: RoomAction, scope: { roomId: unknown }): Promise<Membership> {
    const { tenantId, userId } = session.assert(action);
    const id = check(roomIdSchema, scope.roomId, 'roomId');
    const key = membershipKey(id, userId);
    let membership = this.memberships.get(key);
    if (membership === undefined) {
      const row = await this.loadMembership(id, userId);
      membership = row ? { tenantId: row.tenantId, roomId: id, userId, role: row.role } : 'none';
      this.memberships.set(key, membership, membership === 'none' ? { ttl: 30_000 } : undefined);
    }
    if (membership === 'none' || membership.tenantId !== tenantId) throw notFound('Room');
    if (!roleMay(action, membership.role)) throw forbidden(`A room ${membership.role} may not perform ${action}`);
    return membership;
  }

  /**
   * `authorize(session, 'room:read', { roomId })`, for the callers that have not yet named their
   * action (delivery, the /ws adapter).
   */
  requireMember(session: Session, roomId: unknown): Promise<Membership> {
    return this.authorize(session, 'room:read', { roomId });
  }

  /**
   * (room, user) membership rows. Look-ups made in the same tick (a `rooms { members }` query over
   * every room of a user) are batched into `roomId IN (...)` queries of at most BATCH_SIZE rooms
   * each: one unbounded batch (Prisma's own findUnique batching) failed on SQLite for a user in
   * about 1,000 rooms.
   */
  private readonly membershipRows = new TickBatcher<string, MembershipRow | null>(async (keys) => {
    const byUser = new Map<string, string[]>();
    for (const key of keys) {
      const [roomId, userId] = key.split('\u0000') as [string, string];
      byUser.set(userId, [...(byUser.get(userId) ?? []), roomId]);
    }
    const found = new Map<string, MembershipRow>();
    for (const [userId, roomIds] of byUser) {
      const rows = await this.db.read.roomMember.findMany({
        where: { userId, roomId: { in: roomIds } },
        select: { roomId: true, tenantId: true, role: true },
      });
      for (const row of rows) found.set(membershipKey(row.roomId, userId), { tenantId: row.tenantId, role: row.role });
    }
    return found;
  }, null);

  private loadMembership(roomId: string, userId: string): Promise<MembershipRow | null> {
    return this.membershipRows.load(membershipKey(roomId, userId));
  }

  /**
   * Members of rooms, batched per tick like memberships: `rooms { members }` over 1,000 rooms (and
   * its aliases) is two `roomId IN (...)` queries, not one per room per alias.
   */
  readonly memberLists = new TickBatcher<string, MemberView[]>(async (roomIds) => {
    const rows = await this.db.read.roomMember.findMany({
      where: { roomId: { in: roomIds } },
      select: { roomId: true, ...memberSelect },
      orderBy: [{ joinedAt: 'asc' }, { userId: 'asc' }],
    });
    const byRoom = new Map<string, MemberView[]>();
    for (const { roomId, ...member } of rows) {
      let members = byRoom.get(roomId);
      if (!members) byRoom.set(roomId, (members = []));
      members.push(member);
    }
    return byRoom;
  }, []);

  async create(session: Session, input: { type: unknown; members: unknown; name?: unknown }): Promise<RoomView> {
    const { tenantId, userId: creator } = session.assert('room:create');
    const type = check(createSchema.shape.type, input.type, 'type');
    const members = check(createSchema.shape.members, input.members, 'members');
    const name = check(createSchema.shape.name, input.name, 'name');
    const seen = new Set<string>();
    for (const id of members) {
      if (seen.has(id)) throw invalid(`members contains ${JSON.stringify(id)} twice`, 'members');
      seen.add(id);
    }

    let uniqueKey: string | null = null;
    let roles: Array<[string, string]>;
    if (type === 'dm') {
      if (members.length !== 2) {
        throw invalid('members must list exactly two users for a dm', 'members');
      }
      uniqueKey = dmKey(members[0]!, members[1]!);
      const existing = await this.db.read.room.findUnique({
        where: { tenantId_uniqueKey: { tenantId, uniqueKey } },
        select: { id: true },
      });
      if (existing) throw this.dmExists(existing.id);
      roles = members.map((id) => [id, 'member']);
    } else {
      roles = [
        [creator, 'admin'],
        ...members.filter((id) => id !== creator).map((id): [string, string] => [id, 'member']),
      ];
    }

    const id = newId('room');
    let room: RoomView;
    try {
      room = (await this.db.transaction(async (tx) => {
        const created = await tx.room.create({
          data: { id, tenantId, type, uniqueKey, name, createdBy: creator },
          select: roomSelect,
        });
        await tx.roomMember.createMany({
          data: roles.map(([userId, role]) => ({ roomId: id, tenantId, userId, role })),
        });
        return created;
      })) as RoomView;
    } catch (err) {
      if (uniqueKey && isUniqueViolation(err)) {
        const existing = await this.db.read.room.findUnique({
          where: { tenantId_uniqueKey: { tenantId, uniqueKey } },
          select: { id: true },
        });
        if (existing) throw this.dmExists(existing.id);
      }
      throw err;
    }
    const userIds = roles.map(([userId]) => userId);
    this.bus.publish('cache', 'all', { type: 'membership', roomId: id, userIds });
    for (const userId of userIds)
      this.bus.publish('user', userKey(tenantId, userId), { type: 'roomJoined', roomId: id });
    this.logger.debug({ tenant_id: tenantId, room_id: id, type }, 'Room created');
    return room;
  }

  private dmExists(roomId: string) {
    return conflict('A dm room between these users already exists', { room_id: roomId });
  }

  /** The room, or null when the caller may not see it. */
  async get(session: Session, roomId: unknown): Promise<RoomView | null> {
    let member: Membership;
    try {
      member = await this.authorize(session, 'room:read', { roomId });
    } catch (err) {
      if ((err as { code?: string }).code === 'NOT_FOUND') return null;
      throw err;
    }
    return (await this.db.read.room.findUnique({
      where: { id: member.roomId },
      select: roomSelect,
    })) as RoomView | null;
  }

  /**
   * The caller's rooms, oldest first: all of them, or with `page.limit` at most that many (at most
   * MAX_ROOM_PAGE), after the room `page.after` if given.
   */
  async listForUser(session: Session, page?: { limit?: unknown; after?: unknown }): Promise<RoomView[]> {
    const { tenantId, userId } = session.assert('tenant:read');
    const take = page?.limit == null ? undefined : check(roomLimitSchema, page.limit, 'limit');
    let after: { id: string; createdAt: Date } | undefined;
    if (page?.after != null) {
      const id = check(roomIdSchema, page.after, 'after');
      const member = await this.loadMembership(id, userId);
      const cursor =
        member?.tenantId === tenantId
          ? await this.db.read.room.findUnique({ where: { id }, select: { createdAt: true } })
          : null;
      if (!cursor) throw invalid('after must be the id of one of your rooms', 'after');
      after = { id, createdAt: cursor.createdAt };
    }
    return (await this.db.read.room.findMany({
      where: {
        tenantId,
        members: { some: { userId } },
        ...(after && {
          OR: [{ createdAt: { gt: after.createdAt } }, { createdAt: after.createdAt, id: { gt: after.id } }],
        }),
      },
      select: roomSelect,
      orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
      take,
    })) as RoomView[];
  }

  async listMembers(session: Session, roomId: unknown): Promise<MemberView[]> {
    const { roomId: id } = await this.authorize(session, 'room:read', { roomId });
    return this.memberLists.load(id);
  }
}
