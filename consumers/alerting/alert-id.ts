import crypto from 'node:crypto';

/**
 * The alert id of a dedupe key: a UUID (version 8, RFC 9562's custom layout)
 * from its SHA-256, so that every instance that raises the same alert gives
 * it the same id, and channels can drop repeats by it.
 */
export function alertIdOf(dedupeKey: string): string {
  const bytes = crypto.createHash('sha256').update(dedupeKey).digest().subarray(0, 16);
  bytes[6] = (bytes[6]! & 0x0f) | 0x80;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return [
    hex.slice(0, 8),
    hex.slice(8, 12),
    hex.slice(12, 16),
    hex.slice(16, 20),
    hex.slice(20),
  ].join('-');
}
