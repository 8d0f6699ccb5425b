import type { DeadLetter } from '../../services/notifications.js';
import type { KeyView, NewKey, TenantView } from '../../services/tenants.js';
import type { UsageDay } from '../../services/usage.js';
import { builder } from '../builder.js';

// The operator's API: every field here needs X-Master-Key.

export const Tenant = builder.objectRef<TenantView>('Tenant').implement({
  fields: (t) => ({
    id: t.exposeID('id'),
    name: t.exposeString('name'),
    rateLimit: t.exposeInt('rateLimit', {
      nullable: true,
      description: "The tenant's own limit (requests per second); null means the default",
    }),
    effectiveRateLimit: t.exposeInt('effectiveRateLimit', { description: 'The limit that applies' }),
    disabled: t.exposeBoolean('disabled'),
    keyCount: t.exposeInt('keyCount', { description: 'Keys that work now' }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
  }),
});

const ApiKey = builder.objectRef<KeyView>('ApiKey').implement({
  description: 'A tenant API key. The key itself is never shown again after it is created.',
  fields: (t) => ({
    id: t.exposeID('id'),
    prefix: t.exposeString('prefix'),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    lastUsedAt: t.expose('lastUsedAt', { type: 'DateTime', nullable: true }),
    expiresAt: t.expose('expiresAt', { type: 'DateTime', nullable: true }),
    revokedAt: t.expose('revokedAt', { type: 'DateTime', nullable: true }),
  }),
});

const CreateTenantPayload = builder.objectRef<{ tenant: TenantView; apiKey: string }>('CreateTenantPayload').implement({
  fields: (t) => ({
    tenant: t.field({ type: Tenant, resolve: (p) => p.tenant }),
    apiKey: t.exposeString('apiKey', { description: 'Shown once: store it now, it cannot be retrieved later' }),
  }),
});

const RotateKeyPayload = builder.objectRef<NewKey>('RotateKeyPayload').implement({
  fields: (t) => ({
    apiKey: t.exposeString('apiKey', { description: 'Shown once' }),
    keyId: t.exposeID('keyId'),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
  }),
});

const UsageDayRef = builder.objectRef<UsageDay>('UsageDay').implement({
  fields: (t) => ({
    date: t.exposeString('date', { description: 'UTC day, YYYY-MM-DD' }),
    messagesSent: t.exposeInt('messagesSent'),
    apiRequests: t.exposeInt('apiRequests'),
    rateLimitedRequests: t.exposeInt('rateLimitedRequests'),
    activeUsers: t.exposeInt('activeUsers'),
    peakConnections: t.exposeInt('peakConnections'),
  }),
});

const DeadLetterRef = builder.objectRef<DeadLetter>('DeadLetter').implement({
  description: 'A notification copy that was never acknowledged after the last retry.',
  fields: (t) => ({
    notificationId: t.exposeID('notificationId'),
    tenantId: t.exposeID('tenantId'),
    userId: t.exposeString('userId'),
    topic: t.exposeString('topic'),
    payload: t.expose('payload', { type: 'JSON', nullable: true }),
    attempts: t.exposeInt('attempts'),
    lastAttemptAt: t.expose('lastAttemptAt', { type: 'DateTime', nullable: true }),
    error: t.exposeString('error', { nullable: true }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
  }),
});

const UpdateTenantInput = builder.inputType('UpdateTenantInput', {
  fields: (t) => ({
    name: t.string(),
    rateLimit: t.int({ description: 'Requests per second; null resets to the default' }),
    disabled: t.boolean(),
  }),
});

builder.queryFields((t) => ({
  tenants: t.field({
    type: [Tenant],
    description: 'Every tenant. Needs X-Master-Key.',
    resolve: (_root, _args, { session, services }) => services.tenants.list(session),
  }),
  tenant: t.field({
    type: Tenant,
    args: { id: t.arg.id({ required: true }) },
    resolve: (_root, args, { session, services }) => services.tenants.get(session, args.id),
  }),
  tenantKeys: t.field({
    type: [ApiKey],
    args: { tenantId: t.arg.id({ required: true }) },
    resolve: (_root, args, { session, services }) => services.tenants.listKeys(session, args.tenantId),
  }),
  tenantUsage: t.field({
    type: [UsageDayRef],
    description: 'Usage per UTC day, from and to inclusive (YYYY-MM-DD; default: the last 30 days).',
    args: { tenantId: t.arg.id({ required: true }), from: t.arg.string(), to: t.arg.string() },
    resolve: async (_root, args, { session, services }) => {
      const tenant = await services.tenants.get(session, args.tenantId);
      return services.usage.report(session, tenant.id, args);
    },
  }),
  deadLetters: t.field({
    type: [DeadLetterRef],
    description: 'Notification copies given up on. Messages never become dead letters (they wait in storage).',
    args: { tenantId: t.arg.id(), limit: t.arg.int() },
    resolve: (_root, args, { session, services }) => services.notifications.deadLetters(session, args),
  }),
}));

builder.mutationFields((t) => ({
  createTenant: t.field({
    type: CreateTenantPayload,
    args: { name: t.arg.string({ required: true }) },
    resolve: (_root, args, { session, services }) => services.tenants.create(session, args),
  }),
  updateTenant: t.field({
    type: Tenant,
    description: "Takes effect within a second on every instance. Disabling closes the tenant's sockets.",
    args: { id: t.arg.id({ required: true }), input: t.arg({ type: UpdateTenantInput, required: true }) },
    resolve: (_root, { id, input }, { session, services }) => services.tenants.update(session, id, input),
  }),
  rotateTenantKey: t.field({
    type: RotateKeyPayload,
    description: 'A new key that works at once; the keys working now keep working for graceSeconds (default 0).',
    args: { tenantId: t.arg.id({ required: true }), graceSeconds: t.arg.int() },
    resolve: (_root, args, { session, services }) => services.tenants.rotateKey(session, args.tenantId, args),
  }),
  revokeTenantKey: t.field({
    type: ApiKey,
    args: { tenantId: t.arg.id({ required: true }), keyId: t.arg.id({ required: true }) },
    resolve: (_root, args, { session, services }) => services.tenants.revokeKey(session, args.tenantId, args.keyId),
  }),
  deleteTenant: t.boolean({
    description: 'Deletes the tenant and all its data in one transaction; its sockets are closed.',
    args: { id: t.arg.id({ required: true }) },
    resolve: async (_root, args, { session, services }) => {
      await services.tenants.delete(session, args.id);
      return true;
    },
  }),
}));
