import fs from 'node:fs';
import path from 'node:path';
import { calcPrice } from '@pydantic/genai-prices';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { replayTrace } from '../cli/replay/replay-trace.ts';
import type { PricingConsumer } from '../consumers/pricing/pricing-consumer.ts';
import type { TopicNames } from '../infra/topics.ts';
import { packageRoot } from '../lib/config.ts';
import { scaled, tokenCost, unscaled } from './helpers/decimal.ts';
import {
  freshStore,
  freshTopics,
  queryRows,
  testKafka,
  testLogger,
  waitFor,
  waitForLag0,
} from './helpers/infra.ts';
import { startPricingConsumer } from './helpers/pipeline.ts';

const TRACE = path.join(
  packageRoot,
  'data/azure-llm-inference-2023/AzureLLMInferenceTrace_conv.csv',
);
const OPTIONS = {
  provider: 'openai',
  model: 'gpt-4o',
  touchpoint: 'main-chat',
  tenants: 5,
  users: 20,
  rebase: 'now' as const,
  shiftDays: 0,
};

/** The trace's token sums, read here with a parser of the test's own. */
function traceTotals(): { rows: number; input: bigint; output: bigint } {
  const lines = fs.readFileSync(TRACE, 'utf8').trim().split('\n').slice(1);
  let input = 0n;
  let output = 0n;
  for (const line of lines) {
    const [, context, generated] = line.split(',');
    input += BigInt(context!);
    output += BigInt(generated!);
  }
  return { rows: lines.length, input, output };
}

describe('the conversation trace through the real pipeline', () => {
  const kafka = testKafka();
  let store: Awaited<ReturnType<typeof freshStore>>;
  let topics: TopicNames;
  let consumer: PricingConsumer;

  beforeAll(async () => {
    store = await freshStore();
    topics = await freshTopics(kafka);
    consumer = await startPricingConsumer(kafka, store, topics);
  });

  afterAll(async () => {
    await consumer?.stop();
    await store?.close();
  });

  it('stores every call once and costs exactly tokens × catalogue price', async () => {
    await replayTrace(kafka, topics, TRACE, OPTIONS, testLogger);
    const totals = traceTotals();
    await waitFor('all calls in llm_calls', async () => {
      const [row] = await queryRows(store, 'SELECT count() AS n FROM llm_calls');
      return Number(row?.n) === totals.rows ? true : undefined;
    });

    const price = calcPrice({}, 'gpt-4o', { providerId: 'openai' })!.model_price;
    const expected =
      tokenCost(totals.input, String(price.input_mtok)) +
      tokenCost(totals.output, String(price.output_mtok));
    expect(unscaled(expected)).toBe('96.791325');

    const [raw] = await queryRows(
      store,
      'SELECT count() AS n, sum(cost_usd) AS cost, sum(input_tokens) AS input FROM llm_calls',
    );
    const [daily] = await queryRows(
      store,
      'SELECT sum(cost_usd) AS cost, sum(requests) AS n ' + 'FROM cost_daily',
    );
    const [quarter] = await queryRows(store, 'SELECT sum(cost_usd) AS cost FROM cost_15m');
    expect(Number(raw!.n)).toBe(19_366);
    expect(BigInt(raw!.input!)).toBe(totals.input);
    expect(scaled(raw!.cost!)).toBe(expected);
    expect(scaled(daily!.cost!)).toBe(expected);
    expect(Number(daily!.n)).toBe(19_366);
    expect(scaled(quarter!.cost!)).toBe(expected);
  });

  it('adds nothing when the same trace is replayed again', async () => {
    await replayTrace(kafka, topics, TRACE, OPTIONS, testLogger);
    const admin = kafka.admin();
    await admin.connect();
    await waitForLag0(admin, `${topics.calls}.pricing`, topics.calls, 60_000);
    await admin.disconnect();

    const [raw] = await queryRows(store, 'SELECT count() AS n FROM llm_calls');
    const [daily] = await queryRows(store, 'SELECT sum(requests) AS n FROM cost_daily');
    expect(Number(raw!.n)).toBe(19_366);
    expect(Number(daily!.n)).toBe(19_366);
    expect(consumer.stats.duplicates).toBeGreaterThanOrEqual(19_366);
  });
});
