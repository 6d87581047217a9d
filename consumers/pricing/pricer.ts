import { fitsCostColumn, formatCost } from '../../lib/money.ts';
import type { LlmCall } from '../../schemas/llm-call.ts';
import type { PricedCall } from '../../schemas/priced-call.ts';
import { computeCost, zeroCost, type CostBreakdown, type CostResult } from './cost.ts';
import { unmodelledUsage } from './unmodelled-usage.ts';
import type { PriceBook } from './price-book.ts';
import { priceVersion } from './price-row.ts';

/**
 * Prices one call at the price in force when it occurred. A call that cannot
 * be priced keeps cost 0 with its status and reason, so that it is stored,
 * counted as unpriced and can be priced later by a correction.
 */
export function priceCall(call: LlmCall, book: PriceBook, pricedAt: number): PricedCall {
  const base = { call, kind: 'call' as const, correctsEventId: null, correction: null, pricedAt };
  if (call.usageStatus === 'missing') {
    return {
      ...base,
      pricingStatus: 'usage_missing',
      priceVersion: '',
      unpricedReason: 'the final usage of this streamed call never arrived',
      cost: costText(zeroCost()),
    };
  }

  const lookup = book.lookup({ ...call });
  if (!lookup.row) {
    return {
      ...base,
      pricingStatus: 'unpriced',
      priceVersion: '',
      unpricedReason: lookup.reason,
      cost: costText(zeroCost()),
    };
  }

  const version = priceVersion(lookup.row);
  const missing = unmodelledUsage(call, lookup.row);
  const result: CostResult = missing
    ? { status: 'unpriced', reason: missing }
    : computeCost(call.usage, call.requestCount, lookup.row);
  if (result.status === 'unpriced') {
    return {
      ...base,
      pricingStatus: 'unpriced',
      priceVersion: version,
      unpricedReason: result.reason,
      cost: costText(zeroCost()),
    };
  }
  if (!fitsCostColumn(result.cost.total)) {
    return {
      ...base,
      pricingStatus: 'unpriced',
      priceVersion: version,
      unpricedReason:
        `a cost of ${result.cost.total.toFixed()} USD does not fit the cost ` +
        'columns; check the price and the token counts',
      cost: costText(zeroCost()),
    };
  }
  const tier = result.tierAboveInputTokens;
  return {
    ...base,
    pricingStatus: 'priced',
    priceVersion: tier === undefined ? version : `${version};above=${tier}`,
    unpricedReason: null,
    cost: costText(result.cost),
  };
}

export function costText(cost: CostBreakdown): PricedCall['cost'] {
  return {
    inputUsd: formatCost(cost.input),
    cacheReadUsd: formatCost(cost.cacheRead),
    cacheWriteUsd: formatCost(cost.cacheWrite),
    cacheWrite1hUsd: formatCost(cost.cacheWrite1h),
    outputUsd: formatCost(cost.output),
    reasoningUsd: formatCost(cost.reasoning),
    audioInputUsd: formatCost(cost.audioInput),
    audioOutputUsd: formatCost(cost.audioOutput),
    requestUsd: formatCost(cost.request),
    totalUsd: formatCost(cost.total),
  };
}
