import type { ClickHouseClient } from '../../clickhouse/client.ts';
import { classifyClickHouseError } from '../../clickhouse/errors.ts';
import { Money } from '../../lib/money.ts';
import type { LlmCall, ServiceTier } from '../../schemas/llm-call.ts';
import type { PricedCall, PricingStatus } from '../../schemas/priced-call.ts';
import type { StoredCall } from './corrections.ts';

/** The cost columns of llm_calls, by the field of PricedCall['cost'] they hold. */
const COST_COLUMNS: Record<keyof PricedCall['cost'], string> = {
  inputUsd: 'input_cost_usd',
  cacheReadUsd: 'cache_read_cost_usd',
  cacheWriteUsd: 'cache_write_cost_usd',
  cacheWrite1hUsd: 'cache_write_1h_cost_usd',
  outputUsd: 'output_cost_usd',
  reasoningUsd: 'reasoning_cost_usd',
  audioInputUsd: 'audio_input_cost_usd',
  audioOutputUsd: 'audio_output_cost_usd',
  requestUsd: 'request_cost_usd',
  totalUsd: 'cost_usd',
};

const costSums = Object.values(COST_COLUMNS)
  .map((c) => `sum(${c}) AS ${c}`)
  .join(', ');

/**
 * The calls stored with an occurred_at in [from, to), each with the sum of
 * its row and its corrections: what llm_calls says the call costs now.
 */
export async function readStoredCalls(
  client: ClickHouseClient,
  range: { from: number; to: number; tenantId?: string },
): Promise<StoredCall[]> {
  const params = { from: range.from, to: range.to, tenant: range.tenantId ?? '' };
  const where =
    'occurred_at >= fromUnixTimestamp64Milli({from:Int64}) AND ' +
    "occurred_at < fromUnixTimestamp64Milli({to:Int64}) AND ({tenant:String} = '' OR " +
    'tenant_id = {tenant:String})';
  try {
    const calls = await rows(
      client,
      `SELECT *, toUnixTimestamp64Milli(occurred_at) AS at_ms
      FROM llm_calls WHERE kind = 'call' AND ${where}`,
      params,
    );
    const corrections = await rows(
      client,
      `SELECT corrects_event_id, ${costSums},
      argMax(pricing_status, ingested_at) AS pricing_status,
      argMax(price_version, ingested_at) AS price_version, count() AS corrections
      FROM llm_calls WHERE kind = 'correction' AND ${where} GROUP BY corrects_event_id`,
      params,
    );
    const byCall = new Map(corrections.map((row) => [row.corrects_event_id as string, row]));
    return calls.map((row) => toStoredCall(row, byCall.get(row.event_id as string)));
  } catch (error) {
    throw classifyClickHouseError(error, { table: 'llm_calls' });
  }
}

/**
 * When the first and last stored calls of [from, to) happened, so that a
 * long range costs only the days that hold calls; undefined when none does.
 */
export async function storedCallSpan(
  client: ClickHouseClient,
  range: { from: number; to: number; tenantId?: string },
): Promise<{ first: number; last: number } | undefined> {
  try {
    const [span] = await rows(
      client,
      `SELECT count() AS n,
        toUnixTimestamp64Milli(min(occurred_at)) AS first,
        toUnixTimestamp64Milli(max(occurred_at)) AS last
      FROM llm_calls WHERE kind = 'call'
        AND occurred_at >= fromUnixTimestamp64Milli({from:Int64})
        AND occurred_at < fromUnixTimestamp64Milli({to:Int64})
        AND ({tenant:String} = '' OR tenant_id = {tenant:String})`,
      { from: range.from, to: range.to, tenant: range.tenantId ?? '' },
    );
    if (!span || Number(span.n) === 0) return undefined;
    return { first: Number(span.first), last: Number(span.last) };
  } catch (error) {
    throw classifyClickHouseError(error, { table: 'llm_calls' });
  }
}

async function rows(
  client: ClickHouseClient,
  query: string,
  params: Record<string, unknown>,
): Promise<Record<string, unknown>[]> {
  const result = await client.query({ query, query_params: params, format: 'JSONEachRow' });
  return result.json<Record<string, unknown>>();
}

function toStoredCall(
  row: Record<string, unknown>,
  corrections: Record<string, unknown> | undefined,
): StoredCall {
  const count = (column: string) => Number(row[column]);
  const call: LlmCall = {
    eventId: row.event_id as string,
    occurredAt: Number(row.at_ms),
    tenantId: row.tenant_id as string,
    userId: row.user_id as string,
    conversationId: (row.conversation_id as string) || null,
    touchpoint: row.touchpoint as string,
    provider: row.provider as string,
    model: row.model as string,
    serviceTier: row.service_tier as ServiceTier,
    usage: {
      inputTokens: count('input_tokens'),
      cacheReadTokens: count('cache_read_tokens'),
      cacheWriteTokens: count('cache_write_tokens'),
      cacheWrite1hTokens: count('cache_write_1h_tokens'),
      outputTokens: count('output_tokens'),
      reasoningTokens: count('reasoning_tokens'),
      audioInputTokens: count('audio_input_tokens'),
      audioOutputTokens: count('audio_output_tokens'),
    },
    usageStatus: row.pricing_status === 'usage_missing' ? 'missing' : 'reported',
    unmappedUsage: {},
    requestCount: count('request_count'),
    durationMs: count('duration_ms'),
    success: Boolean(row.success),
    errorType: (row.error_type as string) || null,
    attributes: row.attributes as Record<string, string>,
  };

  const cost = Object.fromEntries(
    Object.entries(COST_COLUMNS).map(([field, column]) => {
      const corrected = corrections ? new Money(corrections[column] as string) : new Money(0);
      return [field, new Money(row[column] as string).plus(corrected).toFixed()];
    }),
  ) as PricedCall['cost'];
  return {
    call,
    cost,
    pricingStatus: (corrections?.pricing_status ?? row.pricing_status) as PricingStatus,
    priceVersion: (corrections?.price_version ?? row.price_version) as string,
    corrections: Number(corrections?.corrections ?? 0),
  };
}
