import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../lib/logger.ts';
import { PriceCatalog } from './catalog.ts';
import { loadPriceOverrides } from './overrides.ts';
import { PriceBook } from './price-book.ts';

const logger = createLogger({ level: 'silent' });

function pricesFile(content: unknown, extension = 'json'): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'llmcost-prices-'));
  const file = path.join(dir, `prices.${extension}`);
  fs.writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content));
  return file;
}

describe('price overrides', () => {
  it('win over the catalogue, a tenant entry over a general one', () => {
    const file = pricesFile([
      { provider: 'openai', model: 'gpt-4o', prices: { input: '2.00', output: '8.00' } },
      { provider: 'openai', model: 'gpt-4o', tenantId: 'acme', prices: { input: '1.00' } },
    ]);
    const book = new PriceBook(loadPriceOverrides(file, logger), new PriceCatalog());
    const query = {
      provider: 'openai',
      model: 'gpt-4o',
      serviceTier: 'standard',
      occurredAt: Date.now(),
    };
    expect(book.lookup({ ...query, tenantId: 'other' }).row?.prices.input?.toFixed()).toBe('2');
    expect(book.lookup({ ...query, tenantId: 'acme' }).row?.prices.input?.toFixed()).toBe('1');
  });

  it('reads YAML, with plain numbers taken as the decimals written', () => {
    const file = pricesFile(
      '- provider: self\n  model: llama-70b\n  prices:\n    input: 0.1\n',
      'yaml',
    );
    expect(loadPriceOverrides(file, logger)[0]?.prices.input?.toFixed()).toBe('0.1');
  });

  it('names the entry and field of a bad price', () => {
    const file = pricesFile([{ provider: 'openai', model: 'gpt-4o', prices: { input: '2,50' } }]);
    expect(() => loadPriceOverrides(file, logger)).toThrow(
      /entry 0 \(openai\/gpt-4o\).*prices\.input/,
    );
  });

  it('refuses a cache read dearer than input', () => {
    const file = pricesFile([
      { provider: 'x', model: 'y', prices: { input: '1', cacheRead: '2' } },
    ]);
    expect(() => loadPriceOverrides(file, logger)).toThrow(/cacheRead is dearer than input/);
  });

  it('uses the latest started entry of a price history', () => {
    const file = pricesFile([
      { provider: 'openai', model: 'o3', validFrom: '2025-04-16', prices: { input: '10' } },
      { provider: 'openai', model: 'o3', validFrom: '2025-06-10', prices: { input: '2' } },
    ]);
    const book = new PriceBook(loadPriceOverrides(file, logger), new PriceCatalog());
    const at = (iso: string) =>
      book
        .lookup({
          provider: 'openai',
          model: 'o3',
          tenantId: 't',
          serviceTier: 'standard',
          occurredAt: Date.parse(iso),
        })
        .row?.prices.input?.toFixed();
    expect(at('2025-06-09T23:59:00Z')).toBe('10');
    expect(at('2025-06-10T00:00:00Z')).toBe('2');
  });

  it('leaves a batch-tier call unpriced when only standard prices are known', () => {
    const book = new PriceBook([], new PriceCatalog());
    const result = book.lookup({
      provider: 'openai',
      model: 'gpt-4o',
      tenantId: 't',
      serviceTier: 'batch',
      occurredAt: Date.now(),
    });
    expect(result.row).toBeUndefined();
  });

  it('reads an entry without a service tier as a standard-tier price only', () => {
    const file = pricesFile([
      { provider: 'self', model: 'llama-70b', prices: { input: '0.5' } },
      { provider: 'self', model: 'llama-70b', serviceTier: 'batch', prices: { input: '0.25' } },
    ]);
    const book = new PriceBook(loadPriceOverrides(file, logger), new PriceCatalog());
    const input = (serviceTier: string) =>
      book
        .lookup({ provider: 'self', model: 'llama-70b', tenantId: 't', serviceTier, occurredAt: 0 })
        .row?.prices.input?.toFixed();

    expect(input('standard')).toBe('0.5');
    expect(input('batch')).toBe('0.25');
    expect(input('priority')).toBeUndefined();
  });

  it('refuses a price no model charges, naming the field', () => {
    const file = pricesFile([{ provider: 'x', model: 'y', prices: { output: '250000' } }]);
    expect(() => loadPriceOverrides(file, logger)).toThrow(/prices\.output.*above 100000 USD/);
  });
});
