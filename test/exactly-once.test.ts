import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Partitioners, type Admin } from 'kafkajs';
import { afterEach, describe, expect, it } from 'vitest';
import { traceCalls, readTrace } from '../cli/replay/azure-trace.ts';
import type { PricingConsumer } from '../consumers/pricing/pricing-consumer.ts';
import { createKafka } from '../infra/kafka-client.ts';
import { sleep } from '../lib/retry.ts';
import { CostEventProducer } from '../producers/cost-event-producer.ts';
import { AvroCodec } from '../schemas/codec.ts';
import { parseLlmCall, type LlmCall } from '../schemas/llm-call.ts';
import { SchemaRegistry } from '../schemas/registry.ts';
import { inject } from 'vitest';
import { CuttableSockets } from './helpers/cuttable-sockets.ts';
import { scaled } from './helpers/decimal.ts';
import { CONV_TRACE, expectConvTraceStoredOnce } from './helpers/conversation-trace.ts';
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
import { rawCases } from './helpers/pricing-cases.ts';

const kafka = testKafka();
const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function setUp(partitions = 3) {
  const store = await freshStore(3650);
  const topics = await freshTopics(kafka, partitions);
  const admin = kafka.admin();
  await admin.connect();
  cleanups.push(
    () => store.close(),
    () => admin.disconnect(),
  );
  return { store, topics, admin };
}

function stopLater(consumer: PricingConsumer): PricingConsumer {
  // A consumer whose network was cut cannot leave its group cleanly; don't wait for it.
  cleanups.push(() => Promise.race([consumer.stop(), sleep(15_000)]));
  return consumer;
}

async function committed(admin: Admin, groupId: string, topic: string): Promise<bigint> {
  const [offsets] = await admin.fetchOffsets({ groupId, topics: [topic] });
  return (offsets?.partitions ?? []).reduce(
    (sum, p) => sum + BigInt(Math.max(0, Number(p.offset))),
    0n,
  );
}

