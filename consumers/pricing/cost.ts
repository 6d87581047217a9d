import { MILLION, Money, ZERO } from '../../lib/money.ts';
import { totalInputTokens, type TokenClass, type TokenUsage } from '../../schemas/llm-call.ts';
import type { ClassPrices, PriceRow, PriceTier } from './price-row.ts';

/** The cost of one call, class by class, in USD. */
export interface CostBreakdown {
  input: Money;
  cacheRead: Money;
  cacheWrite: Money;
  cacheWrite1h: Money;
  output: Money;
  reasoning: Money;
  audioInput: Money;
  audioOutput: Money;
  request: Money;
  total: Money;
}

export type CostResult =
  | { status: 'priced'; cost: CostBreakdown; tierAboveInputTokens?: number }
  | { status: 'unpriced'; reason: string };

/** Which price field bills which token class. */
export const PRICE_OF_CLASS: Record<TokenClass, keyof ClassPrices> = {
  inputTokens: 'input',
  cacheReadTokens: 'cacheRead',
  cacheWriteTokens: 'cacheWrite5m',
  cacheWrite1hTokens: 'cacheWrite1h',
  outputTokens: 'output',
  reasoningTokens: 'reasoning',
  audioInputTokens: 'audioInput',
  audioOutputTokens: 'audioOutput',
};

const COST_OF_CLASS: Record<TokenClass, Exclude<keyof CostBreakdown, 'request' | 'total'>> = {
  inputTokens: 'input',
  cacheReadTokens: 'cacheRead',
  cacheWriteTokens: 'cacheWrite',
  cacheWrite1hTokens: 'cacheWrite1h',
  outputTokens: 'output',
  reasoningTokens: 'reasoning',
  audioInputTokens: 'audioInput',
  audioOutputTokens: 'audioOutput',
};

/**
 * The prices that apply to a call: the row's base prices, overlaid in turn by
 * every tier (in ascending order) whose threshold the call's total input per
 * request strictly exceeds. A class priced only by a lower tier keeps that
 * price above the higher tier's threshold instead of falling back to base.
 */
export function effectivePrices(
  usage: TokenUsage,
  requestCount: number,
  row: PriceRow,
): { prices: ClassPrices; tier?: PriceTier } {
  const inputPerRequest = totalInputTokens(usage) / requestCount;
  const reached = row.tiers.filter((t) => inputPerRequest > t.aboveInputTokens);
  const prices = Object.assign({}, row.prices, ...reached.map((t) => t.prices)) as ClassPrices;
  return { prices, tier: reached.at(-1) };
}

export function zeroCost(): CostBreakdown {
  return {
    input: ZERO,
    cacheRead: ZERO,
    cacheWrite: ZERO,
    cacheWrite1h: ZERO,
    output: ZERO,
    reasoning: ZERO,
    audioInput: ZERO,
    audioOutput: ZERO,
    request: ZERO,
    total: ZERO,
  };
}

/**
 * Prices a call with one price row: tokens of each class times that class's
 * price per million, plus the per-request fee. The tier whose threshold the
 * call's total input strictly exceeds prices the whole call (a call of
 * several requests is judged by its average request). Reasoning without a
 * price of its own is billed as output; any other class with tokens but no
 * price leaves the call unpriced, naming the class.
 */
export function computeCost(usage: TokenUsage, requestCount: number, row: PriceRow): CostResult {
  const { prices, tier } = effectivePrices(usage, requestCount, row);

  const cost = zeroCost();
  for (const tokenClass of Object.keys(PRICE_OF_CLASS) as TokenClass[]) {
    const tokens = usage[tokenClass];
    if (tokens === 0) continue;

    const field = PRICE_OF_CLASS[tokenClass];
    const price = prices[field] ?? (field === 'reasoning' ? prices.output : undefined);
    if (price === undefined) {
      return {
        status: 'unpriced',
        reason: `no ${field} price for ${row.provider}/${row.model} (${tokens} ${tokenClass})`,
      };
    }
    cost[COST_OF_CLASS[tokenClass]] = new Money(tokens).times(price).dividedBy(MILLION);
  }
  cost.request = (prices.perRequest ?? ZERO).times(requestCount);

  cost.total = Object.values(COST_OF_CLASS)
    .reduce((sum, key) => sum.plus(cost[key]), ZERO)
    .plus(cost.request);
  return { status: 'priced', cost, tierAboveInputTokens: tier?.aboveInputTokens };
}
