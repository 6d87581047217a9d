import crypto from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import type { Kafka } from 'kafkajs';
import { alertingApiRoutes } from '../api/alerting/alerting-api.ts';
import { startCompactionApi, type CompactionApi } from '../api/compaction/compaction-api.ts';
import type { Route } from '../api/router.ts';
import type { ClickHouseStore } from '../clickhouse/client.ts';
import { loadCompactionConfig } from '../compaction-worker/config.ts';
import { ModelBackend } from '../compaction-worker/llm/model-backend.ts';
import { TokenCounting } from '../compaction-worker/tokens/token-counting.ts';
import { CompactionWorker } from '../compaction-worker/worker/compaction-worker.ts';
import { AlertingService } from '../consumers/alerting/alerting-service.ts';
import { createPriceBook } from '../consumers/pricing/create-price-book.ts';
import { LlmCallsSink } from '../consumers/pricing/llm-calls-sink.ts';
import { PricedCallPublisher } from '../consumers/pricing/priced-call-publisher.ts';
import { PricingConsumer } from '../consumers/pricing/pricing-consumer.ts';
import { Repricer } from '../consumers/pricing/repricer.ts';
import { SchemaRegistry } from '../schemas/registry.ts';
import { topicNames } from '../infra/topics.ts';
import type { Runtime } from './runtime.ts';
import type { ServiceHost } from './service-host.ts';
import { connectKafka, localKafka, openStore } from './runtime.ts';
import { migrateStore, setUpTopics } from './setup.ts';

export interface PipelineBase {
  kafka: Kafka;
  brokers: string[];
  store: ClickHouseStore;
  /** This process started the local broker and stops it on exit. */
  startedLocalKafka: boolean;
}

/**
 * What every long-running command needs first: Kafka (the local broker is
 * started when none is configured, and stopped on exit if started here), the
 * topics, and a migrated store.
 */
export async function startBase(
  runtime: Runtime,
  host: ServiceHost,
  clientId: string,
  options: { stopLocalKafka: boolean },
): Promise<PipelineBase> {
  const connection = await connectKafka(runtime, clientId, { start: true });
  if (connection.startedLocal && options.stopLocalKafka) {
    host.onStop('local kafka', async () => {
      await localKafka(runtime).stop();
    });
  }
  await setUpTopics(runtime, connection.kafka);

  const store = await openStore(runtime);
  host.onStop('store', () => store.close());
  await migrateStore(runtime, store);
  const startedLocalKafka = connection.startedLocal && options.stopLocalKafka;
  return { kafka: connection.kafka, brokers: connection.brokers, store, startedLocalKafka };
}

export async function startPricing(
  runtime: Runtime,
  host: ServiceHost,
  base: PipelineBase,
): Promise<PricingConsumer> {
  const consumer = new PricingConsumer({
    kafka: base.kafka,
    clickhouse: base.store.client,
    book: createPriceBook(
      runtime.config.pricesFile,
      runtime.logger,
      runtime.config.modelAliasesFile,
    ),
    topics: topicNames(runtime.config.topicPrefix),
    logger: runtime.logger,
    retentionDays: runtime.config.retentionDays,
    journalDir: path.join(runtime.config.dataDir, 'insert-journal'),
    groupId: `${runtime.config.topicPrefix}llmcost-pricing`,
  });
  await consumer.start();
  host.onStop('pricing consumer', () => consumer.stop());
  return consumer;
}

/**
 * The repricer of a running pipeline: its price book is read again from the
 * configured files on every run, so that an edited prices file applies to
 * the calls already stored without a restart.
 */
export async function startRepricer(
  runtime: Runtime,
  host: ServiceHost,
  base: PipelineBase,
): Promise<Repricer> {
  const publisher = new PricedCallPublisher(
    base.kafka,
    new SchemaRegistry(),
    topicNames(runtime.config.topicPrefix).costs,
  );
  await publisher.connect();
  host.onStop('reprice publisher', () => publisher.disconnect());
  return new Repricer({
    client: base.store.client,
    book: () =>
      createPriceBook(runtime.config.pricesFile, runtime.logger, runtime.config.modelAliasesFile),
    sink: new LlmCallsSink(base.store.client),
    publish: (corrections) => publisher.publish(corrections),
    logger: runtime.logger.child({ component: 'reprice' }),
  });
}

/**
 * Starts the compaction worker on the pipeline's topics, model-backed when
 * COMPACTION_LLM_URL and COMPACTION_LLM_MODEL are set. Its token encoders
 * are freed after it stops.
 */
export async function startCompactionWorker(
  runtime: Runtime,
  host: ServiceHost,
  base: Pick<PipelineBase, 'kafka'>,
): Promise<CompactionWorker> {
  const { endpoint } = loadCompactionConfig(process.env);
  const counting = new TokenCounting();
  const worker = new CompactionWorker({
    kafka: base.kafka,
    topics: topicNames(runtime.config.topicPrefix),
    logger: runtime.logger,
    counting,
    model: endpoint ? new ModelBackend(endpoint, counting) : undefined,
    groupId: `${runtime.config.topicPrefix}llmcost-compaction`,
  });
  await worker.start();
  host.onStop('compaction worker', async () => {
    await worker.stop();
    counting.close();
  });
  return worker;
}

/**
 * Starts the alerting consumer. Its instance id is stable for a host and
 * data directory, so that after a restart it resumes its own pending
 * deliveries at once instead of waiting for their lease to run out.
 */
export async function startAlerting(
  runtime: Runtime,
  host: ServiceHost,
  base: PipelineBase,
): Promise<AlertingService> {
  const { config } = runtime;
  const dirHash = crypto.createHash('sha256').update(config.dataDir).digest('hex').slice(0, 8);
  const service = new AlertingService({
    kafka: base.kafka,
    clickhouse: base.store.client,
    topics: topicNames(config.topicPrefix),
    logger: runtime.logger,
    config: config.alerting,
    budgetsFile: config.budgetsFile,
    groupPrefix: config.topicPrefix,
    instanceId: `${os.hostname()}-${dirHash}`,
  });
  await service.start();
  host.onStop('alerting', () => service.stop());
  return service;
}

/** The budget, quota and alert endpoints, with a running alerting consumer told of changes. */
export function alertingRoutes(service: AlertingService, store: ClickHouseStore): Route[] {
  return alertingApiRoutes({
    client: store.client,
    budgets: service.budgets,
    alertLog: service.alertLog,
    outbox: service.outbox,
    budgetsChanged: () => service.budgetsChanged(),
  });
}

/**
 * The compaction endpoints on the pipeline's topics: requests go to
 * whichever compaction worker runs, results and progress are read back.
 */
export async function startCompactionApiOn(
  runtime: Runtime,
  host: ServiceHost,
  base: Pick<PipelineBase, 'kafka'>,
): Promise<CompactionApi> {
  const api = await startCompactionApi({
    kafka: base.kafka,
    topics: topicNames(runtime.config.topicPrefix),
    logger: runtime.logger,
  });
  host.onStop('compaction api', () => api.stop());
  return api;
}
