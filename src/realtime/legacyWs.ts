import type { IncomingMessage } from 'node:http';
import type { RawData, WebSocket } from 'ws';
import { clientAddress, credentialsForSocket } from '../auth/credentials.js';
import type { Session } from '../auth/session.js';
import { AppError, invalid, publicError, tooLarge } from '../errors.js';
import { inRestDialect } from '../rest/dialect.js';
import type { MessageData, NotificationData } from '../events/events.js';
import type { Logger } from '../logger.js';
import type { RoomSignal } from '../services/delivery/index.js';
import { overBudget } from '../services/eventQueue.js';
import type { Services } from '../services/index.js';
import { CloseCode, refuseConnection, type ConnectionRegistry, type LiveConnection } from './connections.js';

type Frame = Record<string, unknown>;

const frameTypes = new Set(['send_message', 'ack', 'typing.start', 'typing.stop', 'subscribe']);

export const messageFrame = (m: MessageData) => ({
  type: 'message',
  room_id: m.roomId,
  message_id: m.id,
  seq: m.seq,
  sender_id: m.senderId,
  content: m.content,
  meta: m.meta,
  client_message_id: m.clientMessageId,
  created_at: m.createdAt,
});

const notificationFrame = (n: NotificationData) => ({
  type: 'notification',
  notification_id: n.id,
  topic: n.topic,
  payload: n.payload,
  created_at: n.createdAt,
});

/**
 * The original ChatAPI WebSocket protocol at /ws, for existing clients: a thin adapter over the
 * same services and event bus as GraphQL. On connect it streams every message the user missed
 * (since their delivered seq, room by room, in order), then live messages of all their rooms,
 * typing, presence, acks and notifications. Every bad frame gets an `error` frame; the socket stays open.
 */
