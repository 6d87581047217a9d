import type { LlmCall } from './llm-call.ts';

export type PricingStatus = 'priced' | 'unpriced' | 'usage_missing';

/** A call as priced and stored (the Avro record of schemas/priced-call.v1.avsc). */
export interface PricedCall {
  call: LlmCall;
  kind: 'call' | 'correction';
  correctsEventId: string | null;
  pricingStatus: PricingStatus;
  priceVersion: string;
  unpricedReason: string | null;
  /** USD, exact decimal strings. */
  cost: {
    inputUsd: string;
    cacheReadUsd: string;
    cacheWriteUsd: string;
    cacheWrite1hUsd: string;
    outputUsd: string;
    reasoningUsd: string;
    audioInputUsd: string;
    audioOutputUsd: string;
    requestUsd: string;
    totalUsd: string;
  };
  /** Set on corrections only (kind `correction`). */
  correction: {
    previousPriceVersion: string;
    previousPricingStatus: PricingStatus;
    /** Change of unpriced requests and tokens: negative when a correction prices them. */
    unpricedRequests: number;
    unpricedTokens: number;
  } | null;
  pricedAt: number;
}
