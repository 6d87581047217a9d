import crypto from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ensureTopics, topicNames, topicSpecs } from '../infra/topics.ts';
import { sleep } from '../lib/retry.ts';
import { CostEventProducer } from '../producers/cost-event-producer.ts';
import { AvroCodec } from '../schemas/codec.ts';
import type { PricedCall } from '../schemas/priced-call.ts';
import { SchemaRegistry } from '../schemas/registry.ts';
import type { IngestContext } from './ingest.ts';
import { figure, type BenchFigure } from './result.ts';
import { ChildCommand } from './child-command.ts';

const TENANTS = 20;
/** Each call costs 1,000 × 2.50 + 100 × 10.00 = 3,500 USD per million on gpt-4o: 0.0035 USD. */
const CALL = {
  provider: 'openai',
  model: 'gpt-4o',
  touchpoint: 'main-chat',
  usage: { inputTokens: 1_000, outputTokens: 100 },
};
/** Warning at the 80th call of a tenant, exceeded at the 100th. */
const LIMIT_USD = '0.35';

function percentile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;
}

/**
 * Alert latency: twenty tenants with a daily budget each, calls offered at a
 * steady rate until every budget is crossed; each alert's latency runs from
 * the publication of the call that crossed (the alert names it) to the
 * webhook receiving it. The baseline is the same calls' trip through
 * pricing alone, to llm.costs.v1, measured in the same run.
 */
export async function benchAlertLatency(
  context: IngestContext,
  options: { rate: number },
): Promise<BenchFigure[]> {
  const received = new Map<string, number>();
  const receiver = http.createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      const alert = JSON.parse(body) as { triggeredBy: string | null; type: string };
      if (alert.triggeredBy) received.set(`${alert.type}:${alert.triggeredBy}`, performance.now());
      response.writeHead(200).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  const webhook = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/alerts`;

  const prefix = `benchalert${crypto.randomBytes(3).toString('hex')}.`;
  const topics = topicNames(prefix);
  const admin = context.kafka.admin();
  await admin.connect();
  await ensureTopics(admin, topicSpecs(topics, 6), context.logger);
  await admin.disconnect();

  const up = new ChildCommand(['up', '--no-demo'], {
    brokers: context.brokers,
    topicPrefix: prefix,
    env: { ALERT_WEBHOOK_URL: webhook },
  });
  const priced = new Map<string, number>();
  const costs = context.kafka.consumer({ groupId: `${prefix}bench-baseline` });
  try {
    await up.ready();
    for (let t = 0; t < TENANTS; t++) {
      await up.put('/api/budgets', {
        scope: `tenant=bench-${t}`,
        period: 'day',
        limitUsd: LIMIT_USD,
        warnAt: ['0.8'],
      });
    }
    await costs.connect();
    await costs.subscribe({ topic: topics.costs, fromBeginning: true });
    const codec = new AvroCodec<PricedCall>(new SchemaRegistry(), 'priced-call');
    await costs.run({
      eachMessage: async ({ message }) => {
        const { call } = codec.decode(message.value, message.headers);
        if (!priced.has(call.eventId)) priced.set(call.eventId, performance.now());
      },
    });
    await sleep(2_000);

    const published = await offer(context, topics, options.rate);
    context.say(`published ${published.size} calls; waiting for ${TENANTS * 2} alerts`);
    const deadline = Date.now() + 120_000;
    while (received.size < TENANTS * 2 && Date.now() < deadline) await sleep(100);

    const latencies = [...received.entries()].map(
      ([key, at]) => at - published.get(key.slice(key.indexOf(':') + 1))!,
    );
    const crossing = [...received.keys()].map((key) => key.slice(key.indexOf(':') + 1));
    const baseline = crossing
      .filter((id) => priced.has(id))
      .map((id) => priced.get(id)! - published.get(id)!);
    const p99 = percentile(latencies, 0.99);
    const baseP99 = percentile(baseline, 0.99);
    return [
      figure({
        id: 'alerts.received',
        what: 'alerts received by the webhook (of 40 expected)',
        value: received.size,
        unit: 'alerts',
        target: '40',
        met: received.size === TENANTS * 2,
      }),
      figure({
        id: 'alerts.p50_ms',
        what: 'crossing call published → webhook received, p50',
        value: percentile(latencies, 0.5),
        unit: 'ms',
      }),
      figure({
        id: 'alerts.p99_ms',
        what: `the same, p99 (${options.rate} calls/s offered)`,
        value: p99,
        unit: 'ms',
        baseline: { what: 'the same calls through pricing alone, p99', value: baseP99 },
        target: '< 2000 ms',
        met: p99 < 2_000,
      }),
    ];
  } finally {
    await costs.disconnect();
    await up.stop();
    receiver.close();
  }
}

/** Offers calls round-robin over the tenants at `rate` per second; returns publish times. */
async function offer(
  context: IngestContext,
  topics: ReturnType<typeof topicNames>,
  rate: number,
): Promise<Map<string, number>> {
  const producer = new CostEventProducer({
    kafka: context.kafka,
    topics,
    logger: context.logger,
    lingerMs: 2,
  });
  const published = new Map<string, number>();
  const perTenant = 110;
  const tickMs = 50;
  const perTick = Math.max(1, Math.round((rate * tickMs) / 1000));
  const started = performance.now();
  let sent = 0;
  for (let tick = 0; sent < TENANTS * perTenant; tick++) {
    const due = started + tick * tickMs;
    if (due > performance.now()) await sleep(due - performance.now());
    const batch = [];
    for (let i = 0; i < perTick && sent < TENANTS * perTenant; i++, sent++) {
      batch.push({ ...CALL, eventId: crypto.randomUUID(), tenantId: `bench-${sent % TENANTS}` });
    }
    const now = performance.now();
    for (const call of batch) published.set(call.eventId, now);
    await producer.recordMany(batch);
  }
  await producer.close();
  return published;
}
