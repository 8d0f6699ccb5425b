import { z } from 'zod';
import { hashKey } from '../auth/authenticator.js';
import type { Session } from '../auth/session.js';
import type { Database } from '../db/database.js';
import type { Logger } from '../logger.js';
import { newApiKey, newId } from './ids.js';
import { check } from './validation.js';

export interface TenantView {
  id: string;
  name: string;
  rateLimit: number | null;
  disabled: boolean;
  createdAt: Date;
}

const nameSchema = z
  .string({ error: 'must be a string' })
  .trim()
  .min(1, 'must not be empty')
  .max(100, 'must be at most 100 characters');

const tenantSelect = { id: true, name: true, rateLimit: true, disabled: true, createdAt: true } as const;

export class TenantService {
  constructor(
    private readonly db: Database,
    private readonly logger: Logger,
  ) {}

  /** Creates a tenant and its first API key. The key is returned here and never again. */
  async create(session: Session, input: { name: unknown }): Promise<{ tenant: TenantView; apiKey: string }> {
    session.requireMaster();
    const name = check(nameSchema, input.name, 'name');
    const apiKey = newApiKey();
    const tenant = await this.db.transaction((tx) =>
      tx.tenant.create({
        data: {
          id: newId('tenant'),
          name,
          apiKeys: { create: { id: newId('key'), keyHash: hashKey(apiKey), prefix: apiKey.slice(0, 10) } },
        },
        select: tenantSelect,
      }),
    );
    this.logger.info({ audit: true, who: 'master', what: 'tenant.create', tenant_id: tenant.id }, 'Tenant created');
    return { tenant, apiKey };
  }

  async list(session: Session): Promise<TenantView[]> {
    session.requireMaster();
    return this.db.read.tenant.findMany({ select: tenantSelect, orderBy: { createdAt: 'asc' } });
  }
}
