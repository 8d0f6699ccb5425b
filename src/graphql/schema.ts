import { builder } from './builder.js';
import './types/health.js';
import './types/tenant.js';
import './types/room.js';
import './types/message.js';
import './types/realtime.js';

export const schema = builder.toSchema({ sortSchema: true });
