import type { AckData, NotificationData, PresenceData, TypingData } from '../../events/events.js';
import type { RoomSignal } from '../../services/delivery/index.js';
import { builder } from '../builder.js';
import { Message } from './message.js';

const PresenceStatus = builder.enumType('PresenceStatus', { values: ['ONLINE', 'OFFLINE'] as const });

const TypingEvent = builder.objectRef<TypingData>('TypingEvent').implement({
  fields: (t) => ({
    roomId: t.exposeID('roomId'),
    userId: t.exposeString('userId'),
    typing: t.exposeBoolean('typing'),
  }),
});

const PresenceEvent = builder.objectRef<PresenceData>('PresenceEvent').implement({
  fields: (t) => ({
    userId: t.exposeString('userId'),
    status: t.field({ type: PresenceStatus, resolve: (e) => e.status }),
  }),
});

const AckEvent = builder.objectRef<AckData>('AckEvent').implement({
  fields: (t) => ({
    roomId: t.exposeID('roomId'),
    userId: t.exposeString('userId'),
    seq: t.exposeInt('seq'),
  }),
});

const RoomEventUnion = builder.unionType('RoomEvent', {
  types: [TypingEvent, PresenceEvent, AckEvent],
  resolveType: (event) => {
    switch ((event as RoomSignal).type) {
      case 'typing':
        return TypingEvent;
      case 'presence':
        return PresenceEvent;
      default:
        return AckEvent;
    }
  },
});

const InboxEvent = builder
  .objectRef<{ roomId: string; message: (typeof Message)['$inferType'] }>('InboxEvent')
  .implement({
    description: 'A message in one of the rooms of the user.',
    fields: (t) => ({
      roomId: t.exposeID('roomId'),
      message: t.field({ type: Message, resolve: (e) => e.message }),
    }),
  });

const RoomCursorInput = builder.inputType('RoomCursorInput', {
  fields: (t) => ({
    roomId: t.id({ required: true }),
    afterSeq: t.int({ required: true }),
  }),
});

export const Notification = builder.objectRef<NotificationData>('Notification').implement({
  fields: (t) => ({
    id: t.exposeID('id'),
    topic: t.exposeString('topic'),
    payload: t.expose('payload', { type: 'JSON', nullable: true }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    expiresAt: t.expose('expiresAt', { type: 'DateTime' }),
  }),
});

const NotifyTargetsInput = builder.inputType('NotifyTargetsInput', {
  description: 'Who receives the notification: the union of all three.',
  fields: (t) => ({
    userIds: t.stringList(),
    roomId: t.id({ description: 'Every member of this room (the caller must be one).' }),
    topicSubscribers: t.boolean({ description: "Every subscriber of the notification's topic." }),
  }),
});

const NotifyInput = builder.inputType('NotifyInput', {
  fields: (t) => ({
    topic: t.string({ required: true }),
    payload: t.field({ type: 'JSON', required: true }),
    targets: t.field({ type: NotifyTargetsInput, required: true }),
  }),
});

builder.subscriptionFields((t) => ({
  messageAdded: t.field({
    type: Message,
    description:
      'Every stored message with seq > afterSeq, in order, then live ones: no gap, no duplicate. ' +
      'Without afterSeq, only messages sent from now on. Resume after a disconnect with the last seq received.',
    args: { roomId: t.arg.id({ required: true }), afterSeq: t.arg.int() },
    subscribe: (_root, args, { session, services, connection }) =>
      services.delivery.roomMessages(session, args.roomId, args.afterSeq, connection),
    resolve: (message) => message,
  }),
  inbox: t.field({
    type: InboxEvent,
    description:
      'Messages of every room of the user, including rooms joined later. Each room starts after its cursor ' +
      "in `after`, or after the member's delivered seq. Seqs are in order per room.",
    args: { after: t.arg({ type: [RoomCursorInput] }) },
    subscribe: (_root, args, { session, services, connection }) =>
      services.delivery.inbox(session, args.after, connection),
    resolve: (message) => ({ roomId: message.roomId, message }),
  }),
  roomEvents: t.field({
    type: RoomEventUnion,
    description: 'Typing, presence (of members) and acks in one room, live.',
    args: { roomId: t.arg.id({ required: true }) },
    subscribe: (_root, args, { session, services, connection }) =>
      services.delivery.roomEvents(session, args.roomId, connection),
    resolve: (event) => event,
  }),
  notifications: t.field({
    type: Notification,
    description: 'Stored notifications not yet acknowledged, then live ones; `topics` narrows both.',
    args: { topics: t.arg.stringList() },
    subscribe: (_root, args, { session, services, connection }) =>
      services.notifications.stream(session, args.topics, connection),
    resolve: (notification) => notification,
  }),
}));

builder.mutationFields((t) => ({
  setTyping: t.boolean({
    args: { roomId: t.arg.id({ required: true }), typing: t.arg.boolean({ required: true }) },
    resolve: async (_root, args, { session, services }) => {
      await services.typing.set(session, args.roomId, args.typing);
      return true;
    },
  }),
  notify: t.field({
    type: Notification,
    args: { input: t.arg({ type: NotifyInput, required: true }) },
    resolve: (_root, { input }, { session, services }) => services.notifications.notify(session, input),
  }),
  ackNotification: t.boolean({
    description: 'Confirms a notification arrived: it is neither replayed nor retried again.',
    args: { id: t.arg.id({ required: true }) },
    resolve: async (_root, args, { session, services }) => {
      await services.notifications.ack(session, args.id);
      return true;
    },
  }),
  subscribeTopic: t.boolean({
    args: { topic: t.arg.string({ required: true }) },
    resolve: async (_root, args, { session, services }) => {
      await services.notifications.subscribeTopic(session, args.topic);
      return true;
    },
  }),
  unsubscribeTopic: t.boolean({
    args: { topic: t.arg.string({ required: true }) },
    resolve: async (_root, args, { session, services }) => {
      await services.notifications.unsubscribeTopic(session, args.topic);
      return true;
    },
  }),
}));
