import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import {
  calcPrice,
  TieredPrices,
  type ConditionalPrice,
  type ModelInfo,
  type ModelPrice,
} from '@pydantic/genai-prices';
import { moneyFromCatalogFloat } from '../../lib/money.ts';
import type { ClassPrices, PriceRow, PriceTier } from './price-row.ts';

/**
 * The catalogue's price keys that bill our classes. Token prices are quoted
 * per million tokens, as ours are; requests per thousand, ours per request.
 */
const CATALOG_KEYS: Record<string, { field: keyof ClassPrices; divisor: number }> = {
  input_mtok: { field: 'input', divisor: 1 },
  cache_read_mtok: { field: 'cacheRead', divisor: 1 },
  cache_write_mtok: { field: 'cacheWrite5m', divisor: 1 },
  cache_write_1h_mtok: { field: 'cacheWrite1h', divisor: 1 },
  output_mtok: { field: 'output', divisor: 1 },
  input_audio_mtok: { field: 'audioInput', divisor: 1 },
  output_audio_mtok: { field: 'audioOutput', divisor: 1 },
  requests_kcount: { field: 'perRequest', divisor: 1_000 },
  // Reasoning priced apart from visible output (a few models).
  output_reasoning_mtok: { field: 'reasoning', divisor: 1 },
};

function catalogVersion(): string {
  const entry = fileURLToPath(import.meta.resolve('@pydantic/genai-prices'));
  const manifest = path.join(path.dirname(entry), '..', 'package.json');
  const { version } = JSON.parse(fs.readFileSync(manifest, 'utf8')) as { version: string };
  return `genai-prices@${version}`;
}

/**
 * The @pydantic/genai-prices catalogue as exact price rows. The package
 * resolves a provider's model names (aliases, dated snapshots); its prices
 * are JavaScript numbers, read back here as the decimals they were written as.
 */
export class PriceCatalog {
  readonly source = catalogVersion();
  private readonly models = new Map<string, ModelInfo | null>();
  private readonly rows = new Map<string, PriceRow>();

  /** The catalogue's price for a model at a moment, or undefined when it has none. */
  lookup(provider: string, model: string, at: number): PriceRow | undefined {
    const info = this.model(provider, model);
    if (!info) return undefined;

    const active = activePrice(info, new Date(at));
    const key = `${provider}\u0000${info.id}\u0000${active.index}`;
    let row = this.rows.get(key);
    if (!row) {
      const { base, tiers } = toClassPrices(active.prices);
      const validFrom = active.validFrom;
      const unmodelled = Object.keys(active.prices).filter((name) => !CATALOG_KEYS[name]);
      row = {
        source: this.source,
        provider,
        model: info.id,
        validFrom,
        prices: base,
        tiers,
        unmodelled,
      };
      this.rows.set(key, row);
    }
    return row;
  }

  private model(provider: string, model: string): ModelInfo | null {
    const key = `${provider}\u0000${model}`;
    if (!this.models.has(key)) {
      const result = calcPrice({}, model, { providerId: provider });
      this.models.set(key, result?.model ?? null);
    }
    return this.models.get(key) ?? null;
  }
}

/**
 * The catalogue's rule for conditional prices: the last entry whose
 * constraint holds wins (a start date passed, or a daily UTC window that
 * contains the moment), else the first entry.
 */
function activePrice(
  info: ModelInfo,
  at: Date,
): { prices: ModelPrice; index: number; validFrom?: number } {
  if (!Array.isArray(info.prices)) return { prices: info.prices, index: 0 };

  const entries = info.prices as ConditionalPrice[];
  for (let index = entries.length - 1; index >= 0; index--) {
    const entry = entries[index]!;
    const constraint = entry.constraint;
    if (constraint === undefined) return { prices: entry.prices, index };
    if (constraint.type === 'start_date') {
      const start = Date.parse(`${constraint.start_date}T00:00:00Z`);
      if (at.getTime() >= start) return { prices: entry.prices, index, validFrom: start };
    } else if (withinDailyWindow(at, constraint.start_time, constraint.end_time)) {
      return { prices: entry.prices, index };
    }
  }
  return { prices: entries[0]!.prices, index: 0 };
}

function withinDailyWindow(at: Date, start: string, end: string): boolean {
  const seconds =
    at.getUTCHours() * 3600 +
    at.getUTCMinutes() * 60 +
    at.getUTCSeconds() +
    at.getUTCMilliseconds() / 1000;
  const from = clockSeconds(start);
  const to = clockSeconds(end);
  return to < from ? seconds >= from || seconds < to : seconds >= from && seconds < to;
}

/**
 * Seconds since midnight UTC of a catalogue time of day: `HH:MM:SS`, an
 * optional fraction, then `Z` or an offset (`00:30:00Z`, `08:30:00+08:00`).
 */
export function clockSeconds(clock: string): number {
  const match = /^(\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(?:Z|([+-])(\d{2}):(\d{2}))$/.exec(clock);
  if (!match) throw new RangeError(`catalogue time of day '${clock}' is not HH:MM:SS with a zone`);
  const [, hours, minutes, seconds, fraction = '', sign, offsetHours = '0', offsetMinutes = '0'] =
    match;
  const local =
    Number(hours) * 3600 + Number(minutes) * 60 + Number(seconds) + Number(`0.${fraction}`);
  const offset = (Number(offsetHours) * 60 + Number(offsetMinutes)) * 60;
  const utc = local - (sign === '-' ? -offset : sign === '+' ? offset : 0);
  return (utc + 86_400) % 86_400;
}

/** Splits the catalogue's per-key tiers into base prices and whole-call tiers. */
function toClassPrices(prices: ModelPrice): { base: ClassPrices; tiers: PriceTier[] } {
  const base: ClassPrices = {};
  const tiers = new Map<number, ClassPrices>();

  for (const [key, value] of Object.entries(prices)) {
    const unit = CATALOG_KEYS[key];
    if (!unit || value === undefined) continue;
    const ours = (price: number) => moneyFromCatalogFloat(price).dividedBy(unit.divisor);

    if (typeof value === 'number') {
      base[unit.field] = ours(value);
      continue;
    }
    const tiered = value as TieredPrices;
    base[unit.field] = ours(tiered.base);
    for (const tier of tiered.tiers) {
      const entry = tiers.get(tier.start) ?? {};
      entry[unit.field] = ours(tier.price);
      tiers.set(tier.start, entry);
    }
  }

  const ordered = [...tiers.entries()].sort(([a], [b]) => a - b);
  return {
    base,
    tiers: ordered.map(([aboveInputTokens, tierPrices]) => ({
      aboveInputTokens,
      prices: tierPrices,
    })),
  };
}
