import { describe, expect, it } from 'vitest';
import { digestOf, newTenantKey, sameDigest, tenantKeyId } from './api-key.ts';

describe('tenant keys', () => {
  it('carry their id and a secret, and nothing else parses as one', () => {
    const { keyId, key } = newTenantKey();
    expect(tenantKeyId(key)).toBe(keyId);
    expect(tenantKeyId(`${key}x`)).toBeUndefined();
    expect(tenantKeyId('lck_admin_abc')).toBeUndefined();
  });

  it('compare by digest', () => {
    const { key } = newTenantKey();
    expect(sameDigest(digestOf(key), digestOf(key))).toBe(true);
    expect(sameDigest(digestOf(key), digestOf(`${key.slice(0, -1)}_`))).toBe(false);
  });
});
