import { Money } from '../../lib/money.ts';
import type { LlmCall } from '../../schemas/llm-call.ts';
import { totalTokens } from '../../schemas/llm-call.ts';
import type { PricedCall, PricingStatus } from '../../schemas/priced-call.ts';
import { uuidFrom } from '../../lib/ids.ts';

/** What llm_calls holds for one call so far: its own row plus every correction of it. */
export interface StoredCall {
  call: LlmCall;
  pricingStatus: PricingStatus;
  priceVersion: string;
  /** Sums over the call row and its corrections, USD. */
  cost: PricedCall['cost'];
  /** How many corrections of the call are stored already. */
  corrections: number;
}

type CostKey = keyof PricedCall['cost'];

const COST_KEYS: CostKey[] = [
  'inputUsd',
  'cacheReadUsd',
  'cacheWriteUsd',
  'cacheWrite1hUsd',
  'outputUsd',
  'reasoningUsd',
  'audioInputUsd',
  'audioOutputUsd',
  'requestUsd',
  'totalUsd',
];

/**
 * The correction that brings a stored call to its new pricing, or undefined
 * when nothing changes. A correction carries the difference of every cost
 * class and of the unpriced counts, so that sums over llm_calls and the
 * rollups equal the new pricing without touching a stored row. Repricing
 * twice with the same prices adds nothing: the second time there is no
 * difference left.
 */
export function correctionFor(
  stored: StoredCall,
  repriced: PricedCall,
  correctedAt: number,
): PricedCall | undefined {
  if (repriced.pricingStatus === 'usage_missing') return undefined;
  const wasPriced = stored.pricingStatus === 'priced';
  const isPriced = repriced.pricingStatus === 'priced';
  const sameMoney = COST_KEYS.every((key) =>
    new Money(stored.cost[key]).equals(new Money(repriced.cost[key])),
  );
  if (wasPriced === isPriced && sameMoney) return undefined;

  const delta = Object.fromEntries(
    COST_KEYS.map((key) => [
      key,
      new Money(repriced.cost[key]).minus(new Money(stored.cost[key])).toFixed(),
    ]),
  ) as PricedCall['cost'];
  const { call } = stored;
  const requests = (isPriced ? 0 : call.requestCount) - (wasPriced ? 0 : call.requestCount);
  const tokens = totalTokens(call.usage);
  const unpricedTokens = (isPriced ? 0 : tokens) - (wasPriced ? 0 : tokens);

  return {
    call: {
      ...call,
      // The n-th correction of a call has one id, whoever computes it: two
      // repricers racing store it once, and a price that comes back after
      // being taken away gets a correction of its own.
      eventId: uuidFrom(`correction|${call.eventId}|${stored.corrections + 1}`),
      usage: Object.fromEntries(Object.keys(call.usage).map((k) => [k, 0])) as LlmCall['usage'],
      attributes: { ...call.attributes, correctedAt: new Date(correctedAt).toISOString() },
    },
    kind: 'correction',
    correctsEventId: call.eventId,
    pricingStatus: repriced.pricingStatus,
    priceVersion: repriced.priceVersion,
    unpricedReason: repriced.unpricedReason,
    cost: delta,
    correction: {
      previousPriceVersion: stored.priceVersion,
      previousPricingStatus: stored.pricingStatus,
      unpricedRequests: requests,
      unpricedTokens,
    },
    pricedAt: correctedAt,
  };
}
