import type { Authenticator } from '../auth/authenticator.js';
import type { HealthService } from './health.js';
import type { MessageService } from './messages.js';
import type { RoomService } from './rooms.js';
import type { TenantService } from './tenants.js';

/** Every domain service, as the transports (GraphQL, REST, WebSocket) see them. */
export interface Services {
  auth: Authenticator;
  tenants: TenantService;
  rooms: RoomService;
  messages: MessageService;
  health: HealthService;
}
