import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { afterAll, beforeAll } from 'vitest';
import { Client, type HttpResult, type SeededTenant } from './client.js';
import type { Cluster } from './process.js';
import { startServer, type ServerAddress, type TestServer } from './server.js';
import { Subscription, graphqlWsClient } from './ws.js';

/**
 * The test kit: a server per describe block and a seed chain, so a test file starts in two lines.
 *
 * ```ts
 * const { server, tenant } = useTenant({ TYPING_TIMEOUT: '400ms' });
 * const room = await tenant.room('group', ['alice', 'bob']);          // alice creates it
 * await tenant.as('alice').post(`/rooms/${room.id}/messages`, { content: 'hi' });
 * const sub = tenant.as('bob').subscribe(MessageAdded, { roomId: room.id });
 * // or all at once: await seed(server).tenant().room('dm', ['alice', 'bob']).as('alice')
 * ```
 *
 * Every WebSocket client opened on a TestServer is closed when it stops (`server.defer`).
 */

/** A client acting as one user of a tenant, over HTTP and WebSocket. */
export class TenantUser extends Client {
  constructor(
    readonly server: ServerAddress,
    readonly apiKey: string,
    readonly userId: string,
  ) {
    super(server.url, { 'x-api-key': apiKey, 'x-user-id': userId });
  }

  /** A graphql-ws client for this user (closed with the server). */
  ws() {
    return graphqlWsClient(this.server, { apiKey: this.apiKey, userId: this.userId });
  }

  /** A subscription on a graphql-ws client of its own. */
  subscribe<T>(document: TypedDocumentNode<T, any>, variables?: Record<string, unknown>): Subscription<T> {
    return new Subscription(this.ws(), document, variables);
  }
}

export interface TenantSeed extends SeededTenant {
  server: ServerAddress;
  as(userId: string): TenantUser;
  /** Creates a room as `by` (default: the first member); `members` are sent as given. */
  room(type: string, members: string[], options?: { by?: string; name?: string }): Promise<RoomSeed>;
  /** The same tenant on another instance of a cluster. */
  on(server: ServerAddress): TenantSeed;
}

export interface RoomSeed {
  id: string;
  tenant: TenantSeed;
  as(userId: string): RoomUser;
}

/** One user in one room. */
export interface RoomUser {
  roomId: string;
  rest: TenantUser;
  /** Sends a message through REST (POST /rooms/:id/messages). */
  send(content: string, fields?: Record<string, unknown>): Promise<HttpResult>;
}

type TenantChain = Promise<TenantSeed> & {
  room(type: string, members: string[], options?: { by?: string; name?: string }): RoomChain;
};
type RoomChain = Promise<RoomSeed> & { as(userId: string): Promise<RoomUser> };

export const adminOf = (server: ServerAddress) => new Client(server.url, { 'x-master-key': server.masterKey });

function tenantSeed(server: ServerAddress, tenantId: string, apiKey: string): TenantSeed {
  const tenant: TenantSeed = {
    server,
    tenantId,
    apiKey,
    as: (userId) => new TenantUser(server, apiKey, userId),
    async room(type, members, { by = members[0]!, name } = {}) {
      const res = await tenant.as(by).post('/rooms', { type, members, name });
      if (res.status !== 201) throw new Error(`room creation failed: ${res.status} ${JSON.stringify(res.body)}`);
      return roomSeed(tenant, res.body.room_id);
    },
    on: (other) => tenantSeed(other, tenantId, apiKey),
  };
  return tenant;
}

function roomSeed(tenant: TenantSeed, id: string): RoomSeed {
  return {
    id,
    tenant,
    as: (userId) => {
      const rest = tenant.as(userId);
      return {
        roomId: id,
        rest,
        send: (content, fields = {}) => rest.post(`/rooms/${id}/messages`, { content, ...fields }),
      };
    },
  };
}

