import { describe, expect, it } from 'vitest';
import { Money } from '../../lib/money.ts';
import { computeCost } from './cost.ts';
import type { PriceRow } from './price-row.ts';

const usage = (partial: Partial<Record<string, number>>) => ({
  inputTokens: 0,
  cacheReadTokens: 0,
  cacheWriteTokens: 0,
  cacheWrite1hTokens: 0,
  outputTokens: 0,
  reasoningTokens: 0,
  audioInputTokens: 0,
  audioOutputTokens: 0,
  ...partial,
});

const row = (prices: Record<string, string>, tiers: PriceRow['tiers'] = []): PriceRow => ({
  source: 'test',
  provider: 'p',
  model: 'm',
  tiers,
  prices: Object.fromEntries(Object.entries(prices).map(([k, v]) => [k, new Money(v)])),
});

describe('computeCost', () => {
  it('multiplies each class by its price per million, exactly', () => {
    const result = computeCost(
      usage({ inputTokens: 22_361_870, outputTokens: 4_088_665 }),
      1,
      row({ input: '2.50', output: '10.00' }),
    );
    expect(result.status).toBe('priced');
    if (result.status !== 'priced') return;
    expect(result.cost.input.toFixed()).toBe('55.904675');
    expect(result.cost.output.toFixed()).toBe('40.88665');
    expect(result.cost.total.toFixed()).toBe('96.791325');
  });

  it('bills reasoning at the output price when it has none of its own', () => {
    const result = computeCost(
      usage({ outputTokens: 200, reasoningTokens: 800 }),
      1,
      row({ input: '1.10', output: '4.40' }),
    );
    expect(result.status === 'priced' && result.cost.reasoning.toFixed()).toBe('0.00352');
  });

  it('leaves a call unpriced, naming the class, when a class with tokens has no price', () => {
    const result = computeCost(
      usage({ inputTokens: 10, cacheWrite1hTokens: 5 }),
      1,
      row({ input: '3', output: '15' }),
    );
    expect(result).toEqual({
      status: 'unpriced',
      reason: 'no cacheWrite1h price for p/m (5 cacheWrite1hTokens)',
    });
  });

  it('prices the whole call at the tier its total input strictly exceeds', () => {
    const tiered = row({ input: '1.25', output: '10' }, [
      { aboveInputTokens: 200_000, prices: { input: new Money('2.5'), output: new Money('15') } },
    ]);
    const above = computeCost(usage({ inputTokens: 250_000, outputTokens: 2_000 }), 1, tiered);
    const at = computeCost(usage({ inputTokens: 200_000, outputTokens: 2_000 }), 1, tiered);
    expect(above.status === 'priced' && above.cost.total.toFixed()).toBe('0.655');
    expect(at.status === 'priced' && at.cost.total.toFixed()).toBe('0.27');
  });

  it('keeps a class priced by a lower tier above a higher tier that does not price it', () => {
    const tiered = row({ input: '1', output: '10' }, [
      { aboveInputTokens: 128_000, prices: { input: new Money('2'), output: new Money('20') } },
      { aboveInputTokens: 200_000, prices: { input: new Money('3') } },
    ]);
    const result = computeCost(usage({ inputTokens: 250_000, outputTokens: 1_000 }), 1, tiered);

    // 250000 × 3 / 1e6 + 1000 × 20 / 1e6
    expect(result.status === 'priced' && result.cost.total.toFixed()).toBe('0.77');
  });

  it('adds the per-request fee once per request', () => {
    const result = computeCost(usage({}), 3, row({ perRequest: '0.005' }));
    expect(result.status === 'priced' && result.cost.total.toFixed()).toBe('0.015');
  });
});
