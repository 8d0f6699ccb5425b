import { z } from 'zod';
import { hashKey } from '../auth/authenticator.js';
import type { Session } from '../auth/session.js';
import type { Database, Tx } from '../db/database.js';
import { conflict, notFound } from '../errors.js';
import type { EventBus } from '../events/bus.js';
import type { Logger } from '../logger.js';
import { newApiKey, newId } from './ids.js';
import { check, isStorableText, storableText } from './validation.js';

export interface TenantView {
  id: string;
  name: string;
  /** The tenant's own limit; null means DEFAULT_RATE_LIMIT. */
  rateLimit: number | null;
  /** The limit that applies. */
  effectiveRateLimit: number;
  disabled: boolean;
  createdAt: Date;
  /** Keys that work now (not revoked, not expired). */
  keyCount: number;
}

export interface KeyView {
  id: string;
  prefix: string;
  createdAt: Date;
  lastUsedAt: Date | null;
  expiresAt: Date | null;
  revokedAt: Date | null;
}

export interface NewKey {
  apiKey: string;
  keyId: string;
  createdAt: Date;
}

/** Highest per-tenant rate limit accepted (requests per second). */
export const MAX_RATE_LIMIT = 1_000_000;
/** Longest grace period for a rotated key. */
export const MAX_GRACE_SECONDS = 30 * 86_400;

const nameSchema = z
  .string({ error: (i) => (i.input === undefined ? 'is required' : 'must be a string') })
  .trim()
  .min(1, 'must not be empty')
  .max(100, 'must be at most 100 characters')
  .refine(isStorableText, storableText);
const rateLimitSchema = z
  .number({ error: 'must be an integer (requests per second) or null' })
  .int('must be an integer')
  .min(1, 'must be at least 1')
  .max(MAX_RATE_LIMIT, `must be at most ${MAX_RATE_LIMIT}`)
  .nullable();
const graceSchema = z
  .number({ error: 'must be a whole number of seconds' })
  .int('must be a whole number of seconds')
  .min(0, 'must not be negative')
  .max(MAX_GRACE_SECONDS, `must be at most ${MAX_GRACE_SECONDS} (30 days)`);
const idSchema = z
  .string({ error: 'must be a string' })
  .min(1, 'must not be empty')
  .max(64, 'must be at most 64 characters');

const keyViewSelect = {
  id: true,
  prefix: true,
  createdAt: true,
  lastUsedAt: true,
  expiresAt: true,
  revokedAt: true,
} as const;

/** Tenants and their API keys: the operator's (master key) side of ChatAPI. */
export class TenantService {
  constructor(
    private readonly db: Database,
    private readonly bus: EventBus,
    private readonly logger: Logger,
    private readonly defaultRateLimit: number,
  ) {}

  private audit(what: string, tenantId: string, details: Record<string, unknown> = {}): void {
    this.logger.info({ audit: true, who: 'master', what, tenant_id: tenantId, ...details }, 'Admin action');
  }

  /** Every instance forgets what it cached about the tenant (keys, limits, status). */
  private changed(tenantId: string): void {
    this.bus.publish('cache', 'all', { type: 'tenant', tenantId });
  }

  private async view(tenantId: string): Promise<TenantView> {
    const now = new Date();
    const row = await this.db.read.tenant.findFirst({
      where: { id: tenantId, deletedAt: null },
      include: {
        _count: {
          select: { apiKeys: { where: { revokedAt: null, OR: [{ expiresAt: null }, { expiresAt: { gt: now } }] } } },
        },
      },
    });
    if (!row) throw notFound('Tenant');
    return this.toView(row);
  }

  private toView(row: {
    id: string;
    name: string;
    rateLimit: number | null;
    disabled: boolean;
    createdAt: Date;
    _count: { apiKeys: number };
  }): TenantView {
    return {
      id: row.id,
      name: row.name,
      rateLimit: row.rateLimit,
      effectiveRateLimit: row.rateLimit ?? this.defaultRateLimit,
      disabled: row.disabled,
      createdAt: row.createdAt,
      keyCount: row._count.apiKeys,
    };
  }

  /** The tenant if it exists and is not deleted: 404 when unknown, 409 when deleted. */
  private async live(tx: Tx | Database['read'], tenantId: unknown) {
    const id = check(idSchema, tenantId, 'tenantId');
    const row = await tx.tenant.findUnique({ where: { id }, select: { id: true, disabled: true, deletedAt: true } });
    if (!row) throw notFound('Tenant');
    if (row.deletedAt) throw conflict(`Tenant ${id} was deleted`);
    return row;
  }

  /** Creates a tenant and its first API key. The key is returned here and never again. */
  async create(session: Session, input: { name: unknown }): Promise<{ tenant: TenantView; apiKey: string }> {
    session.assert('tenant:admin');
    const name = check(nameSchema, input.name, 'name');
    const apiKey = newApiKey();
    const id = newId('tenant');
    await this.db.transaction((tx) =>
      tx.tenant.create({
        data: {
          id,
          name,
          apiKeys: { create: { id: newId('key'), keyHash: hashKey(apiKey), prefix: apiKey.slice(0, 10) } },
        },
      }),
    );
    this.audit('tenant.create', id);
    return { tenant: await this.view(id), apiKey };
  }

