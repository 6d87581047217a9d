import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import type { Principal } from '../auth.ts';
import { resolveCostRequest, type CostFilterParams } from './cost-request.ts';

const admin: Principal = { role: 'admin' };
const tenant: Principal = { role: 'tenant', tenantId: 'acme', keyId: 'k', grants: [] };
const request = (accept = '') => ({ headers: { accept } }) as IncomingMessage;
const params = (extra: Partial<CostFilterParams> = {}): CostFilterParams => ({
  startDate: '2025-01-01',
  endDate: '2025-01-31',
  tz: 'UTC',
  ...extra,
});

describe('what a cost request may read', () => {
  it('limits a tenant key to its tenant, whatever the parameters say', () => {
    expect(resolveCostRequest(params(), tenant, request()).filter.tenantId).toBe('acme');
    const scoped = resolveCostRequest(params({ scope: 'user', userId: 'u1' }), tenant, request());
    expect(scoped.filter).toMatchObject({ tenantId: 'acme', userId: 'u1' });
  });

  it('refuses a tenant key the platform or another tenant with 403', () => {
    expect(() => resolveCostRequest(params({ scope: 'platform' }), tenant, request())).toThrow(
      expect.objectContaining({ status: 403 }),
    );
    expect(() => resolveCostRequest(params({ tenantId: 'other' }), tenant, request())).toThrow(
      expect.objectContaining({ status: 403 }),
    );
  });

  it('lets the admin key read the platform, a tenant or a user', () => {
    expect(resolveCostRequest(params(), admin, request()).filter.tenantId).toBeUndefined();
    expect(resolveCostRequest(params({ tenantId: 't' }), admin, request()).filter.tenantId).toBe(
      't',
    );
    expect(() => resolveCostRequest(params({ userId: 'u' }), admin, request())).toThrow(
      expect.objectContaining({ status: 400, field: 'tenantId' }),
    );
  });

  it('picks CSV from Accept unless format says otherwise', () => {
    expect(resolveCostRequest(params(), admin, request('text/csv')).format).toBe('csv');
    expect(resolveCostRequest(params(), admin, request('text/csvx')).format).toBe('json');
    const json = resolveCostRequest(params({ format: 'json' }), admin, request('text/csv'));
    expect(json.format).toBe('json');
  });
});
