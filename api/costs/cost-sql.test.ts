import { describe, expect, it } from 'vitest';
import { buildAlignmentCheck, buildCostQuery, type CostQuery } from './cost-sql.ts';

const base: CostQuery = {
  startDate: '2025-01-01',
  endDate: '2025-01-31',
  tz: 'UTC',
  filter: {},
  dimensions: [],
};

describe('cost queries', () => {
  it('read cost_daily for UTC and cost_15m for the days of any other zone', () => {
    expect(buildCostQuery(base).source).toBe('cost_daily');
    expect(buildCostQuery({ ...base, tz: 'Etc/UTC' }).source).toBe('cost_daily');
    const local = buildCostQuery({ ...base, tz: 'Asia/Kathmandu', dimensions: ['day'] });
    expect(local.source).toBe('cost_15m');
    expect(local.sql).toContain('toDate(bucket, {tz:String}) AS day');
    expect(local.params).toMatchObject({ tz: 'Asia/Kathmandu', startDate: '2025-01-01' });
  });

  it('bind every value and splice none into the SQL', () => {
    const hostile = "x' OR 1=1 --";
    const query = buildCostQuery({
      ...base,
      tz: 'Europe/Paris',
      filter: { tenantId: hostile, userId: hostile, provider: hostile, model: hostile },
      dimensions: ['tenant', 'model'],
      limit: 5,
    });
    expect(query.sql).not.toContain(hostile);
    expect(query.sql).not.toContain('Europe/Paris');
    expect(query.sql).not.toContain('2025-01');
    expect(query.sql).toContain('tenant_id = {tenantId:String}');
    expect(query.params).toMatchObject({ tenantId: hostile, model: hostile, limit: 5 });
  });

  it('order periods first, then the costliest groups', () => {
    const query = buildCostQuery({ ...base, dimensions: ['week', 'tenant'] });
    expect(query.sql).toContain('GROUP BY week, tenantId');
    expect(query.sql).toContain('ORDER BY week ASC, totalCostUsd DESC, tenantId ASC');
  });

  it('scan a day beyond each end in UTC, then keep exactly the local dates', () => {
    const query = buildCostQuery({ ...base, tz: 'Pacific/Kiritimati' });
    expect(query.params.scanFrom).toBe(Date.parse('2024-12-31T00:00:00Z') / 1000);
    expect(query.params.scanTo).toBe(Date.parse('2025-02-02T00:00:00Z') / 1000);
    expect(query.sql).toContain('toDate(bucket, {tz:String}) <= {endDate:Date}');
  });

  it('check every quarter hour around the range for a split local midnight', () => {
    const check = buildAlignmentCheck('2025-01-01', '2025-01-01', 'Asia/Kolkata');
    expect(check.params.buckets).toBe(3 * 96);
  });
});