/** The seed chain: tenants through the documented admin endpoint, each test its own. */
export function seed(server: ServerAddress) {
  return {
    tenant(name = 'Tenant', options: { rateLimit?: number } = {}): TenantChain {
      const created = (async () => {
        const admin = adminOf(server);
        const res = await admin.post('/admin/tenants', { name });
        if (res.status !== 201) throw new Error(`tenant creation failed: ${res.status} ${JSON.stringify(res.body)}`);
        const { tenant_id: tenantId, api_key: apiKey } = res.body;
        if (options.rateLimit !== undefined) {
          const patched = await admin.request('PATCH', `/admin/tenants/${tenantId}`, { rate_limit: options.rateLimit });
          if (patched.status !== 200)
            throw new Error(`rate limit not set: ${patched.status} ${JSON.stringify(patched.body)}`);
        }
        return tenantSeed(server, tenantId, apiKey);
      })();
      return Object.assign(created, {
        room: (type: string, members: string[], roomOptions?: { by?: string; name?: string }): RoomChain => {
          const room = created.then((t) => t.room(type, members, roomOptions));
          return Object.assign(room, { as: (userId: string) => room.then((r) => r.as(userId)) });
        },
      });
    },
  };
}

/** A cluster's instance `i`, as an address for the seed chain and the WebSocket clients. */
export const instance = (cluster: Cluster, i: number): ServerAddress => cluster.instances[i]!;

/**
 * A server for the enclosing describe block: started in beforeAll, stopped (with every client
 * opened on it) in afterAll. The returned handle reads the running server, so use it in tests and
 * hooks, not while the file is being collected.
 */
export function useServer(env: Record<string, string> = {}): TestServer {
  let running: TestServer | undefined;
  beforeAll(async () => {
    running = await startServer(env);
  });
  afterAll(() => running?.stop());
  const current = () => {
    if (!running) throw new Error('the test server is not running (used outside a test or hook?)');
    return running;
  };
  return {
    get url() {
      return current().url;
    },
    get masterKey() {
      return current().masterKey;
    },
    get dataDir() {
      return current().dataDir;
    },
    get app() {
      return current().app;
    },
    get logs() {
      return current().logs;
    },
    defer: (cleanup) => current().defer(cleanup),
    stop: () => current().stop(),
  };
}

/** A server and one tenant on it for the enclosing describe block (see useServer). */
export function useTenant(env: Record<string, string> = {}): { server: TestServer; tenant: TenantSeed } {
  const server = useServer(env);
  let seeded: TenantSeed | undefined;
  beforeAll(async () => {
    seeded = await seed(server).tenant();
  });
  const current = () => {
    if (!seeded) throw new Error('the test tenant is not seeded (used outside a test or hook?)');
    return seeded;
  };
  const tenant: TenantSeed = {
    server,
    get tenantId() {
      return current().tenantId;
    },
    get apiKey() {
      return current().apiKey;
    },
    as: (userId) => current().as(userId),
    room: (type, members, options) => current().room(type, members, options),
    on: (other) => current().on(other),
  };
  return { server, tenant };
}

/** A tenant of a cluster: the same tenant seen through any instance. */
export interface ClusterTenant {
  tenantId: string;
  apiKey: string;
  /** The tenant on instance `i`. */
  on(i: number): TenantSeed;
  /** The operator on instance `i`. */
  admin(i?: number): Client;
}

/** The seed chain for several instances on one database (test/helpers/process.ts `startCluster`). */
export function seedCluster(cluster: Cluster) {
  return {
    async tenant(name = 'Cluster', options: { rateLimit?: number } = {}): Promise<ClusterTenant> {
      const { tenantId, apiKey } = await seed(instance(cluster, 0)).tenant(name, options);
      return {
        tenantId,
        apiKey,
        on: (i) => tenantSeed(instance(cluster, i), tenantId, apiKey),
        admin: (i = 0) => adminOf(instance(cluster, i)),
      };
    },
  };
}
