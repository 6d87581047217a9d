import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  AlertingService,
  type AlertingServiceOptions,
} from '../consumers/alerting/alerting-service.ts';
import { CostEventProducer } from '../producers/cost-event-producer.ts';
import type { Kafka } from 'kafkajs';
import { consumerLag } from '../infra/consumer-lag.ts';
import type { TopicNames } from '../infra/topics.ts';
import { receiverConfig, startReceivers, type Receivers } from './alerting-receivers.ts';
import { freshStore, freshTopics, testKafka, testLogger, waitFor } from './helpers/infra.ts';
import { startPricingConsumer } from './helpers/pipeline.ts';

export interface AlertingFixtureOptions {
  /** Prefix of the alerting consumer groups, unique per test file. */
  groupPrefix: string;
  /** Entries of a prices file (CONTRACTS.md); the catalogue alone otherwise. */
  prices?: unknown[];
  /** The clock of pricing and alerting; the real one otherwise. */
  now?: () => number;
  /** Receivers of the test's own; one of each channel that accepts everything otherwise. */
  receivers?: Receivers;
}

export type AlertingFixture = Awaited<ReturnType<typeof alertingFixture>>;

/**
 * What an alerting test runs on: fresh topics and store, every channel at a
 * receiver on 127.0.0.1, a real pricing consumer, a producer for calls, and
 * alerting services started on demand and stopped by close().
 */
export async function alertingFixture(options: AlertingFixtureOptions) {
  const kafka = testKafka();
  const pricesFile = options.prices ? writePricesFile(options.prices) : undefined;
  const store = await freshStore();
  const topics = await freshTopics(kafka);
  const receivers = options.receivers ?? (await startReceivers());
  const pricing = await startPricingConsumer(kafka, store, topics, {
    pricesFile,
    now: options.now,
  });
  const producer = new CostEventProducer({
    kafka,
    logger: testLogger,
    topics,
  });
  const services: AlertingService[] = [];

  async function startService(
    overrides: Partial<AlertingServiceOptions> = {},
  ): Promise<AlertingService> {
    const service = new AlertingService({
      kafka,
      clickhouse: store.client,
      topics,
      logger: testLogger,
      config: receiverConfig(receivers),
      groupPrefix: options.groupPrefix,
      instanceId: 'test-instance',
      reports: false,
      now: options.now,
      ...overrides,
    });
    services.push(service);
    await service.start();
    return service;
  }

  async function stopService(service: AlertingService): Promise<void> {
    services.splice(services.indexOf(service), 1);
    await service.stop();
  }

  /** Waits until every call sent is priced, evaluated, and its alerts delivered. */
  async function idle(): Promise<void> {
    await producer.flush();
    await waitForAlertingIdle(kafka, topics, options.groupPrefix);
    await waitFor('deliveries to finish', async () =>
      services.every((service) => service.worker.backlog() === 0) ? true : undefined,
    );
  }

  async function close(): Promise<void> {
    for (const service of services.splice(0)) await service.stop();
    await producer.close();
    await pricing.stop();
    await receivers.close();
    await store.close();
  }

  return {
    kafka,
    store,
    topics,
    receivers,
    producer,
    services,
    startService,
    stopService,
    idle,
    close,
  };
}

function writePricesFile(entries: unknown[]): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'llmcost-prices-'));
  const file = path.join(dir, 'prices.json');
  fs.writeFileSync(file, JSON.stringify(entries));
  return file;
}

/**
 * Waits until pricing (the test helper's group), then the alerting and notify
 * groups, have committed everything in their topics.
 */
async function waitForAlertingIdle(kafka: Kafka, topics: TopicNames, groupPrefix: string) {
  const admin = kafka.admin();
  await admin.connect();
  try {
    await waitFor('alerting to catch up', async () => {
      const calls = await consumerLag(admin, `${topics.calls}.pricing`, topics.calls);
      if (calls !== 0) return undefined;
      const costs = await consumerLag(admin, `${groupPrefix}llmcost-alerting`, topics.costs);
      const alerts = await consumerLag(admin, `${groupPrefix}llmcost-notify`, topics.alerts);
      return costs === 0 && alerts === 0 ? true : undefined;
    });
  } finally {
    await admin.disconnect();
  }
}
