import type { HealthView } from '../../services/health.js';
import { builder } from '../builder.js';

const Health = builder.objectRef<HealthView>('Health').implement({
  fields: (t) => ({
    status: t.exposeString('status', {
      description:
        '"ok"; "degraded" when Redis is down (stored, but real-time across instances impaired); "error" when the database cannot be written',
    }),
    uptime: t.exposeInt('uptime', { description: 'Seconds since this instance started' }),
    dbWritable: t.exposeBoolean('dbWritable'),
    redis: t.exposeString('redis', { nullable: true, description: '"up" or "down"; null without REDIS_URL' }),
  }),
});

builder.queryField('health', (t) =>
  t.field({ type: Health, resolve: (_root, _args, { services }) => services.health.check() }),
);
