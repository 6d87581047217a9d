import crypto from 'node:crypto';

/**
 * A tenant key reads `lckt_<key id>_<secret>`: the id (16 hex digits) finds
 * the stored digest, the secret (32 random bytes) is what proves possession.
 */
const KEY_PATTERN = /^lckt_([0-9a-f]{16})_[A-Za-z0-9_-]{43}$/;

/** What a tenant key may do besides reading its tenant's costs. */
export const GRANTS = ['budgets'] as const;
export type Grant = (typeof GRANTS)[number];

/** The SHA-256 digest of a key: what is stored and compared, never the key. */
export function digestOf(key: string): Buffer {
  return crypto.createHash('sha256').update(key).digest();
}

/** Compares digests in constant time, so response timing says nothing about a key. */
export function sameDigest(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && crypto.timingSafeEqual(a, b);
}

/** A new random tenant key and its id. */
export function newTenantKey(): { keyId: string; key: string } {
  const keyId = crypto.randomBytes(8).toString('hex');
  const secret = crypto.randomBytes(32).toString('base64url');
  return { keyId, key: `lckt_${keyId}_${secret}` };
}

/** The key id of a well-formed tenant key, else undefined. */
export function tenantKeyId(key: string): string | undefined {
  return KEY_PATTERN.exec(key)?.[1];
}