  async list(session: Session): Promise<TenantView[]> {
    session.assert('tenant:admin');
    const now = new Date();
    const rows = await this.db.read.tenant.findMany({
      where: { deletedAt: null },
      include: {
        _count: {
          select: { apiKeys: { where: { revokedAt: null, OR: [{ expiresAt: null }, { expiresAt: { gt: now } }] } } },
        },
      },
      orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
    });
    return rows.map((row) => this.toView(row));
  }

  async get(session: Session, tenantId: unknown): Promise<TenantView> {
    session.assert('tenant:admin');
    return this.view(check(idSchema, tenantId, 'tenantId'));
  }

  /** Renames, sets the rate limit (null: back to the default), disables or enables. */
  async update(
    session: Session,
    tenantId: unknown,
    input: { name?: unknown; rateLimit?: unknown; disabled?: unknown },
  ): Promise<TenantView> {
    session.assert('tenant:admin');
    const data: { name?: string; rateLimit?: number | null; disabled?: boolean } = {};
    if (input.name !== undefined) data.name = check(nameSchema, input.name, 'name');
    if (input.rateLimit !== undefined) data.rateLimit = check(rateLimitSchema, input.rateLimit, 'rateLimit');
    if (input.disabled !== undefined)
      data.disabled = check(z.boolean({ error: 'must be true or false' }), input.disabled, 'disabled');
    const { id } = await this.db.transaction(async (tx) => {
      const tenant = await this.live(tx, tenantId);
      await tx.tenant.update({ where: { id: tenant.id }, data });
      return tenant;
    });
    this.changed(id);
    this.audit('tenant.update', id, { changes: Object.keys(data) });
    return this.view(id);
  }

  /**
   * Issues a new key that works at once. Every key working now keeps working for `graceSeconds`
   * (default 0: refused from now on), so clients can switch over without downtime.
   */
  async rotateKey(session: Session, tenantId: unknown, input: { graceSeconds?: unknown }): Promise<NewKey> {
    session.assert('tenant:admin');
    const grace = input.graceSeconds == null ? 0 : check(graceSchema, input.graceSeconds, 'graceSeconds');
    const apiKey = newApiKey();
    const now = new Date();
    const until = new Date(now.getTime() + grace * 1000);
    const key = await this.db.transaction(async (tx) => {
      const tenant = await this.live(tx, tenantId);
      if (tenant.disabled) throw conflict(`Tenant ${tenant.id} is disabled: enable it before rotating its key`);
      await tx.apiKey.updateMany({
        where: { tenantId: tenant.id, revokedAt: null, OR: [{ expiresAt: null }, { expiresAt: { gt: until } }] },
        data: { expiresAt: until },
      });
      return tx.apiKey.create({
        data: {
          id: newId('key'),
          tenantId: tenant.id,
          keyHash: hashKey(apiKey),
          prefix: apiKey.slice(0, 10),
          createdAt: now,
        },
        select: { id: true, tenantId: true, createdAt: true },
      });
    });
    this.changed(key.tenantId);
    this.audit('tenant.rotate_key', key.tenantId, { key_id: key.id, grace_seconds: grace });
    return { apiKey, keyId: key.id, createdAt: key.createdAt };
  }

  async listKeys(session: Session, tenantId: unknown): Promise<KeyView[]> {
    session.assert('tenant:admin');
    const tenant = await this.live(this.db.read, tenantId);
    return this.db.read.apiKey.findMany({
      where: { tenantId: tenant.id },
      select: keyViewSelect,
      orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
    });
  }

  /** Refuses the key from now on, on every instance; sockets using it are closed. */
  async revokeKey(session: Session, tenantId: unknown, keyId: unknown): Promise<KeyView> {
    session.assert('tenant:admin');
    const id = check(idSchema, keyId, 'keyId');
    const key = await this.db.transaction(async (tx) => {
      const tenant = await this.live(tx, tenantId);
      const found = await tx.apiKey.findFirst({
        where: { id, tenantId: tenant.id },
        select: { id: true, revokedAt: true },
      });
      if (!found) throw notFound('Key');
      return tx.apiKey.update({
        where: { id },
        data: { revokedAt: found.revokedAt ?? new Date() },
        select: { ...keyViewSelect, tenantId: true },
      });
    });
    this.changed(key.tenantId);
    this.audit('tenant.revoke_key', key.tenantId, { key_id: key.id });
    const { tenantId: _, ...view } = key;
    return view;
  }

  /**
   * Deletes the tenant and all its data (rooms, members, messages, notifications, keys, usage) in
   * one transaction. A tombstone row remains so the id is never reused and later operations on it
   * say "deleted".
   */
  async delete(session: Session, tenantId: unknown): Promise<void> {
    session.assert('tenant:admin');
    const id = await this.db.transaction(async (tx) => {
      const tenant = await this.live(tx, tenantId);
      const where = { tenantId: tenant.id };
      // Members and messages go with their rooms, deliveries with their notifications.
      await tx.room.deleteMany({ where });
      await tx.notification.deleteMany({ where });
      await tx.topicSubscription.deleteMany({ where });
      await tx.tenantUsageDay.deleteMany({ where });
      await tx.usageActiveUser.deleteMany({ where });
      await tx.apiKey.deleteMany({ where });
      await tx.tenant.update({
        where: { id: tenant.id },
        data: { deletedAt: new Date(), disabled: true, name: '', rateLimit: null },
      });
      return tenant.id;
    });
    this.changed(id);
    this.audit('tenant.delete', id);
  }
}
