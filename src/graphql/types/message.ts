import type { MessageData } from '../../events/events.js';
import { builder } from '../builder.js';
import { viewerDependent } from '../shareability.js';

export const Message = builder.objectRef<MessageData>('Message').implement({
  fields: (t) => ({
    id: t.exposeID('id'),
    roomId: t.exposeID('roomId'),
    senderId: t.exposeString('senderId'),
    seq: t.exposeInt('seq', { description: '1, 2, 3 ... per room, without gaps' }),
    content: t.exposeString('content'),
    meta: t.expose('meta', { type: 'JSON', nullable: true }),
    clientMessageId: t.exposeString('clientMessageId', { nullable: true }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    isMine: t.boolean({
      description: "Whether the caller's user sent it.",
      extensions: viewerDependent,
      resolve: (message, _args, { session }) =>
        session.actor.kind === 'user' && session.actor.userId === message.senderId,
    }),
  }),
});

builder.queryField('messages', (t) =>
  t.field({
    type: [Message],
    description:
      'A page of history in ascending seq order: with afterSeq, the first `limit` messages after it; ' +
      'otherwise the last `limit` messages before beforeSeq, or the latest ones. limit: default 50, at most 100.',
    args: {
      roomId: t.arg.id({ required: true }),
      afterSeq: t.arg.int(),
      beforeSeq: t.arg.int(),
      limit: t.arg.int(),
    },
    resolve: (_root, { roomId, ...page }, { session, services }) => services.messages.list(session, roomId, page),
  }),
);

builder.mutationFields((t) => ({
  sendMessage: t.field({
    type: Message,
    description: 'A retry with the same clientMessageId (same sender and room) returns the original message.',
    args: {
      roomId: t.arg.id({ required: true }),
      content: t.arg.string({ required: true }),
      meta: t.arg({ type: 'JSON' }),
      clientMessageId: t.arg.string(),
    },
    resolve: async (_root, { roomId, ...input }, { session, services }) =>
      (await services.messages.send(session, roomId, input)).message,
  }),
  ack: t.boolean({
    description: "Moves the caller's delivered cursor forward to seq (never back); the room gets an AckEvent.",
    args: { roomId: t.arg.id({ required: true }), seq: t.arg.int({ required: true }) },
    resolve: async (_root, { roomId, seq }, { session, services }) => {
      await services.messages.ack(session, roomId, seq);
      return true;
    },
  }),
  markRead: t.boolean({
    description: "Moves the caller's read cursor forward to seq (never back).",
    args: { roomId: t.arg.id({ required: true }), seq: t.arg.int({ required: true }) },
    resolve: async (_root, { roomId, seq }, { session, services }) => {
      await services.messages.markRead(session, roomId, seq);
      return true;
    },
  }),
}));
