import { describe, expect, it } from 'vitest';
import { adminClient, createRoom } from './helpers/client.js';
import { LegacyClient, sleep } from './helpers/ws.js';
import { useServer, seed } from './helpers/kit.js';

describe('usage per tenant', () => {
  const server = useServer({ DEFAULT_RATE_LIMIT: '10' });

  it('counts exactly the traffic a tenant generated, per day', async () => {
    const tenant = await seed(server).tenant('Metered');
    const other = await seed(server).tenant('Other');
    let requests = 0;
    const room = await createRoom(tenant.as('u1'), 'group', ['u2', 'u3']);
    requests += 1;
    for (let i = 0; i < 6; i += 1) {
      await tenant.as(`u${(i % 3) + 1}`).post(`/rooms/${room}/messages`, { content: `m${i}` });
      requests += 1;
    }
    // A retry of a client message id is a request but not a new message.
    await tenant.as('u1').post(`/rooms/${room}/messages`, { content: 'once', client_message_id: 'c' });
    await tenant.as('u1').post(`/rooms/${room}/messages`, { content: 'once', client_message_id: 'c' });
    requests += 2;
    await sleep(1_100);
    const burst = await Promise.all(Array.from({ length: 14 }, () => tenant.as('u2').get('/rooms')));
    const limited = burst.filter((r) => r.status === 429).length;
    expect(limited).toBe(4);
    requests += 14;
    await sleep(1_100);

    // Each connect sends one probe frame (see LegacyClient.connect): a request each.
    const a = await LegacyClient.connect(server, tenant.apiKey, 'u1');
    const b = await LegacyClient.connect(server, tenant.apiKey, 'u2');
    requests += 3;
    await sleep(100);
    a.close();
    b.close();
    await Promise.all([a.closed, b.closed]);
    await sleep(100);
    await LegacyClient.connect(server, tenant.apiKey, 'u3').then((c) => c.close());
    await other.as('x').get('/rooms');

    const today = new Date().toISOString().slice(0, 10);
    const res = await adminClient(server).get(`/admin/tenants/${tenant.tenantId}/usage?from=${today}&to=${today}`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual([
      {
        date: today,
        messages_sent: 7,
        api_requests: requests,
        rate_limited_requests: 4,
        active_users: 3,
        peak_connections: 2,
      },
    ]);
    // Flushed to the database, the figures stay the same.
    await server.app.services.usage.flush();
    const again = await adminClient(server).get(`/admin/tenants/${tenant.tenantId}/usage?from=${today}&to=${today}`);
    expect(again.body).toEqual(res.body);
    const keys = await adminClient(server).get(`/admin/tenants/${tenant.tenantId}/keys`);
    expect(keys.body[0].last_used_at).not.toBeNull();
  });

  it('reports a range of days and validates it', async () => {
    const tenant = await seed(server).tenant();
    const admin = adminClient(server);
    const month = await admin.get(`/admin/tenants/${tenant.tenantId}/usage`);
    expect(month.body).toHaveLength(30);
    const range = await admin.get(`/admin/tenants/${tenant.tenantId}/usage?from=2026-01-30&to=2026-02-02`);
    expect(range.body.map((d: any) => d.date)).toEqual(['2026-01-30', '2026-01-31', '2026-02-01', '2026-02-02']);
    expect(range.body[0]).toEqual({
      date: '2026-01-30',
      messages_sent: 0,
      api_requests: 0,
      rate_limited_requests: 0,
      active_users: 0,
      peak_connections: 0,
    });
    for (const query of [
      '?from=yesterday',
      '?from=2026-02-02&to=2026-01-01',
      '?from=2020-01-01&to=2026-01-01',
      '?to=2026-13-45',
      '?from=2026-02-30',
    ]) {
      const res = await admin.get(`/admin/tenants/${tenant.tenantId}/usage${query}`);
      expect(res.status, query).toBe(400);
    }
    expect((await admin.get('/admin/tenants/tenant_nope/usage')).status).toBe(404);
  });
});
