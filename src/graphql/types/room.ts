import type { MemberView, RoomView } from '../../services/rooms.js';
import { UNPAGED_ROOMS } from '../limits.js';
import { builder } from '../builder.js';

export const RoomType = builder.enumType('RoomType', {
  values: { DM: { value: 'dm' }, GROUP: { value: 'group' }, CHANNEL: { value: 'channel' } } as const,
});

const RoomMember = builder.objectRef<MemberView>('RoomMember').implement({
  fields: (t) => ({
    userId: t.exposeString('userId'),
    role: t.exposeString('role', { description: '"admin" or "member"' }),
    joinedAt: t.expose('joinedAt', { type: 'DateTime' }),
    deliveredSeq: t.exposeInt('deliveredSeq', { description: 'Highest seq this member acknowledged' }),
    readSeq: t.exposeInt('readSeq', { description: 'Highest seq this member has read (markRead)' }),
    online: t.boolean({
      description: 'Whether the member has an open connection now (see PresenceEvent for changes).',
      resolve: (member, _args, { session, services }) => services.presence.memberOnline(session, member.userId),
    }),
  }),
});

export const Room = builder.objectRef<RoomView>('Room').implement({
  fields: (t) => ({
    id: t.exposeID('id'),
    type: t.field({ type: RoomType, resolve: (room) => room.type }),
    uniqueKey: t.exposeString('uniqueKey', { nullable: true }),
    name: t.exposeString('name', { nullable: true }),
    lastSeq: t.exposeInt('lastSeq'),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    members: t.field({
      type: [RoomMember],
      resolve: (room, _args, { session, services }) => services.rooms.listMembers(session, room.id),
    }),
  }),
});

const CreateRoomInput = builder.inputType('CreateRoomInput', {
  fields: (t) => ({
    type: t.field({ type: RoomType, required: true }),
    members: t.stringList({ required: true }),
    name: t.string(),
  }),
});

const Viewer = builder.objectRef<{ tenantId: string; userId: string }>('Viewer').implement({
  fields: (t) => ({
    tenantId: t.exposeID('tenantId'),
    userId: t.exposeString('userId'),
  }),
});

builder.queryFields((t) => ({
  viewer: t.field({
    type: Viewer,
    description: 'The tenant and user this request acts as.',
    resolve: (_root, _args, { session }) => session.assert('tenant:read'),
  }),
  room: t.field({
    type: Room,
    nullable: true,
    description: 'Null unless the caller is a member.',
    args: { id: t.arg.id({ required: true }) },
    resolve: (_root, args, { session, services }) => services.rooms.get(session, args.id),
  }),
  rooms: t.field({
    type: [Room],
    description:
      "The caller's rooms, oldest first: all of them, or pages of `limit` (at most 100) after the room `after` " +
      '(the last id of the previous page). Without `limit` the cost limit counts 100 rooms.',
    args: { limit: t.arg.int(), after: t.arg.id() },
    extensions: { listSize: UNPAGED_ROOMS },
    resolve: (_root, args, { session, services }) => services.rooms.listForUser(session, args),
  }),
}));

builder.mutationField('createRoom', (t) =>
  t.field({
    type: Room,
    args: { input: t.arg({ type: CreateRoomInput, required: true }) },
    resolve: (_root, { input }, { session, services }) => services.rooms.create(session, input),
  }),
);
