import path from 'node:path';
import { z } from 'zod';
import { ConfigError } from '../../lib/errors.ts';
import { readSettingsFile } from '../../lib/settings-file.ts';
import type { Logger } from '../../lib/logger.ts';
import { Money, moneyFromCatalogFloat, parseMoney } from '../../lib/money.ts';
import { SERVICE_TIERS } from '../../schemas/llm-call.ts';
import { PRICE_FIELDS, type ClassPrices, type PriceRow, type PriceTier } from './price-row.ts';

/** Far above any model's price per million tokens or per request; beyond it, a typo. */
const MAX_PRICE = new Money('100000');

/**
 * A price as a decimal string ("2.50"). A plain YAML number (2.5) is taken
 * too and read back as the decimal it was written as. At most 12 digits
 * after the point, so that every token cost fits the 18 digits of the cost
 * columns exactly.
 */

const price = z.union([z.string(), z.number()]).transform((value, context) => {
  try {
    const money = typeof value === 'number' ? moneyFromCatalogFloat(value) : parseMoney(value);
    if (money.isNegative()) throw new RangeError('negative');
    if (money.decimalPlaces() > 12) throw new RangeError('more than 12 decimal places');
    if (money.greaterThan(MAX_PRICE)) {
      throw new RangeError(`above ${MAX_PRICE.toFixed()} USD, which no model charges`);
    }
    return money;
  } catch (error) {
    context.addIssue({ code: 'custom', message: `not a usable price: ${String(error)}` });
    return z.NEVER;
  }
});

const priceFields = Object.fromEntries(PRICE_FIELDS.map((field) => [field, price.optional()])) as {
  [K in keyof ClassPrices]-?: z.ZodOptional<typeof price>;
};

const moment = z
  .union([z.iso.datetime({ offset: true }), z.iso.date()])
  .transform((text) => Date.parse(text.length === 10 ? `${text}T00:00:00Z` : text));

const entrySchema = z.strictObject({
  provider: z
    .string()
    .min(1)
    .transform((text) => text.toLowerCase()),
  model: z
    .string()
    .min(1)
    .transform((text) => text.toLowerCase()),
  tenantId: z.string().min(1).optional(),
  serviceTier: z.enum(SERVICE_TIERS).optional(),
  validFrom: moment.optional(),
  validTo: moment.optional(),
  prices: z.strictObject(priceFields),
  tiers: z
    .array(z.strictObject({ whenInputTokensAbove: z.number().int().nonnegative(), ...priceFields }))
    .default([]),
});

type Entry = z.output<typeof entrySchema>;

/**
 * Reads a prices file (JSON or YAML list of entries, CONTRACTS.md) into price
 * rows. Every problem is reported with the entry's index and model, and
 * entries that would bill nonsense are refused rather than loaded.
 */
export function loadPriceOverrides(file: string, logger: Logger): PriceRow[] {
  const raw = readSettingsFile(file, 'prices file');
  if (!Array.isArray(raw)) {
    throw new ConfigError(`prices file ${file} must hold a list of entries`, { file });
  }

  const source = `overrides:${path.basename(file)}`;
  const rows = raw.map((item, index) => toRow(parseEntry(item, index, file), index, source));
  checkSuspicious(rows, file, logger);
  checkOverlaps(rows, file);
  return rows;
}

function parseEntry(item: unknown, index: number, file: string): Entry {
  const result = entrySchema.safeParse(item);
  if (result.success) return result.data;

  const label = describe(item, index);
  const problems = result.error.issues
    .map((issue) => `${issue.path.map(String).join('.') || '(entry)'}: ${issue.message}`)
    .join('; ');
  throw new ConfigError(`prices file ${file}, ${label}: ${problems}`, { file, entry: index });
}

function toRow(entry: Entry, index: number, source: string): PriceRow {
  const tiers: PriceTier[] = entry.tiers
    .map(({ whenInputTokensAbove, ...prices }) => ({
      aboveInputTokens: whenInputTokensAbove,
      prices: definedPrices(prices),
    }))
    .sort((a, b) => a.aboveInputTokens - b.aboveInputTokens);
  return {
    source: `${source}#${index}`,
    provider: entry.provider,
    model: entry.model,
    tenantId: entry.tenantId,
    serviceTier: entry.serviceTier,
    validFrom: entry.validFrom,
    validTo: entry.validTo,
    prices: definedPrices(entry.prices),
    tiers,
  };
}

function definedPrices(prices: Partial<Record<keyof ClassPrices, Money | undefined>>): ClassPrices {
  return Object.fromEntries(
    Object.entries(prices).filter(([, value]) => value !== undefined),
  ) as ClassPrices;
}

function describe(item: unknown, index: number): string {
  const entry = item as { provider?: unknown; model?: unknown } | null;
  const name = entry && typeof entry === 'object' ? `${entry.provider}/${entry.model}` : '';
  return `entry ${index}${name ? ` (${name})` : ''}`;
}

/**
 * Refuses what cannot be meant (a cache read dearer than fresh input, a
 * validity that ends before it starts, tiers out of order) and warns about
 * what is merely unusual.
 */
function checkSuspicious(rows: PriceRow[], file: string, logger: Logger): void {
  rows.forEach((row, index) => {
    const where = `prices file ${file}, entry ${index} (${row.provider}/${row.model})`;
    const fail = (problem: string) => {
      throw new ConfigError(`${where}: ${problem}`, { file, entry: index });
    };
    if (row.validFrom !== undefined && row.validTo !== undefined && row.validTo <= row.validFrom) {
      fail('validTo must be after validFrom');
    }
    const thresholds = row.tiers.map((tier) => tier.aboveInputTokens);
    if (new Set(thresholds).size !== thresholds.length) fail('two tiers share a threshold');

    for (const prices of [
      row.prices,
      ...row.tiers.map((tier) => ({ ...row.prices, ...tier.prices })),
    ]) {
      if (prices.cacheRead && prices.input && prices.cacheRead.greaterThan(prices.input)) {
        fail('cacheRead is dearer than input; cached input is billed below fresh input');
      }
      if (prices.output && prices.input && prices.output.lessThan(prices.input)) {
        logger.warn(
          { file, entry: index, provider: row.provider, model: row.model },
          'price override has output cheaper than input; check the entry',
        );
      }
    }
  });
}

/**
 * Two entries for the same model, tenant and tier that start at the same
 * moment leave no rule to choose between them. Entries that start at
 * different moments are a price history: the latest one started wins.
 */
function checkOverlaps(rows: PriceRow[], file: string): void {
  const seen = new Map<string, number>();
  rows.forEach((row, index) => {
    const key = [row.provider, row.model, row.tenantId, row.serviceTier, row.validFrom].join('|');
    const earlier = seen.get(key);
    if (earlier !== undefined) {
      throw new ConfigError(
        `prices file ${file}: entries ${earlier} and ${index} ` +
          `(${row.provider}/${row.model}) apply to the same calls from the same moment; ` +
          `remove one or give them different validFrom dates`,
        { file, entries: [earlier, index] },
      );
    }
    seen.set(key, index);
  });
}
