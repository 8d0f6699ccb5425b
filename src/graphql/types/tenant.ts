import type { TenantView } from '../../services/tenants.js';
import { builder } from '../builder.js';

export const Tenant = builder.objectRef<TenantView>('Tenant').implement({
  fields: (t) => ({
    id: t.exposeID('id'),
    name: t.exposeString('name'),
    rateLimit: t.exposeInt('rateLimit', { nullable: true, description: 'Requests per second; null means the default' }),
    disabled: t.exposeBoolean('disabled'),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
  }),
});

const CreateTenantPayload = builder
  .objectRef<{ tenant: TenantView; apiKey: string }>('CreateTenantPayload')
  .implement({
    fields: (t) => ({
      tenant: t.field({ type: Tenant, resolve: (p) => p.tenant }),
      apiKey: t.exposeString('apiKey', { description: 'Shown once: store it now, it cannot be retrieved later' }),
    }),
  });

builder.queryField('tenants', (t) =>
  t.field({
    type: [Tenant],
    description: 'Every tenant. Needs X-Master-Key.',
    resolve: (_root, _args, { session, services }) => services.tenants.list(session),
  }),
);

builder.mutationField('createTenant', (t) =>
  t.field({
    type: CreateTenantPayload,
    description: 'Needs X-Master-Key.',
    args: { name: t.arg.string({ required: true }) },
    resolve: (_root, args, { session, services }) => services.tenants.create(session, args),
  }),
);
