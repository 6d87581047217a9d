import crypto from 'node:crypto';

/**
 * A UUID derived from a name (version 8, RFC 9562's custom layout, from
 * SHA-256): the same name always gives the same id, which is what makes
 * replays and corrections idempotent.
 */
export function uuidFrom(name: string): string {
  const bytes = crypto.createHash('sha256').update(name).digest().subarray(0, 16);
  bytes[6] = (bytes[6]! & 0x0f) | 0x80;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return (
    `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-` +
    hex.slice(20)
  );
}
