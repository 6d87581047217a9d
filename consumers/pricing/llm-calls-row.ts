import { totalTokens } from '../../schemas/llm-call.ts';
import type { PricedCall } from '../../schemas/priced-call.ts';

/** One row of llm_calls, in the column names analysts query. */
export type LlmCallRow = ReturnType<typeof toLlmCallRow>;

/**
 * Maps a priced call to its llm_calls row. Costs travel as exact decimal
 * strings, which ClickHouse parses into the Decimal columns without loss;
 * timestamps as epoch milliseconds.
 */
export function toLlmCallRow(priced: PricedCall, ingestedAt: number) {
  const { call, cost, correction } = priced;
  const unpriced = priced.pricingStatus !== 'priced';
  // A correction moves money and unpriced counts only: its tokens and
  // requests are already counted by the call it corrects.
  const requests = correction ? 0 : call.requestCount;
  const unpricedRequests = correction ? correction.unpricedRequests : unpriced ? requests : 0;
  const unpricedTokens = correction
    ? correction.unpricedTokens
    : unpriced
      ? totalTokens(call.usage)
      : 0;
  return {
    event_id: call.eventId,
    kind: priced.kind,
    corrects_event_id: priced.correctsEventId ?? '',
    occurred_at: call.occurredAt,
    ingested_at: ingestedAt,
    tenant_id: call.tenantId,
    user_id: call.userId,
    conversation_id: call.conversationId ?? '',
    touchpoint: call.touchpoint,
    provider: call.provider,
    model: call.model,
    service_tier: call.serviceTier,
    input_tokens: call.usage.inputTokens,
    cache_read_tokens: call.usage.cacheReadTokens,
    cache_write_tokens: call.usage.cacheWriteTokens,
    cache_write_1h_tokens: call.usage.cacheWrite1hTokens,
    output_tokens: call.usage.outputTokens,
    reasoning_tokens: call.usage.reasoningTokens,
    audio_input_tokens: call.usage.audioInputTokens,
    audio_output_tokens: call.usage.audioOutputTokens,
    request_count: requests,
    duration_ms: call.durationMs ?? 0,
    success: call.success,
    error_type: call.errorType ?? '',
    input_cost_usd: cost.inputUsd,
    cache_read_cost_usd: cost.cacheReadUsd,
    cache_write_cost_usd: cost.cacheWriteUsd,
    cache_write_1h_cost_usd: cost.cacheWrite1hUsd,
    output_cost_usd: cost.outputUsd,
    reasoning_cost_usd: cost.reasoningUsd,
    audio_input_cost_usd: cost.audioInputUsd,
    audio_output_cost_usd: cost.audioOutputUsd,
    request_cost_usd: cost.requestUsd,
    cost_usd: cost.totalUsd,
    pricing_status: priced.pricingStatus,
    price_version: priced.priceVersion,
    unpriced_reason: priced.unpricedReason ?? '',
    unpriced_requests: unpricedRequests,
    unpriced_tokens: unpricedTokens,
    attributes: call.attributes,
  };
}
