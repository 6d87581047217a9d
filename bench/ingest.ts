import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { Partitioners, type Kafka } from 'kafkajs';
import { openClickHouse } from '../clickhouse/client.ts';
import { migrate } from '../clickhouse/migrate.ts';
import { createPriceBook } from '../consumers/pricing/create-price-book.ts';
import { toLlmCallRow } from '../consumers/pricing/llm-calls-row.ts';
import { priceCall } from '../consumers/pricing/pricer.ts';
import { ensureTopics, topicNames, topicSpecs } from '../infra/topics.ts';
import type { Logger } from '../lib/logger.ts';
import { Money } from '../lib/money.ts';
import { sleep } from '../lib/retry.ts';
import { CostEventProducer } from '../producers/cost-event-producer.ts';
import { AvroCodec } from '../schemas/codec.ts';
import type { LlmCall } from '../schemas/llm-call.ts';
import { SchemaRegistry } from '../schemas/registry.ts';
import { PricingProcess } from './pipeline-process.ts';
import { figure, type BenchFigure } from './result.ts';
import { workload } from './workload.ts';

export interface IngestContext {
  kafka: Kafka;
  brokers: string;
  logger: Logger;
  say: (line: string) => void;
  /** Node options for the pricing process (a CPU profile, say). */
  nodeArgs: string[];
}

const PARTITIONS = 6;
const SEND_BATCH = 2_000;
const STORE_BLOCK = 10_000;

/**
 * Ingest throughput of the whole pipeline against the ceilings of its two
 * parts, measured in the same run on the same calls: kafkajs moving the
 * encoded events with no work, and ClickHouse taking the priced rows with
 * no pipeline. The pipeline runs as a separate `llmcost pricing` process,
 * whose memory is sampled throughout.
 */
export async function benchIngest(context: IngestContext, count: number): Promise<BenchFigure[]> {
  const run = crypto.randomBytes(3).toString('hex');
  context.say(`generating ${count.toLocaleString('en-US')} calls`);
  const calls = workload(count, run);

  const transport = await transportCeiling(context, calls, run);
  context.say(`transport ceiling: ${Math.round(transport).toLocaleString('en-US')} events/s`);
  const store = await storeCeiling(context, calls);
  context.say(`store ceiling: ${Math.round(store).toLocaleString('en-US')} rows/s`);
  const pipeline = await pipelineThroughput(context, calls, run);
  context.say(
    `pipeline: ${Math.round(pipeline.eventsPerSecond).toLocaleString('en-US')} ` +
      `events/s, peak RSS ${pipeline.peakMiB.toFixed(0)} MiB`,
  );

  const ceiling = Math.min(transport, store);
  const limiting = transport <= store ? 'transport' : 'store';
  return [
    figure({
      id: 'ingest.transport_events_per_s',
      what: 'bare kafkajs produce+consume, no work',
      value: transport,
      unit: 'events/s',
    }),
    figure({
      id: 'ingest.store_rows_per_s',
      what: 'bare ClickHouse insert of the priced rows',
      value: store,
      unit: 'rows/s',
    }),
    figure({
      id: 'ingest.events_per_s',
      what: `SDK → Kafka → pricing → ClickHouse, ${count} calls`,
      value: pipeline.eventsPerSecond,
      unit: 'events/s',
      baseline: { what: `lower ceiling (${limiting})`, value: ceiling },
      target: '≥ 0.5 of the lower ceiling',
      met: pipeline.eventsPerSecond / ceiling >= 0.5,
    }),
    figure({
      id: 'memory.pricing_peak_rss_mib',
      what: 'pricing process peak RSS (store included)',
      value: pipeline.peakMiB,
      unit: 'MiB',
    }),
    figure({
      id: 'memory.pricing_without_store_mib',
      what: 'pricing process peak RSS minus the embedded store’s tracked memory',
      value: pipeline.peakMiB - pipeline.storeMiBAtPeak,
      unit: 'MiB',
      notes: `embedded store ${pipeline.storeMiBAtPeak.toFixed(0)} MiB at the peak`,
      target: '< 300 MiB',
      met: pipeline.peakMiB - pipeline.storeMiBAtPeak < 300,
    }),
  ];
}

