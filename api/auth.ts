import crypto from 'node:crypto';
import fs from 'node:fs';
import { digestOf as sha256, sameDigest, tenantKeyId, type Grant } from './keys/api-key.ts';

/**
 * Who a request comes from. A tenant key sees only its tenant's data and
 * does more (budgets, say) only with the matching grant.
 */
export type Principal =
  { role: 'admin' } | { role: 'tenant'; tenantId: string; keyId: string; grants: readonly Grant[] };

/** Where tenant keys are looked up by id (see keys/api-key-store.ts). */
export interface TenantKeyLookup {
  find(
    keyId: string,
  ): Promise<{ tenantId: string; grants: readonly Grant[]; digest: Buffer } | undefined>;
}

export function newKey(prefix: string): string {
  return `${prefix}_${crypto.randomBytes(24).toString('base64url')}`;
}

/**
 * The admin key: LLMCOST_ADMIN_KEY when set, else one generated on first
 * start. Only its SHA-256 digest is kept on disk; a generated key is
 * returned once, for the caller to print.
 */
export function loadAdminKeyDigest(
  configured: string | undefined,
  digestFile: string,
): { digest: Buffer; generated?: string } {
  if (configured) return { digest: sha256(configured) };
  if (fs.existsSync(digestFile)) {
    return { digest: Buffer.from(fs.readFileSync(digestFile, 'utf8').trim(), 'hex') };
  }

  const generated = newKey('lck_admin');
  fs.writeFileSync(digestFile, sha256(generated).toString('hex') + '\n', { mode: 0o600 });
  return { digest: sha256(generated), generated };
}

/**
 * Decides who a bearer key belongs to: the admin, the local owner token
 * (admin rights, for CLI commands on the same machine), a tenant key, or
 * nobody. Keys are compared by digest in constant time.
 */
export class Authenticator {
  private readonly adminDigests: Buffer[];

  constructor(
    adminDigest: Buffer,
    ownerToken: string,
    private readonly tenantKeys?: TenantKeyLookup,
  ) {
    this.adminDigests = [adminDigest, sha256(ownerToken)];
  }

  async identify(authorization: string | undefined): Promise<Principal | undefined> {
    const match = /^Bearer\s+(\S+)$/i.exec(authorization ?? '');
    if (!match) return undefined;

    const key = match[1]!;
    const digest = sha256(key);
    if (this.adminDigests.some((known) => sameDigest(known, digest))) return { role: 'admin' };

    const keyId = tenantKeyId(key);
    const stored = keyId === undefined ? undefined : await this.tenantKeys?.find(keyId);
    if (!stored || !sameDigest(stored.digest, digest)) return undefined;
    return { role: 'tenant', tenantId: stored.tenantId, keyId: keyId!, grants: stored.grants };
  }
}
