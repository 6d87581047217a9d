import crypto from 'node:crypto';
import fs from 'node:fs';

export type Principal = { role: 'admin' } | { role: 'tenant'; tenantId: string };

function sha256(text: string): Buffer {
  return crypto.createHash('sha256').update(text).digest();
}

/** Compares digests in constant time, so response timing says nothing about a key. */
function sameDigest(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && crypto.timingSafeEqual(a, b);
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
 * (admin rights, for CLI commands on the same machine), or nobody.
 */
export class Authenticator {
  private readonly adminDigests: Buffer[];

  constructor(adminDigest: Buffer, ownerToken: string) {
    this.adminDigests = [adminDigest, sha256(ownerToken)];
  }

  identify(authorization: string | undefined): Principal | undefined {
    const match = /^Bearer\s+(\S+)$/i.exec(authorization ?? '');
    if (!match) return undefined;

    const digest = sha256(match[1]!);
    const admin = this.adminDigests.some((known) => sameDigest(known, digest));
    return admin ? { role: 'admin' } : undefined;
  }
}
