import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { PriceCatalog } from './catalog.ts';
import { loadModelAliases, normalizeModel, withoutDateSuffix } from './model-names.ts';
import { PriceBook } from './price-book.ts';
import { Money } from '../../lib/money.ts';

const at = Date.parse('2025-10-01T00:00:00Z');
const book = new PriceBook([], new PriceCatalog());
const priceOf = (provider: string, model: string, tenantId = 't') =>
  book.lookup({ provider, model, tenantId, serviceTier: 'standard', occurredAt: at });

describe('model names as services send them', () => {
  it.each([
    ['openai', 'gpt-4o-2024-08-06', 'gpt-4o'],
    ['openai', 'openai/gpt-4o', 'gpt-4o'],
    ['openai', 'GPT-4o', 'gpt-4o'],
    ['anthropic', 'claude-sonnet-4-5-20250929', 'claude-sonnet-4-5'],
    [
      'google',
      'projects/acme/locations/europe-west4/publishers/google/models/gemini-2.5-pro',
      'gemini-2.5-pro',
    ],
    ['google', 'claude-3-5-sonnet@20240620', 'claude-3-5-sonnet'],
    [
      'aws',
      'us.anthropic.claude-sonnet-4-5-20250929-v1:0',
      'regional.anthropic.claude-sonnet-4-5-20250929-v1:0',
    ],
    [
      'bedrock',
      'anthropic.claude-3-5-sonnet-20240620-v1:0',
      'regional.anthropic.claude-3-5-sonnet-20240620-v1:0',
    ],
  ])('%s %s is priced as %s', (provider, model, expected) => {
    expect(priceOf(provider, model).row?.model).toBe(expected);
  });

  it('strips Vertex resource paths and provider prefixes', () => {
    expect(normalizeModel('google', 'publishers/google/models/gemini-2.5-flash')).toBe(
      'gemini-2.5-flash',
    );
    expect(normalizeModel('openai', 'openai/o3')).toBe('o3');
  });

  it('finds the undated name of a dated snapshot', () => {
    expect(withoutDateSuffix('gpt-4o-2024-08-06')).toBe('gpt-4o');
    expect(withoutDateSuffix('claude-3-5-sonnet-20240620')).toBe('claude-3-5-sonnet');
    expect(withoutDateSuffix('gpt-4o')).toBeUndefined();
  });

  it('prices a dated snapshot with the override of its undated name', () => {
    const overrides = new PriceBook(
      [
        {
          source: 'test',
          provider: 'openai',
          model: 'gpt-4o',
          prices: { input: new Money('1') },
          tiers: [],
        },
      ],
      new PriceCatalog(),
    );
    const found = overrides.lookup({
      provider: 'openai',
      model: 'gpt-4o-2024-11-20',
      tenantId: 't',
      serviceTier: 'standard',
      occurredAt: at,
    });
    expect(found.row?.source).toBe('test');
  });

  it('prices an Azure deployment name as the model it runs, by configuration', () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'aliases-')), 'aliases.yaml');
    fs.writeFileSync(
      file,
      '- provider: azure\n  model: prod-gpt4o-eu\n' +
        '  priceAs: { provider: openai, model: gpt-4o }\n',
    );
    const aliased = new PriceBook([], new PriceCatalog(), loadModelAliases(file));
    const found = aliased.lookup({
      provider: 'azure',
      model: 'prod-gpt4o-eu',
      tenantId: 't',
      serviceTier: 'standard',
      occurredAt: at,
    });
    expect(found.row).toMatchObject({ provider: 'openai', model: 'gpt-4o' });
    expect(priceOf('azure', 'prod-gpt4o-eu').row).toBeUndefined();
  });
});
