/** A stored message as it travels on the bus and to clients. Plain JSON: dates are ISO strings. */
export interface MessageData {
  id: string;
  roomId: string;
  seq: number;
  senderId: string;
  content: string;
  meta: Record<string, unknown> | null;
  clientMessageId: string | null;
  createdAt: string;
}

export type PresenceStatus = 'ONLINE' | 'OFFLINE';

export interface TypingData {
  roomId: string;
  userId: string;
  typing: boolean;
}

export interface PresenceData {
  roomId: string;
  userId: string;
  status: PresenceStatus;
}

export interface AckData {
  roomId: string;
  userId: string;
  seq: number;
}

export interface NotificationData {
  id: string;
  topic: string;
  payload: unknown;
  createdAt: string;
  expiresAt: string;
}

/** Everything that happens in one room, in the order it was published. Key: room id. */
export type RoomEvent =
  | { type: 'message'; message: MessageData }
  | ({ type: 'typing' } & TypingData)
  | ({ type: 'presence' } & PresenceData)
  | ({ type: 'ack' } & AckData);

/** Things that concern one user wherever they are. Key: `${tenantId}:${userId}`. */
export type UserEvent =
  | { type: 'roomJoined'; roomId: string }
  /** `attempt` 0 is the first push; a retry (1, 2, ...) is delivered even to a listener that saw it. */
  | { type: 'notification'; notification: NotificationData; attempt: number };

/** Tells every instance to forget what it cached. Key: `all`. */
export type CacheEvent =
  | { type: 'tenant'; tenantId: string }
  | { type: 'membership'; roomId: string; userIds: string[] }
  /** Events may have been lost (an instance lost Redis): forget caches, catch up from storage. */
  | { type: 'resync' };

export interface EventMap {
  room: RoomEvent;
  user: UserEvent;
  cache: CacheEvent;
}

export const userKey = (tenantId: string, userId: string) => `${tenantId}:${userId}`;
