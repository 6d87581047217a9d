import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, it } from 'vitest';
import { readTrace, traceCalls } from '../cli/replay/azure-trace.ts';
import { createKafka } from '../infra/kafka-client.ts';
import { LocalKafka } from '../infra/local-kafka.ts';
import { ensureTopics, topicNames, topicSpecs } from '../infra/topics.ts';
import { loadConfig } from '../lib/config.ts';
import { sleep } from '../lib/retry.ts';
import { CostEventProducer } from '../producers/cost-event-producer.ts';
import { CONV_TRACE, expectConvTraceStoredOnce } from './helpers/conversation-trace.ts';
import { freshStore, testLogger, waitForLag0 } from './helpers/infra.ts';
import { startPricingConsumer } from './helpers/pipeline.ts';

// This file restarts a broker of its own, so that the shared one stays up for the others.
describe('the broker restarting in the middle of a replay', () => {
  const broker = new LocalKafka({
    dir: fs.mkdtempSync(path.join(os.tmpdir(), 'llmcost-broker-')),
    cacheDir: loadConfig(process.env).cacheDir,
    logger: testLogger,
    port: 39092,
  });

  afterAll(async () => {
    await broker.stop();
  });

  it('loses nothing: the producer holds events, the consumer reconnects, catches up', async () => {
    const { brokers } = await broker.start();
    const kafka = createKafka({ brokers: [brokers], clientId: 'restart-test', logger: testLogger });
    const topics = topicNames('restart.');
    const admin = kafka.admin();
    await admin.connect();
    await ensureTopics(admin, topicSpecs(topics, 3), testLogger);
    await admin.disconnect();
    const store = await freshStore();
    const consumer = await startPricingConsumer(kafka, store, topics);
    const producer = new CostEventProducer({
      kafka,
      topics,
      logger: testLogger,
      maxBufferedEvents: 50_000,
    });
    const calls = traceCalls(readTrace(CONV_TRACE), {
      provider: 'openai',
      model: 'gpt-4o',
      touchpoint: 'main-chat',
      tenants: 5,
      users: 20,
      rebase: 'now',
      shiftDays: 0,
    });

    await producer.recordMany(calls.slice(0, 8_000));
    await producer.flush();
    await broker.stop();
    await producer.recordMany(calls.slice(8_000));
    await sleep(2_000);
    await broker.start();
    await producer.close(120_000);

    const watcher = kafka.admin();
    await watcher.connect();
    await waitForLag0(watcher, `${topics.calls}.pricing`, topics.calls, 180_000);
    await watcher.disconnect();

    await expectConvTraceStoredOnce(store);

    await Promise.race([consumer.stop(), sleep(20_000)]);
    await store.close();
  });
});
