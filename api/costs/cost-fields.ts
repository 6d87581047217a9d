/**
 * What a cost query can group by, in the order that rows and CSV columns
 * list them. `day`, `week` (ISO, from Monday) and `month` are calendar
 * periods of the requested time zone.
 */
export const DIMENSIONS = [
  'day',
  'week',
  'month',
  'tenant',
  'user',
  'provider',
  'model',
  'touchpoint',
] as const;
export type Dimension = (typeof DIMENSIONS)[number];

export const GRANULARITIES = ['day', 'week', 'month'] as const;
export type Granularity = (typeof GRANULARITIES)[number];

/** True for the dimensions that are calendar periods. */
export function isGranularity(dimension: Dimension): dimension is Granularity {
  return (GRANULARITIES as readonly string[]).includes(dimension);
}

/** The name of a dimension's column in JSON rows and CSV. */
export const DIMENSION_COLUMNS: Record<Dimension, string> = {
  day: 'day',
  week: 'week',
  month: 'month',
  tenant: 'tenantId',
  user: 'userId',
  provider: 'provider',
  model: 'model',
  touchpoint: 'touchpoint',
};

/** A summed measure: its column in rows and CSV, and the rollup column it sums. */
export interface Measure {
  column: string;
  rollup: string;
  kind: 'money' | 'count';
}

/**
 * The measures of every row, in column order: cost, requests, each token
 * class of CONTRACTS.md, and the requests and tokens whose cost is unknown
 * (a row with unpriced requests is incomplete: its cost is a lower bound).
 */
export const MEASURES: readonly Measure[] = [
  { column: 'totalCostUsd', rollup: 'cost_usd', kind: 'money' },
  { column: 'requestCount', rollup: 'requests', kind: 'count' },
  { column: 'inputTokens', rollup: 'input_tokens', kind: 'count' },
  { column: 'cacheReadTokens', rollup: 'cache_read_tokens', kind: 'count' },
  { column: 'cacheWriteTokens', rollup: 'cache_write_tokens', kind: 'count' },
  { column: 'cacheWrite1hTokens', rollup: 'cache_write_1h_tokens', kind: 'count' },
  { column: 'outputTokens', rollup: 'output_tokens', kind: 'count' },
  { column: 'reasoningTokens', rollup: 'reasoning_tokens', kind: 'count' },
  { column: 'audioInputTokens', rollup: 'audio_input_tokens', kind: 'count' },
  { column: 'audioOutputTokens', rollup: 'audio_output_tokens', kind: 'count' },
  { column: 'unpricedRequests', rollup: 'unpriced_requests', kind: 'count' },
  { column: 'unpricedTokens', rollup: 'unpriced_tokens', kind: 'count' },
];

/** Token classes whose sum is a row's total tokens (for cost per 1k tokens). */
export const TOKEN_COLUMNS = MEASURES.filter((m) => m.column.endsWith('Tokens'))
  .map((m) => m.column)
  .filter((column) => column !== 'unpricedTokens');

/**
 * Puts requested dimensions in column order. A user id is only unique
 * within its tenant, so grouping by user always groups by tenant too.
 */
export function normalizeDimensions(requested: readonly Dimension[]): Dimension[] {
  const wanted = new Set(requested);
  if (wanted.has('user')) wanted.add('tenant');
  return DIMENSIONS.filter((dimension) => wanted.has(dimension));
}
