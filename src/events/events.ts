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

/** Everything that happens in one room, in the order it was published. Key: room id. */
export type RoomEvent = { type: 'message'; message: MessageData };

/** Things that concern one user wherever they are. Key: `${tenantId}:${userId}`. */
export type UserEvent = { type: 'roomJoined'; roomId: string };

/** Tells every instance to forget what it cached. Key: `all`. */
export type CacheEvent =
  | { type: 'tenant'; tenantId: string }
  | { type: 'membership'; roomId: string; userIds: string[] };

export interface EventMap {
  room: RoomEvent;
  user: UserEvent;
  cache: CacheEvent;
}

export const userKey = (tenantId: string, userId: string) => `${tenantId}:${userId}`;
