import type { HealthView } from '../../services/health.js';
import { builder } from '../builder.js';

const Health = builder.objectRef<HealthView>('Health').implement({
  fields: (t) => ({
    status: t.exposeString('status', { description: '"ok", or "error" when the database cannot be written' }),
    uptime: t.exposeInt('uptime', { description: 'Seconds since this instance started' }),
    dbWritable: t.exposeBoolean('dbWritable'),
  }),
});

builder.queryField('health', (t) =>
  t.field({ type: Health, resolve: (_root, _args, { services }) => services.health.check() }),
);
