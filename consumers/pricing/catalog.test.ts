import { calcPrice } from '@pydantic/genai-prices';
import { describe, expect, it } from 'vitest';
import { PriceCatalog } from './catalog.ts';

describe('PriceCatalog', () => {
  const catalog = new PriceCatalog();

  it('reads catalogue floats back as the decimals they were written as', () => {
    const row = catalog.lookup('openai', 'gpt-4o', Date.parse('2025-09-01T00:00:00Z'));
    const reference = calcPrice({}, 'gpt-4o', { providerId: 'openai' })!.model_price;
    expect(row?.prices.input?.toFixed()).toBe(String(reference.input_mtok));
    expect(row?.prices.cacheRead?.toFixed()).toBe(String(reference.cache_read_mtok));
    expect(row?.prices.output?.toFixed()).toBe(String(reference.output_mtok));
  });

  it('picks the conditional price in force at the moment of the call', () => {
    const before = catalog.lookup('openai', 'o3', Date.parse('2025-06-09T12:00:00Z'));
    const after = catalog.lookup('openai', 'o3', Date.parse('2025-06-11T12:00:00Z'));
    expect(before?.prices.input?.toFixed()).toBe('10');
    expect(after?.prices.input?.toFixed()).toBe('2');
    expect(after?.validFrom).toBe(Date.parse('2025-06-10T00:00:00Z'));
  });

  it('turns per-key long-context tiers into whole-call tiers', () => {
    const row = catalog.lookup('google', 'gemini-2.5-pro', Date.parse('2025-09-01T00:00:00Z'));
    expect(row?.tiers[0]?.aboveInputTokens).toBe(200_000);
    expect(row?.tiers[0]?.prices.input?.toFixed()).toBe('2.5');
    expect(row?.prices.input?.toFixed()).toBe('1.25');
  });

  it('has no price for a model it does not know', () => {
    expect(catalog.lookup('openai', 'no-such-model-xyz', Date.now())).toBeUndefined();
  });
});

describe('the catalogue against its own calculator', () => {
  const catalog = new PriceCatalog();

  it.each(['03:00', '17:00'])('prices DeepSeek at the rate of the hour (%s UTC)', (hour) => {
    const at = Date.parse(`2025-10-01T${hour}:00Z`);
    const row = catalog.lookup('deepseek', 'deepseek-chat', at)!;
    const reference = calcPrice({ input_tokens: 1e6, output_tokens: 1e6 }, 'deepseek-chat', {
      providerId: 'deepseek',
      timestamp: new Date(at),
    })!;
    const ours = row.prices.input!.plus(row.prices.output!);
    expect(ours.toNumber()).toBeCloseTo(reference.total_price, 12);
  });

  it('prices reasoning apart where the catalogue does', () => {
    const row = catalog.lookup('perplexity', 'sonar-deep-research', Date.now());
    expect(row?.prices.reasoning?.toFixed()).toBe('3');
  });

  it('names the prices it does not model', () => {
    const row = catalog.lookup('google', 'gemini-2.5-flash-image', Date.now());
    expect(row?.unmodelled).toContain('output_image_mtok');
  });
});
