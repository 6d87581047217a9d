import { describe, expect, it } from 'vitest';
import { Money } from '../../lib/money.ts';
import { parseLlmCall } from '../../schemas/llm-call.ts';
import { PriceCatalog } from './catalog.ts';
import { PriceBook } from './price-book.ts';
import { priceCall } from './pricer.ts';

// Prices files refuse prices this high; the catalogue is not checked against a
// ceiling, so a corrupt catalogue entry is what this row stands for.
const book = new PriceBook(
  [
    {
      source: 'prices file',
      provider: 'self',
      model: 'huge',
      tiers: [],
      prices: { input: new Money('1000000000'), output: new Money('1000000000') },
    },
  ],
  new PriceCatalog(),
);

function callWith(tokens: number, requestCount: number) {
  return parseLlmCall({
    requestCount,
    tenantId: 't',
    touchpoint: 'tp',
    provider: 'self',
    model: 'huge',
    usage: { inputTokens: tokens, outputTokens: tokens },
  });
}

describe('priceCall', () => {
  it('stores a cost too large for the cost columns unpriced, with the reason', () => {
    // 1e13 tokens of each class at 1e9 USD per million: 2e16 USD in all.
    const priced = priceCall(callWith(1e13, 1_000_000), book, 0);

    expect(priced.pricingStatus).toBe('unpriced');
    expect(priced.unpricedReason).toMatch(/20000000000000000 USD does not fit the cost columns/);
    expect(priced.cost.totalUsd).toBe('0');
  });

  it('prices a large but possible cost', () => {
    // 1e5 tokens of each class at 1e9 USD per million: 2e8 USD.
    const priced = priceCall(callWith(1e5, 1), book, 0);

    expect(priced.pricingStatus).toBe('priced');
    expect(priced.cost.totalUsd).toBe('200000000');
  });
});
