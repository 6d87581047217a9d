import { describe, expect, it } from 'vitest';
import { MEASURES } from './cost-fields.ts';
import { SummaryAccumulator, toCostRow } from './cost-rows.ts';

const raw = (cost: string, requests: number, extra: Record<string, string> = {}) => ({
  ...Object.fromEntries(MEASURES.map((m) => [m.column, m.kind === 'money' ? '0' : '0'])),
  totalCostUsd: cost,
  requestCount: String(requests),
  inputTokens: '1000',
  ...extra,
});

describe('cost rows', () => {
  it('carry money as plain exact decimals and counts as numbers', () => {
    const row = toCostRow(raw('14.000000000000000000', 3, { model: 'gpt-4o' }), ['model']);
    expect(row).toMatchObject({ model: 'gpt-4o', totalCostUsd: '14', requestCount: 3 });
  });

  it('add cost per request and per 1k tokens exactly, null without a divisor', () => {
    const row = toCostRow(raw('0.0100', 3), [], true);
    expect(row.costPerRequestUsd).toBe('0.003333333333333333');
    expect(row.costPer1kTokensUsd).toBe('0.01');
    expect(toCostRow(raw('0', 0, { inputTokens: '0' }), [], true).costPer1kTokensUsd).toBeNull();
  });

  it('sum rows without floating point and report unpriced requests', () => {
    const summary = new SummaryAccumulator();
    summary.add(toCostRow(raw('0.1', 1), []));
    summary.add(toCostRow(raw('0.2', 1, { unpricedRequests: '1' }), []));
    expect(summary.summary()).toMatchObject({
      totalCostUsd: '0.3',
      totalRequests: 2,
      averageCostPerRequestUsd: '0.15',
      unpricedRequests: 1,
      complete: false,
    });
  });
});