describe('each event counts once', () => {
  it('duplicate-and-retried-events: twice delivered, first write failed, resent', async () => {
    const { store, topics, admin } = await setUp(1);
    const testCase = rawCases().find((c) => c.id === 'duplicate-and-retried-events')!;
    const pricesFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'llmcost-dup-')), 'p.json');
    fs.writeFileSync(
      pricesFile,
      JSON.stringify([
        { provider: testCase.provider, model: testCase.model, prices: testCase.prices },
      ]),
    );
    const groupId = `${topics.calls}.pricing`;
    const call = parseLlmCall({
      tenantId: 'dup-tenant',
      touchpoint: 'main-chat',
      provider: testCase.provider,
      model: testCase.model,
      occurredAt: testCase.occurredAt,
      usage: { inputTokens: 1_000, outputTokens: 100 },
    });
    const codec = new AvroCodec<LlmCall>(new SchemaRegistry(), 'llm-call');
    const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
    cleanups.push(() => producer.disconnect());

    // The first write fails: the view's target table is away.
    await store.client.command({ query: 'DETACH TABLE cost_daily' });
    const consumer = stopLater(
      await startPricingConsumer(kafka, store, topics, { pricesFile, retentionDays: 3650 }),
    );
    await producer.send({
      topic: topics.calls,
      messages: [
        { key: 'dup-tenant', ...codec.encode(call) },
        { key: 'dup-tenant', ...codec.encode(call) },
      ],
    });
    await waitFor('a failed attempt', async () =>
      consumer.consumerStats.retries > 0 ? true : undefined,
    );
    expect(await committed(admin, groupId, topics.calls)).toBe(0n);
    await store.client.command({ query: 'ATTACH TABLE cost_daily' });
    await waitForLag0(admin, groupId, topics.calls);

    // The producer sends it again, at another offset.
    await producer.send({
      topic: topics.calls,
      messages: [{ key: 'dup-tenant', ...codec.encode(call) }],
    });
    await waitForLag0(admin, groupId, topics.calls);

    const [raw] = await queryRows(
      store,
      'SELECT count() AS n, sum(cost_usd) AS cost FROM llm_calls',
    );
    const [day] = await queryRows(
      store,
      'SELECT sum(cost_usd) AS cost, sum(requests) AS n ' +
        "FROM cost_daily WHERE tenant_id = 'dup-tenant' AND day = toDate({at:DateTime64(3)})",
      { at: testCase.occurredAt!.replace('T', ' ').replace('Z', '') },
    );
    expect(Number(raw!.n)).toBe(1);
    expect(scaled(day!.cost!)).toBe(scaled(testCase.expected!.costUsd));
    expect(Number(day!.n)).toBe(1);
    expect(consumer.stats.duplicates).toBe(2);
  });

  it('ClickHouse failing in a replay: nothing committed meanwhile, none lost after', async () => {
    const { store, topics, admin } = await setUp();
    const groupId = `${topics.calls}.pricing`;
    const consumer = stopLater(await startPricingConsumer(kafka, store, topics));
    const calls = traceCalls(readTrace(CONV_TRACE), {
      provider: 'openai',
      model: 'gpt-4o',
      touchpoint: 'main-chat',
      tenants: 5,
      users: 20,
      rebase: 'now',
      shiftDays: 0,
    });
    const producer = new CostEventProducer({
      kafka,
      topics,
      logger: testLogger,
      maxBufferedEvents: 20_000,
    });

    await producer.recordMany(calls.slice(0, 5_000));
    await producer.flush();
    await waitForLag0(admin, groupId, topics.calls);
    await store.client.command({ query: 'DETACH TABLE cost_15m' });
    const before = await committed(admin, groupId, topics.calls);
    await producer.recordMany(calls.slice(5_000));
    await producer.flush();
    await waitFor('retries', async () => (consumer.consumerStats.retries > 2 ? true : undefined));
    expect(await committed(admin, groupId, topics.calls)).toBe(before);

    await store.client.command({ query: 'ATTACH TABLE cost_15m' });
    await producer.close();
    await waitForLag0(admin, groupId, topics.calls);
    await expectConvTraceStoredOnce(store);
  });

  it('three consumers with members joining, leaving and one cut off: still exact', async () => {
    const { store, topics, admin } = await setUp(6);
    const groupId = `${topics.calls}.pricing`;
    const options = { groupId, sessionTimeoutMs: 10_000 };
    const calls = traceCalls(readTrace(CONV_TRACE), {
      provider: 'openai',
      model: 'gpt-4o',
      touchpoint: 'main-chat',
      tenants: 20,
      users: 50,
      rebase: 'now',
      shiftDays: 0,
    });
    const producer = new CostEventProducer({ kafka, topics, logger: testLogger });
    cleanups.push(() => producer.close());
    const sockets = new CuttableSockets();
    const cuttable = createKafka({
      brokers: inject('kafkaBrokers').split(','),
      clientId: 'cut-off',
      logger: testLogger,
      socketFactory: sockets.factory,
    });

    const publishing = (async () => {
      for (let start = 0; start < calls.length; start += 1_000) {
        await producer.recordMany(calls.slice(start, start + 1_000));
        await sleep(150);
      }
      await producer.flush();
    })();
    const a = await startPricingConsumer(kafka, store, topics, options);
    await sleep(700);
    const b = stopLater(await startPricingConsumer(kafka, store, topics, options));
    await sleep(700);
    const c = stopLater(await startPricingConsumer(cuttable, store, topics, options));
    await sleep(700);
    await a.stop();
    await sleep(500);
    sockets.cutAll();
    const again = stopLater(await startPricingConsumer(kafka, store, topics, options));
    await publishing;

    await waitForLag0(admin, groupId, topics.calls);
    await expectConvTraceStoredOnce(store);
    expect(b.isReady() && again.isReady()).toBe(true);
    expect(c).toBeDefined();
  });
});
