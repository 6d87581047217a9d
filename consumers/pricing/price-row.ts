import type { Money } from '../../lib/money.ts';

/**
 * Prices of one model in USD per million tokens of each class, and
 * `perRequest` in USD per request. A class without an entry has no price of
 * its own (see cost.ts for what that means).
 */
export interface ClassPrices {
  input?: Money;
  cacheRead?: Money;
  cacheWrite5m?: Money;
  cacheWrite1h?: Money;
  output?: Money;
  reasoning?: Money;
  audioInput?: Money;
  audioOutput?: Money;
  perRequest?: Money;
}

export const PRICE_FIELDS = [
  'input',
  'cacheRead',
  'cacheWrite5m',
  'cacheWrite1h',
  'output',
  'reasoning',
  'audioInput',
  'audioOutput',
  'perRequest',
] as const satisfies readonly (keyof ClassPrices)[];

/** Prices that replace the base ones when a call's total input is above a threshold. */
export interface PriceTier {
  aboveInputTokens: number;
  prices: ClassPrices;
}

/** One price in force for a model over a time range, from the catalogue or an override. */
export interface PriceRow {
  /** `genai-prices@0.1.8`, or `overrides:<file name>#<entry index>`. */
  source: string;
  provider: string;
  model: string;
  tenantId?: string;
  serviceTier?: string;
  /** Inclusive, milliseconds UTC; undefined: since always. */
  validFrom?: number;
  /** Exclusive; undefined: until further notice. */
  validTo?: number;
  prices: ClassPrices;
  /** Ascending by threshold. */
  tiers: PriceTier[];
  /**
   * The catalogue's price keys for usage our token classes do not carry
   * (image or video tokens, cached audio, web searches …): see
   * unmodelled-usage.ts for what they mean for a call.
   */
  unmodelled?: string[];
}

/** The name of a price row as stored in llm_calls.price_version. */
export function priceVersion(row: PriceRow): string {
  const since = row.validFrom === undefined ? 'base' : new Date(row.validFrom).toISOString();
  const tenant = row.tenantId ? `;tenant=${row.tenantId}` : '';
  const tier = row.serviceTier ? `;tier=${row.serviceTier}` : '';
  return `${row.source}:${row.provider}/${row.model}@${since}${tenant}${tier}`;
}
