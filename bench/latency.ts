import crypto from 'node:crypto';
import { ensureTopics, topicNames, topicSpecs } from '../infra/topics.ts';
import { sleep } from '../lib/retry.ts';
import { CostEventProducer } from '../producers/cost-event-producer.ts';
import type { IngestContext } from './ingest.ts';
import { PricingProcess } from './pipeline-process.ts';
import { figure, type BenchFigure } from './result.ts';
import { workload } from './workload.ts';

const TICK_MS = 50;
const POLL_MS = 50;

/**
 * Latency at a steady offered rate: calls are published in ticks of 50 ms;
 * `cost_daily` is polled every 50 ms, and each tick's latency is the time
 * from its publication to the poll that first shows all of it. The poll
 * interval bounds the error (the figures are at most 50 ms late).
 */
export async function benchLatency(
  context: IngestContext,
  options: { rate: number; seconds: number },
): Promise<BenchFigure[]> {
  const run = crypto.randomBytes(3).toString('hex');
  const prefix = `benchlat${run}.`;
  const topics = topicNames(prefix);
  const admin = context.kafka.admin();
  await admin.connect();
  await ensureTopics(admin, topicSpecs(topics, 6), context.logger);
  await admin.disconnect();

  const perTick = Math.max(1, Math.round((options.rate * TICK_MS) / 1000));
  const ticks = Math.round((options.seconds * 1000) / TICK_MS);
  const calls = workload(perTick * ticks, run, Date.now() + options.seconds * 1000).map((call) => ({
    ...call,
    occurredAt: Date.now(),
  }));
  const pricing = new PricingProcess(context.brokers, prefix);
  const producer = new CostEventProducer({
    kafka: context.kafka,
    topics,
    logger: context.logger,
    lingerMs: 2,
    maxBatchSize: 5_000,
  });
  try {
    await pricing.ready();
    context.say(`offering ${options.rate} calls/s for ${options.seconds} s`);
    const published: number[] = [];
    const seen: number[] = [];
    const polling = pollVisible(pricing, published, seen, ticks, perTick);

    const started = performance.now();
    for (let tick = 0; tick < ticks; tick++) {
      const due = started + tick * TICK_MS;
      if (due > performance.now()) await sleep(due - performance.now());
      const batch = calls
        .slice(tick * perTick, (tick + 1) * perTick)
        .map((call) => ({ ...call, occurredAt: Date.now() }));
      published.push(performance.now());
      await producer.recordMany(batch);
    }
    await producer.flush();
    await polling;

    const latencies = published.map((at, tick) => seen[tick]! - at).sort((a, b) => a - b);
    const at = (q: number) =>
      latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))]!;
    const offered = (perTick * ticks) / options.seconds;
    return [
      figure({
        id: 'latency.p50_ms',
        what: `publish → visible in cost_daily at ${offered} calls/s`,
        value: at(0.5),
        unit: 'ms',
      }),
      figure({
        id: 'latency.p99_ms',
        what: 'the same, 99th percentile',
        value: at(0.99),
        unit: 'ms',
        target: '< 2000 ms',
        met: at(0.99) < 2_000,
      }),
      figure({
        id: 'latency.max_ms',
        what: 'the same, maximum',
        value: latencies.at(-1)!,
        unit: 'ms',
        notes: `poll interval ${POLL_MS} ms`,
      }),
    ];
  } finally {
    await producer.close();
    await pricing.stop();
  }
}

/** Records, for each tick, when cost_daily first shows every call up to and including it. */
async function pollVisible(
  pricing: PricingProcess,
  published: number[],
  seen: number[],
  ticks: number,
  perTick: number,
): Promise<void> {
  while (seen.length < ticks) {
    await sleep(POLL_MS);
    const [row] = await pricing.sql<{ n: string }>('SELECT sum(requests) AS n FROM cost_daily');
    const visible = Number(row?.n ?? 0);
    const now = performance.now();
    while (seen.length < published.length && visible >= (seen.length + 1) * perTick) {
      seen.push(now);
    }
  }
}
