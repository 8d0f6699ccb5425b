export { MessageStream } from './messageStream.js';
export { RoomFeed, RoomFeeds, type DeliveryStorage, type RoomSignal } from './roomFeed.js';
export { DeliveryService, type Membership, type RoomCursorInput, type UserRoomStreams } from './service.js';
