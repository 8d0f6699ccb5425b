import type { Authenticator } from '../auth/authenticator.js';
import type { DeliveryService } from './delivery/index.js';
import type { HealthService } from './health.js';
import type { MessageService } from './messages.js';
import type { NotificationService } from './notifications.js';
import type { PresenceService } from './presence.js';
import type { RateLimitService } from './rateLimits.js';
import type { RoomService } from './rooms.js';
import type { TenantService } from './tenants.js';
import type { TypingService } from './typing.js';
import type { UsageService } from './usage.js';

/** Every domain service, as the transports (GraphQL, REST, WebSocket) see them. */
export interface Services {
  auth: Authenticator;
  tenants: TenantService;
  rooms: RoomService;
  messages: MessageService;
  health: HealthService;
  delivery: DeliveryService;
  presence: PresenceService;
  typing: TypingService;
  notifications: NotificationService;
  limits: RateLimitService;
  usage: UsageService;
}
