import type { Services } from '../services/index.js';
import type { KeyView, TenantView } from '../services/tenants.js';
import { intParam } from './http.js';
import type { On } from './router.js';

const tenant = (t: TenantView) => ({
  tenant_id: t.id,
  name: t.name,
  rate_limit: t.effectiveRateLimit,
  disabled: t.disabled,
  created_at: t.createdAt.toISOString(),
  key_count: t.keyCount,
});

const key = (k: KeyView) => ({
  key_id: k.id,
  prefix: k.prefix,
  created_at: k.createdAt.toISOString(),
  last_used_at: k.lastUsedAt?.toISOString() ?? null,
  expires_at: k.expiresAt?.toISOString() ?? null,
  revoked_at: k.revokedAt?.toISOString() ?? null,
});

/** The operator's endpoints (X-Master-Key). Secrets appear only once: in the answers that create them. */
export function registerAdminRoutes(on: On, services: Services): void {
  on('POST', '/admin/tenants', async (r) => {
    const session = await r.session();
    const { tenant: created, apiKey } = await services.tenants.create(session, { name: (await r.body()).name });
    return [
      201,
      { tenant_id: created.id, api_key: apiKey, name: created.name, created_at: created.createdAt.toISOString() },
    ];
  });

  on('GET', '/admin/tenants', async (r) => [200, (await services.tenants.list(await r.session())).map(tenant)]);

  on('GET', '/admin/tenants/:tenant_id', async (r) => [
    200,
    tenant(await services.tenants.get(await r.session(), r.params.tenant_id)),
  ]);

  on('PATCH', '/admin/tenants/:tenant_id', async (r) => {
    const session = await r.session();
    const body = await r.body();
    const updated = await services.tenants.update(session, r.params.tenant_id, {
      name: body.name,
      rateLimit: body.rate_limit,
      disabled: body.disabled,
    });
    return [200, tenant(updated)];
  });

  on('DELETE', '/admin/tenants/:tenant_id', async (r) => {
    await services.tenants.delete(await r.session(), r.params.tenant_id);
    return [200, { success: true }];
  });

  on('POST', '/admin/tenants/:tenant_id/rotate-key', async (r) => {
    const session = await r.session();
    const body = await r.body(true);
    const created = await services.tenants.rotateKey(session, r.params.tenant_id, { graceSeconds: body.grace_seconds });
    return [201, { api_key: created.apiKey, key_id: created.keyId, created_at: created.createdAt.toISOString() }];
  });

  on('GET', '/admin/tenants/:tenant_id/keys', async (r) => [
    200,
    (await services.tenants.listKeys(await r.session(), r.params.tenant_id)).map(key),
  ]);

  on('DELETE', '/admin/tenants/:tenant_id/keys/:key_id', async (r) => [
    200,
    key(await services.tenants.revokeKey(await r.session(), r.params.tenant_id, r.params.key_id)),
  ]);

  on('GET', '/admin/tenants/:tenant_id/usage', async (r) => {
    const session = await r.session();
    await services.tenants.get(session, r.params.tenant_id);
    const days = await services.usage.report(session, r.params.tenant_id!, {
      from: r.query.get('from'),
      to: r.query.get('to'),
    });
    return [
      200,
      days.map((d) => ({
        date: d.date,
        messages_sent: d.messagesSent,
        api_requests: d.apiRequests,
        rate_limited_requests: d.rateLimitedRequests,
        active_users: d.activeUsers,
        peak_connections: d.peakConnections,
      })),
    ];
  });

  on('GET', '/admin/dead-letters', async (r) => {
    const failed = await services.notifications.deadLetters(await r.session(), {
      tenantId: r.query.get('tenant_id') || undefined,
      limit: intParam(r.query, 'limit'),
    });
    return [
      200,
      {
        // Messages never become dead letters: they are stored before anyone is told, and every
        // client catches up by seq. See docs/realtime.md.
        failed_messages: [],
        failed_notifications: failed.map((d) => ({
          notification_id: d.notificationId,
          tenant_id: d.tenantId,
          user_id: d.userId,
          topic: d.topic,
          payload: d.payload,
          attempts: d.attempts,
          last_attempt_at: d.lastAttemptAt?.toISOString() ?? null,
          error: d.error,
          created_at: d.createdAt.toISOString(),
        })),
      },
    ];
  });
}
