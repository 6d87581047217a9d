import path from 'node:path';
import type { Kafka } from 'kafkajs';
import type { ClickHouseStore } from '../clickhouse/client.ts';
import { packageRoot } from '../lib/config.ts';
import { waitForCatchUp } from '../infra/consumer-lag.ts';
import type { TopicNames } from '../infra/topics.ts';
import { replayTrace } from './replay/replay-trace.ts';
import type { ReplayOptions } from './replay/azure-trace.ts';
import type { Runtime } from './runtime.ts';
import { renderTable } from './table.ts';

const TRACES = path.join(packageRoot, 'data', 'azure-llm-inference-2023');

/** The two bundled traces, as the README describes them. */
const DEMO_REPLAYS: { file: string; options: ReplayOptions }[] = [
  {
    file: path.join(TRACES, 'AzureLLMInferenceTrace_conv.csv'),
    options: {
      provider: 'openai',
      model: 'gpt-4o',
      touchpoint: 'main-chat',
      tenants: 5,
      users: 20,
      rebase: 'now',
      shiftDays: 0,
    },
  },
  {
    file: path.join(TRACES, 'AzureLLMInferenceTrace_code.csv'),
    options: {
      provider: 'anthropic',
      model: 'claude-sonnet-4-5',
      touchpoint: 'compliance-engine',
      tenants: 5,
      users: 20,
      rebase: 'now',
      shiftDays: 0,
    },
  },
];

/**
 * Replays both bundled traces, waits until the pricing consumer has stored
 * them, and prints what was ingested and what it cost. A second run adds
 * nothing (same event ids), and says so.
 */
export async function runDemo(
  runtime: Runtime,
  kafka: Kafka,
  store: ClickHouseStore,
  topics: TopicNames,
  groupId: string,
): Promise<void> {
  const before = await storedCalls(store);
  let published = 0;
  for (const replay of DEMO_REPLAYS) {
    const result = await replayTrace(kafka, topics, replay.file, replay.options, runtime.logger);
    published += result.events;
  }

  const admin = kafka.admin();
  await admin.connect();
  try {
    const caughtUp = await waitForCatchUp(admin, groupId, topics.calls, { timeoutMs: 300_000 });
    if (!caughtUp) runtime.logger.warn('pricing has not caught up after 5 minutes');
  } finally {
    await admin.disconnect();
  }

  const added = (await storedCalls(store)) - before;
  const result = await store.client.query({
    query: `SELECT touchpoint, provider, model, count() AS calls,
              sum(input_tokens) AS input_tokens, sum(output_tokens) AS output_tokens,
              sum(cost_usd) AS cost_usd
            FROM llm_calls WHERE kind = 'call'
            GROUP BY touchpoint, provider, model ORDER BY touchpoint`,
    format: 'JSONEachRow',
  });
  const rows = await result.json<Record<string, unknown>>();
  const columns = [
    'touchpoint',
    'provider',
    'model',
    'calls',
    'input_tokens',
    'output_tokens',
    'cost_usd',
  ];
  process.stdout.write(
    `\nReplayed ${published.toLocaleString('en-US')} calls: ` +
      `${added.toLocaleString('en-US')} new, ` +
      `${(published - added).toLocaleString('en-US')} already stored.\n`,
  );
  process.stdout.write(`Stored in llm_calls:\n${renderTable(columns, rows)}\n\n`);
}

async function storedCalls(store: ClickHouseStore): Promise<number> {
  const result = await store.client.query({
    query: "SELECT count() AS n FROM llm_calls WHERE kind = 'call'",
    format: 'JSONEachRow',
  });
  const [row] = await result.json<{ n: string | number }>();
  return Number(row?.n ?? 0);
}
