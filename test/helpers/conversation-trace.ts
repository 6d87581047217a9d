import path from 'node:path';
import { expect } from 'vitest';
import type { ClickHouseStore } from '../../clickhouse/client.ts';
import type { ReplayOptions } from '../../cli/replay/azure-trace.ts';
import { packageRoot } from '../../lib/config.ts';
import { scaled, tokenCost } from './decimal.ts';
import { queryRows } from './infra.ts';

/** The Azure conversation trace the pipeline tests replay. */
export const CONV_TRACE = path.join(
  packageRoot,
  'data/azure-llm-inference-2023/AzureLLMInferenceTrace_conv.csv',
);

export const CONV_OPTIONS: ReplayOptions = {
  provider: 'openai',
  model: 'gpt-4o',
  touchpoint: 'main-chat',
  tenants: 5,
  users: 20,
  rebase: 'now',
  shiftDays: 0,
};

/**
 * What the trace costs as gpt-4o, from its published token totals (SOURCE.md)
 * and gpt-4o's prices, computed here and not by the code under test:
 * 22,361,870 input tokens at 2.50 and 4,088,665 output tokens at 10.00 per million.
 */
export const CONV_TRACE_CALLS = 19_366;
export const CONV_TRACE_COST = tokenCost(22_361_870n, '2.50') + tokenCost(4_088_665n, '10.00');

/**
 * Every call of the trace stored once, in llm_calls and in both rollups, at
 * exactly the trace's cost.
 */
export async function expectConvTraceStoredOnce(store: ClickHouseStore): Promise<void> {
  const [raw] = await queryRows(
    store,
    'SELECT count() AS n, uniqExact(event_id) AS ids, sum(cost_usd) AS cost FROM llm_calls',
  );
  const [daily] = await queryRows(
    store,
    'SELECT sum(requests) AS n, sum(cost_usd) AS cost FROM cost_daily',
  );
  const [quarter] = await queryRows(
    store,
    'SELECT sum(requests) AS n, sum(cost_usd) AS cost FROM cost_15m',
  );

  const calls = CONV_TRACE_CALLS;
  expect([Number(raw!.n), Number(raw!.ids), Number(daily!.n), Number(quarter!.n)]).toEqual([
    calls,
    calls,
    calls,
    calls,
  ]);
  expect([scaled(raw!.cost!), scaled(daily!.cost!), scaled(quarter!.cost!)]).toEqual([
    CONV_TRACE_COST,
    CONV_TRACE_COST,
    CONV_TRACE_COST,
  ]);
}