export function createLegacyWsHandler(
  services: Services,
  registry: ConnectionRegistry,
  logger: Logger,
  options: { maxFrameBytes: number; trustProxy: boolean },
) {
  const { maxFrameBytes } = options;
  return function handle(socket: WebSocket, request: IncomingMessage): void {
    const connection = registry.open(socket, 'ws');
    connection.onShutdown = (reconnectAfterMs) => {
      connection.send(JSON.stringify({ type: 'server.shutdown', reconnect_after_ms: reconnectAfterMs }));
      connection.close(CloseCode.ServiceRestart, 'service restart');
    };
    const send = (frame: Frame) => connection.send(JSON.stringify(frame));
    const credentials = credentialsForSocket(
      { headers: request.headers, headersDistinct: request.headersDistinct, url: request.url },
      null,
      clientAddress(request, options.trustProxy),
    );

    // Frames may arrive before authentication finished: they wait for it, in order.
    const ready = (async () => {
      let session: Session;
      try {
        session = await services.auth.authenticate(credentials);
        await registry.authenticated(connection, session.requireUser());
      } catch (err) {
        refuseConnection(connection, err);
        return undefined;
      }
      await startStreams(session, connection, send);
      return session;
    })().catch((err: unknown) => {
      logger.warn({ err }, '/ws connection set-up failed');
      refuseConnection(connection, err);
      return undefined;
    });

    let queue = Promise.resolve();
    socket.on('message', (data: RawData, isBinary: boolean) => {
      queue = queue.then(async () => {
        const session = await ready;
        if (!session || connection.closed) return;
        await handleFrame(session, data, isBinary, send);
      });
    });
  };

  async function startStreams(
    session: Session,
    connection: LiveConnection,
    send: (frame: Frame) => void,
  ): Promise<void> {
    const { userId } = session.requireUser();
    // Each stream ends with the connection; one that fails ends the connection (the client
    // reconnects and resumes from its delivered seq), and whatever was set up is released.
    const streams: Array<{ return(): Promise<unknown> }> = [];
    connection.onClose(() => {
      for (const stream of streams) void stream.return();
    });
    // Messages and signals of every room of the user, rooms joined later included.
    const { messages, signals } = await services.delivery.userRooms(session, { connection, signals: true });
    const events = signals!;
    streams.push(messages, events);
    const notifications = await services.notifications.stream(session, null, connection);
    streams.push(notifications);
    // Signals and notifications are written here, not by a stream: they spend the socket's budget too.
    const sendEvent = (frame: Frame) => {
      if (overBudget(connection)) return;
      send(frame);
    };

    const presenceSent = new Map<string, string>();
    const toFrame = (event: RoomSignal): Frame | undefined => {
      switch (event.type) {
        case 'typing':
          return event.userId === userId
            ? undefined
            : { type: 'typing', room_id: event.roomId, user_id: event.userId, action: event.typing ? 'start' : 'stop' };
        case 'ack':
          return { type: 'ack.received', room_id: event.roomId, user_id: event.userId, seq: event.seq };
        case 'presence': {
          // Presence arrives once per shared room: tell each change once.
          const status = event.status.toLowerCase();
          if (event.userId === userId || presenceSent.get(event.userId) === status) return undefined;
          presenceSent.set(event.userId, status);
          return { type: 'presence.update', user_id: event.userId, status };
        }
      }
    };
    const failed = (err: unknown) => refuseConnection(connection, err);
    messages.pipeTo((m) => send(messageFrame(m))).catch(failed);
    void (async () => {
      for await (const event of events) {
        const frame = toFrame(event);
        if (frame) sendEvent(frame);
      }
    })().catch(failed);
    void (async () => {
      for await (const n of notifications) sendEvent(notificationFrame(n));
    })().catch(failed);
  }

  async function handleFrame(
    session: Session,
    data: RawData,
    isBinary: boolean,
    send: (frame: Frame) => void,
  ): Promise<void> {
    let requestId: unknown;
    try {
      const size = Array.isArray(data)
        ? data.reduce((n, b) => n + b.length, 0)
        : (data as Buffer | ArrayBuffer).byteLength;
      if (size > maxFrameBytes) throw tooLarge(`frame must be at most ${maxFrameBytes} bytes`);
      if (isBinary) throw invalid('frames must be JSON text');
      let frame: unknown;
      try {
        frame = JSON.parse(String(data));
      } catch {
        throw invalid('frame is not valid JSON');
      }
      if (!frame || typeof frame !== 'object' || Array.isArray(frame)) throw invalid('frame must be a JSON object');
      const envelope = frame as Frame;
      // Both the documented flat form and the enveloped {"type", "data": {...}} form.
      const body: Frame =
        envelope.data && typeof envelope.data === 'object' && !Array.isArray(envelope.data)
          ? (envelope.data as Frame)
          : envelope;
      requestId = envelope.request_id ?? body.request_id;
      if (typeof envelope.type !== 'string') throw invalid('frame needs a "type"', 'type');
      if (!frameTypes.has(envelope.type))
        throw invalid(`unknown frame type ${JSON.stringify(envelope.type).slice(0, 64)}`, 'type');
      // Every frame that does work spends one point of the tenant's rate limit.
      await services.limits.admit(session);

      switch (envelope.type) {
        case 'send_message': {
          const { message } = await services.messages.send(session, body.room_id, {
            content: body.content,
            meta: body.meta,
            clientMessageId: body.client_message_id,
          });
          if (requestId !== undefined) {
            send({
              type: 'message.sent',
              request_id: requestId,
              room_id: message.roomId,
              message_id: message.id,
              seq: message.seq,
              created_at: message.createdAt,
            });
          }
          return;
        }
        case 'ack':
          if (body.notification_id !== undefined) await services.notifications.ack(session, body.notification_id);
          else await services.messages.ack(session, body.room_id, body.seq);
          return;
        case 'typing.start':
        case 'typing.stop':
          await services.typing.set(session, body.room_id, envelope.type === 'typing.start');
          return;
        case 'subscribe':
          if (body.topic !== undefined) await services.notifications.subscribeTopic(session, body.topic);
          // Every room of the user is already streamed; this confirms membership (or says it is missing).
          else await services.rooms.requireMember(session, body.room_id);
          return;
      }
    } catch (err) {
      if (!(err instanceof AppError)) logger.error({ err }, 'Unexpected error handling a /ws frame');
      // The /ws frames speak REST's snake_case fields, so its errors name them that way too.
      const error = publicError(inRestDialect(err));
      send({
        type: 'error',
        code: error.code,
        message: error.message,
        ...(error.details.field ? { field: error.details.field } : {}),
        ...(requestId !== undefined ? { request_id: requestId } : {}),
      });
    }
  }
}
