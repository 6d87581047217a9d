import type { ClickHouseClient } from '../../clickhouse/client.ts';
import { classifyClickHouseError } from '../../clickhouse/errors.ts';
import type { Logger } from '../../lib/logger.ts';
import { digestOf, newTenantKey, type Grant } from './api-key.ts';

/** A tenant key as listed: everything but the key and its digest. */
export interface TenantKeyRecord {
  keyId: string;
  tenantId: string;
  grants: Grant[];
  label: string;
  createdAt: string;
  revokedAt: string | null;
}

interface StoredKey extends TenantKeyRecord {
  digest: Buffer;
}

/** Tuning and collaborators of an ApiKeyStore. */
export interface ApiKeyStoreOptions {
  /**
   * How long a looked-up key is remembered. A key revoked by another
   * process (a server-backed store shared by several) stops working after
   * at most this long; one revoked through this process stops at once.
   * @default 30000
   */
  cacheMs?: number;
  now?: () => number;
  /** Where issuing and revoking are recorded (ids only, never a key). */
  logger?: Logger;
}

const CACHE_LIMIT = 10_000;

const LATEST = `SELECT key_id, argMax(tenant_id, version) AS tenant_id,
    argMax(digest, version) AS digest, argMax(grants, version) AS grants,
    argMax(label, version) AS label, argMax(created_at, version) AS created_at,
    argMax(revoked_at, version) AS revoked_at
  FROM api_keys`;

interface KeyRow {
  key_id: string;
  tenant_id: string;
  digest: string;
  grants: Grant[];
  label: string;
  created_at: string;
  revoked_at: string | null;
}

/**
 * Tenant API keys in ClickHouse (table api_keys), stored as SHA-256 digests
 * only. Version 1 of a key is its creation, version 2 its revocation.
 */
export class ApiKeyStore {
  private readonly cache = new Map<string, { at: number; key: StoredKey | undefined }>();
  private readonly cacheMs: number;
  private readonly now: () => number;
  private readonly logger: Logger | undefined;

  constructor(
    private readonly client: ClickHouseClient,
    options: ApiKeyStoreOptions = {},
  ) {
    this.cacheMs = options.cacheMs ?? 30_000;
    this.now = options.now ?? Date.now;
    this.logger = options.logger?.child({ component: 'api-keys' });
  }

  /** Issues a key for a tenant; the key is in the answer and nowhere else. */
  async create(input: {
    tenantId: string;
    grants: Grant[];
    label: string;
  }): Promise<{ key: string; record: TenantKeyRecord }> {
    const { keyId, key } = newTenantKey();
    const now = this.now();
    const createdAt = new Date(now).toISOString();
    await this.insert({
      key_id: keyId,
      tenant_id: input.tenantId,
      digest: digestOf(key).toString('hex'),
      grants: input.grants,
      label: input.label,
      created_at: clickHouseTime(now),
      revoked_at: null,
      version: 1,
    });
    this.cache.delete(keyId);
    this.logger?.info({ keyId, tenantId: input.tenantId, grants: input.grants }, 'api key issued');
    const record = { keyId, ...input, createdAt, revokedAt: null };
    return { key, record };
  }

  /** Every key, or a tenant's, newest first, revoked ones included. */
  async list(tenantId?: string): Promise<TenantKeyRecord[]> {
    const filter = tenantId === undefined ? '' : ' HAVING tenant_id = {tenantId:String}';
    const rows = await this.select(
      `${LATEST} GROUP BY key_id${filter} ORDER BY created_at DESC, key_id`,
      tenantId === undefined ? {} : { tenantId },
    );
    return rows.map((row) => withoutDigest(fromRow(row)));
  }

  /** Revokes a key; false when there is no such key or it was revoked already. */
  async revoke(keyId: string): Promise<boolean> {
    const [row] = await this.select(`${LATEST} WHERE key_id = {keyId:String} GROUP BY key_id`, {
      keyId,
    });
    if (!row || row.revoked_at !== null) return false;

    await this.insert({
      ...row,
      revoked_at: clickHouseTime(this.now()),
      version: 2,
    });
    this.cache.delete(keyId);
    this.logger?.info({ keyId, tenantId: row.tenant_id }, 'api key revoked');
    return true;
  }

  /** The live key with this id, from a short-lived cache (see `cacheMs`). */
  async find(keyId: string): Promise<StoredKey | undefined> {
    const cached = this.cache.get(keyId);
    if (cached && this.now() - cached.at < this.cacheMs) return cached.key;

    const [row] = await this.select(`${LATEST} WHERE key_id = {keyId:String} GROUP BY key_id`, {
      keyId,
    });
    const key = row && row.revoked_at === null ? fromRow(row) : undefined;
    if (this.cache.size >= CACHE_LIMIT) this.cache.clear();
    this.cache.set(keyId, { at: this.now(), key });
    return key;
  }

  private async select(query: string, params: Record<string, unknown>): Promise<KeyRow[]> {
    try {
      const result = await this.client.query({
        query,
        query_params: params,
        format: 'JSONEachRow',
      });
      return await result.json<KeyRow>();
    } catch (error) {
      throw classifyClickHouseError(error, { table: 'api_keys' });
    }
  }

  private async insert(row: Record<string, unknown>): Promise<void> {
    try {
      await this.client.insert({ table: 'api_keys', values: [row], format: 'JSONEachRow' });
    } catch (error) {
      throw classifyClickHouseError(error, { table: 'api_keys' });
    }
  }
}

/** DateTime64(3) text as ClickHouse reads it without best-effort parsing. */
function clickHouseTime(ms: number): string {
  return new Date(ms).toISOString().replace('T', ' ').replace('Z', '');
}

function fromRow(row: KeyRow): StoredKey {
  return {
    keyId: row.key_id,
    tenantId: row.tenant_id,
    grants: row.grants,
    label: row.label,
    createdAt: new Date(`${row.created_at.replace(' ', 'T')}Z`).toISOString(),
    revokedAt: row.revoked_at && new Date(`${row.revoked_at.replace(' ', 'T')}Z`).toISOString(),
    digest: Buffer.from(row.digest, 'hex'),
  };
}

function withoutDigest(key: StoredKey): TenantKeyRecord {
  const { keyId, tenantId, grants, label, createdAt, revokedAt } = key;
  return { keyId, tenantId, grants, label, createdAt, revokedAt };
}
