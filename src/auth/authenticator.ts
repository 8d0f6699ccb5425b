import { createHash, timingSafeEqual } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import type { Database } from '../db/database.js';
import { forbidden, invalid, unauthenticated } from '../errors.js';
import type { EventBus } from '../events/bus.js';
import type { Logger } from '../logger.js';
import { userIdSchema } from '../services/validation.js';
import { Session } from './session.js';

/** The credentials a request carries, from headers, connection params or query string. */
export interface Credentials {
  apiKey?: string | null;
  userId?: string | null;
  masterKey?: string | null;
}

export const hashKey = (key: string) => createHash('sha256').update(key).digest('hex');

interface KeyRecord {
  keyId: string;
  tenantId: string;
  tenantDisabled: boolean;
  expiresAt: number | null;
  revoked: boolean;
}

/**
 * Turns credentials into a Session. Tenant keys are looked up by their SHA-256 and cached, so a
 * request costs no database read; the cache forgets a tenant's keys as soon as any instance
 * changes them (a `cache` event on the bus). Unknown keys are remembered briefly too, so a client
 * hammering with a bad key does not hammer the database.
 */
export class Authenticator {
  private readonly keys = new LRUCache<string, KeyRecord | 'unknown'>({ max: 50_000, ttl: 10 * 60_000 });
  private readonly masterHash: Buffer | undefined;

  constructor(
    private readonly db: Database,
    bus: EventBus,
    private readonly logger: Logger,
    masterApiKey: string | undefined,
  ) {
    this.masterHash = masterApiKey ? createHash('sha256').update(masterApiKey).digest() : undefined;
    bus.subscribe('cache', 'all', (event) => {
      if (event.type !== 'tenant') return;
      for (const [hash, record] of this.keys.entries()) {
        if (record === 'unknown' || record.tenantId === event.tenantId) this.keys.delete(hash);
      }
    });
  }

  /** Throws AUTHENTICATION_ERROR for credentials that are present but wrong. */
  async authenticate(credentials: Credentials): Promise<Session> {
    const adminRefusal = this.masterHash ? 'Unauthorized' : 'Admin API disabled: MASTER_API_KEY is not set';
    if (credentials.masterKey) {
      if (!this.masterHash) throw unauthenticated(adminRefusal);
      const given = createHash('sha256').update(credentials.masterKey).digest();
      if (!timingSafeEqual(given, this.masterHash)) throw unauthenticated('Unauthorized');
      return new Session({ kind: 'master' }, adminRefusal);
    }
    if (credentials.apiKey) {
      const record = await this.lookup(credentials.apiKey);
      if (!credentials.userId) throw unauthenticated('Missing X-User-Id header');
      const parsed = userIdSchema.safeParse(credentials.userId);
      if (!parsed.success) throw invalid(`X-User-Id ${parsed.error.issues[0]!.message}`, 'X-User-Id');
      return new Session(
        { kind: 'user', tenantId: record.tenantId, userId: parsed.data, keyId: record.keyId },
        adminRefusal,
      );
    }
    return new Session({ kind: 'anonymous' }, adminRefusal);
  }

  private async lookup(apiKey: string): Promise<KeyRecord> {
    const hash = hashKey(apiKey);
    let record = this.keys.get(hash);
    if (record === undefined) {
      const row = await this.db.read.apiKey.findUnique({
        where: { keyHash: hash },
        select: { id: true, tenantId: true, expiresAt: true, revokedAt: true, tenant: { select: { disabled: true } } },
      });
      if (row) {
        record = {
          keyId: row.id,
          tenantId: row.tenantId,
          tenantDisabled: row.tenant.disabled,
          expiresAt: row.expiresAt ? row.expiresAt.getTime() : null,
          revoked: row.revokedAt !== null,
        };
        this.keys.set(hash, record);
        if (!record.revoked && !record.tenantDisabled) {
          this.logger.info({ tenant_id: record.tenantId }, 'Tenant validated');
        }
      } else {
        record = 'unknown';
        this.keys.set(hash, record, { ttl: 10_000 });
      }
    }
    const reason =
      record === 'unknown'
        ? 'tenant not found'
        : record.revoked
          ? 'key revoked'
          : record.expiresAt !== null && record.expiresAt <= Date.now()
            ? 'key expired'
            : undefined;
    if (reason) {
      this.logger.error({ error: reason }, 'Invalid API key');
      throw unauthenticated('Invalid API key');
    }
    const valid = record as KeyRecord;
    if (valid.tenantDisabled) {
      this.logger.warn({ tenant_id: valid.tenantId }, 'Tenant disabled');
      throw forbidden('tenant disabled');
    }
    return valid;
  }
}