async function transportCeiling(context: IngestContext, calls: LlmCall[], run: string) {
  const topic = `bench.transport.${run}`;
  const admin = context.kafka.admin();
  await admin.connect();
  await admin.createTopics({
    topics: [{ topic, numPartitions: PARTITIONS }],
    waitForLeaders: true,
  });
  await admin.disconnect();

  const codec = new AvroCodec<LlmCall>(new SchemaRegistry(), 'llm-call');
  const messages = calls.map((call) => ({ key: call.tenantId, ...codec.encode(call) }));
  const consumer = context.kafka.consumer({ groupId: `bench.transport.${run}` });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  let consumed = 0;
  const allConsumed = new Promise<void>((resolve) => {
    void consumer.run({
      partitionsConsumedConcurrently: 3,
      eachBatch: async ({ batch }) => {
        consumed += batch.messages.length;
        if (consumed >= messages.length) resolve();
      },
    });
  });
  await sleep(1_000);

  const producer = context.kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    createPartitioner: Partitioners.DefaultPartitioner,
  });
  await producer.connect();
  const started = performance.now();
  for (let i = 0; i < messages.length; i += SEND_BATCH) {
    await producer.send({ topic, acks: -1, messages: messages.slice(i, i + SEND_BATCH) });
  }
  await allConsumed;
  const seconds = (performance.now() - started) / 1000;
  await producer.disconnect();
  await consumer.disconnect();
  return messages.length / seconds;
}

async function storeCeiling(context: IngestContext, calls: LlmCall[]) {
  const book = createPriceBook(undefined, context.logger);
  const now = Date.now();
  const lines = calls.map((call) => JSON.stringify(toLlmCallRow(priceCall(call, book, now), now)));
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'llmcost-bench-store-'));
  const store = await openClickHouse({ database: 'default', embeddedPath: dir });
  try {
    await migrate({ client: store.client, logger: context.logger, retentionDays: 90 });
    const started = performance.now();
    for (let i = 0; i < lines.length; i += STORE_BLOCK) {
      const body = lines.slice(i, i + STORE_BLOCK).join('\n') + '\n';
      const result = await store.client.exec({
        query: 'INSERT INTO llm_calls FORMAT JSONEachRow',
        values: Readable.from([body]),
      });
      result.stream.resume();
    }
    return lines.length / ((performance.now() - started) / 1000);
  } finally {
    await store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

async function pipelineThroughput(context: IngestContext, calls: LlmCall[], run: string) {
  const prefix = `bench${run}.`;
  const topics = topicNames(prefix);
  const admin = context.kafka.admin();
  await admin.connect();
  await ensureTopics(admin, topicSpecs(topics, PARTITIONS), context.logger);
  await admin.disconnect();

  const pricing = new PricingProcess(context.brokers, prefix, context.nodeArgs);
  try {
    await pricing.ready();
    const memory = { peakMiB: 0, storeMiBAtPeak: 0 };
    const sampler = setInterval(() => {
      const { rssMiB } = pricing.memory();
      if (rssMiB <= memory.peakMiB) return;
      memory.peakMiB = rssMiB;
      pricing.storeMemoryMiB().then(
        (store) => (memory.storeMiBAtPeak = store),
        () => undefined,
      );
    }, 250);

    const producer = new CostEventProducer({
      kafka: context.kafka,
      topics,
      logger: context.logger,
      maxBatchSize: SEND_BATCH,
      maxBufferedEvents: 50_000,
    });
    const started = performance.now();
    for (let i = 0; i < calls.length; i += SEND_BATCH) {
      await producer.recordMany(calls.slice(i, i + SEND_BATCH));
    }
    await producer.close(600_000);

    let stored = 0;
    let said = 0;
    while (stored < calls.length) {
      await sleep(250);
      const [row] = await pricing.sql<{ n: string }>('SELECT count() AS n FROM llm_calls');
      stored = Number(row?.n ?? 0);
      if (performance.now() - said > 2_000) {
        said = performance.now();
        context.say(
          `  stored ${stored.toLocaleString('en-US')} of ` +
            `${calls.length.toLocaleString('en-US')}`,
        );
      }
    }
    const seconds = (performance.now() - started) / 1000;
    clearInterval(sampler);

    await checkTotal(pricing, calls, context);
    return { eventsPerSecond: calls.length / seconds, ...memory };
  } finally {
    await pricing.stop();
  }
}

/** The benchmark measures a pipeline that is right: its total must be exact. */
async function checkTotal(pricing: PricingProcess, calls: LlmCall[], context: IngestContext) {
  const book = createPriceBook(undefined, context.logger);
  const expected = calls.reduce(
    (sum, call) => sum.plus(priceCall(call, book, Date.now()).cost.totalUsd),
    new Money(0),
  );
  const [row] = await pricing.sql<{ cost: string }>('SELECT sum(cost_usd) AS cost FROM cost_daily');
  if (!new Money(row?.cost ?? '0').equals(expected)) {
    throw new Error(`pipeline total ${row?.cost} differs from the expected ${expected.toFixed()}`);
  }
}
