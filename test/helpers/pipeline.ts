import type { Kafka } from 'kafkajs';
import type { ClickHouseStore } from '../../clickhouse/client.ts';
import { createPriceBook } from '../../consumers/pricing/create-price-book.ts';
import { PricingConsumer } from '../../consumers/pricing/pricing-consumer.ts';
import type { TopicNames } from '../../infra/topics.ts';
import { testLogger } from './infra.ts';

/** A pricing consumer on the test's own topics and store, started. */
export async function startPricingConsumer(
  kafka: Kafka,
  store: ClickHouseStore,
  topics: TopicNames,
  options: {
    pricesFile?: string;
    groupId?: string;
    now?: () => number;
    retentionDays?: number;
    sessionTimeoutMs?: number;
  } = {},
): Promise<PricingConsumer> {
  const consumer = new PricingConsumer({
    kafka,
    clickhouse: store.client,
    book: createPriceBook(options.pricesFile, testLogger),
    topics,
    logger: testLogger,
    retentionDays: options.retentionDays ?? 90,
    groupId: options.groupId ?? `${topics.calls}.pricing`,
    now: options.now,
    sessionTimeoutMs: options.sessionTimeoutMs,
  });
  await consumer.start();
  return consumer;
}
