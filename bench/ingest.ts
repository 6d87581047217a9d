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
import { cpuMeter, mappedResidentMiB } from './process-stats.ts';
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
  /** The broker's process, when the benchmark started it: its CPU time is counted. */
  brokerPid?: number;
}

const PARTITIONS = 6;
/** The embedded ClickHouse engine's library, whose code pages count in the pricing RSS. */
const CHDB_LIBRARY = 'libchdb.so';
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

  const transportRun = await transportCeiling(context, calls, run);
  const transport = transportRun.perSecond;
  context.say(`transport ceiling: ${Math.round(transport).toLocaleString('en-US')} events/s`);
  const storeRun = await storeCeiling(context, calls);
  const store = storeRun.perSecond;
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
      notes: `${transportRun.cpuMicros.toFixed(0)} µs CPU per event (benchmark and broker)`,
    }),
    figure({
      id: 'ingest.store_rows_per_s',
      what: 'bare ClickHouse insert of the priced rows',
      value: store,
      unit: 'rows/s',
      notes: `${storeRun.cpuMicros.toFixed(0)} µs CPU per row`,
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
      notes: `of which the embedded store's code ${pipeline.storeCodeMiBAtPeak.toFixed(0)} MiB`,
    }),
    cpuFigure(pipeline, count),
    figure({
      id: 'memory.pricing_without_store_mib',
      what: 'pricing process peak JavaScript heap and buffers, the store apart',
      value: pipeline.javaScriptPeakMiB,
      unit: 'MiB',
      notes: 'heapTotal + external as the process reports them on /health, every 250 ms',
      target: '< 300 MiB',
      met: pipeline.javaScriptPeakMiB < 300,
    }),
  ];
}

/**
 * Where the CPU went while the pipeline ran: every part shares this
 * machine's cores, so their sum per event bounds what the pipeline can do
 * here, whatever each part could do alone.
 */
function cpuFigure(
  pipeline: { seconds: number; cpuByPart: Record<string, number> },
  count: number,
): BenchFigure {
  const total = Object.values(pipeline.cpuByPart).reduce((sum, seconds) => sum + seconds, 0);
  const parts = Object.entries(pipeline.cpuByPart)
    .map(([part, seconds]) => `${part} ${((seconds / count) * 1e6).toFixed(0)}`)
    .join(', ');
  const busy = total / pipeline.seconds;
  return figure({
    id: 'ingest.cpu_us_per_event',
    what: 'CPU time per event of the parts running the pipeline',
    value: (total / count) * 1e6,
    unit: 'µs',
    notes: `${parts} µs; ${busy.toFixed(2)} of ${os.cpus().length} cores busy`,
  });
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
  const cpu = cpuMeter({ benchmark: process.pid, broker: context.brokerPid });
  const started = performance.now();
  for (let i = 0; i < messages.length; i += SEND_BATCH) {
    await producer.send({ topic, acks: -1, messages: messages.slice(i, i + SEND_BATCH) });
  }
  await allConsumed;
  const seconds = (performance.now() - started) / 1000;
  const cpuSeconds = Object.values(cpu()).reduce((sum, s) => sum + s, 0);
  await producer.disconnect();
  await consumer.disconnect();
  return { perSecond: messages.length / seconds, cpuMicros: (cpuSeconds / messages.length) * 1e6 };
}

async function storeCeiling(context: IngestContext, calls: LlmCall[]) {
  const book = createPriceBook(undefined, context.logger);
  const now = Date.now();
  const rows = calls.map((call) => toLlmCallRow(priceCall(call, book, now), now));
  // The encoding the pricing consumer's inserts use: one JSON array per row.
  const columns = Object.keys(rows[0]!).join(', ');
  const lines = rows.map((row) => JSON.stringify(Object.values(row)));
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'llmcost-bench-store-'));
  const store = await openClickHouse({ database: 'default', embeddedPath: dir });
  try {
    await migrate({ client: store.client, logger: context.logger, retentionDays: 90 });
    const cpu = cpuMeter({ benchmark: process.pid });
    const started = performance.now();
    for (let i = 0; i < lines.length; i += STORE_BLOCK) {
      const body = lines.slice(i, i + STORE_BLOCK).join('\n') + '\n';
      const result = await store.client.exec({
        query: `INSERT INTO llm_calls (${columns}) FORMAT JSONCompactEachRow`,
        values: Readable.from([body]),
      });
      result.stream.resume();
    }
    const seconds = (performance.now() - started) / 1000;
    const cpuMicros = (cpu().benchmark! / lines.length) * 1e6;
    return { perSecond: lines.length / seconds, cpuMicros };
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
    const memory = { peakMiB: 0, storeCodeMiBAtPeak: 0, javaScriptPeakMiB: 0 };
    const sampler = setInterval(() => {
      pricing.memoryMiB().then(
        ({ heap, external }) =>
          (memory.javaScriptPeakMiB = Math.max(memory.javaScriptPeakMiB, heap + external)),
        () => undefined,
      );
      const { rssMiB } = pricing.memory();
      if (rssMiB <= memory.peakMiB) return;
      memory.peakMiB = rssMiB;
      memory.storeCodeMiBAtPeak = mappedResidentMiB(pricing.pid, CHDB_LIBRARY);
    }, 250);
    const cpu = cpuMeter({
      'SDK and benchmark': process.pid,
      pricing: pricing.pid,
      broker: context.brokerPid,
    });

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
    context.say(`  producer done after ${((performance.now() - started) / 1000).toFixed(1)} s`);

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
    const cpuByPart = cpu();
    clearInterval(sampler);

    await checkTotal(pricing, calls, context);
    return { eventsPerSecond: calls.length / seconds, seconds, cpuByPart, ...memory };
  } finally {
    await pricing.stop();
  }
}

/** The benchmark measures a pipeline that is right: its total must be exact. */
async function checkTotal(pricing: PricingProcess, calls: LlmCall[], context: IngestContext) {
  // Asked first: pricing half a million calls here blocks this process for seconds, long
  // enough for the server to close the idle keep-alive connection a later request would reuse.
  const [row] = await pricing.sql<{ cost: string }>('SELECT sum(cost_usd) AS cost FROM cost_daily');
  const book = createPriceBook(undefined, context.logger);
  const expected = calls.reduce(
    (sum, call) => sum.plus(priceCall(call, book, Date.now()).cost.totalUsd),
    new Money(0),
  );
  if (!new Money(row?.cost ?? '0').equals(expected)) {
    throw new Error(`pipeline total ${row?.cost} differs from the expected ${expected.toFixed()}`);
  }
}
