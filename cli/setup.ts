import type { Admin, Kafka } from 'kafkajs';
import { errorMessage, PipelineError } from '../lib/errors.ts';
import type { ClickHouseStore } from '../clickhouse/client.ts';
import { migrate } from '../clickhouse/migrate.ts';
import { ensureTopics, topicSpecs, topicNames } from '../infra/topics.ts';
import type { Runtime } from './runtime.ts';

/** Creates the pipeline's topics that are missing; existing ones are left alone. */
export async function setUpTopics(runtime: Runtime, kafka: Kafka): Promise<string[]> {
  const admin = kafka.admin();
  await connectAdmin(runtime, admin);
  try {
    const names = topicNames(runtime.config.topicPrefix);
    const specs = topicSpecs(names, runtime.config.partitions);
    const logger = runtime.logger.child({ component: 'topics' });
    return (await ensureTopics(admin, specs, logger)).created;
  } finally {
    await admin.disconnect();
  }
}

/**
 * Connects an admin client, failing with a message that says which brokers
 * were tried and where they were configured, rather than a kafkajs stack.
 */
export async function connectAdmin(runtime: Runtime, admin: Admin): Promise<void> {
  try {
    await admin.connect();
  } catch (error) {
    const brokers = runtime.config.kafkaBrokers;
    const where = brokers
      ? `${brokers.join(',')} (KAFKA_BROKERS)`
      : 'the local broker of this data directory';
    throw new PipelineError(`cannot reach Kafka at ${where}: ${errorMessage(error)}`, {
      code: 'KAFKA_UNREACHABLE',
      retriable: true,
      cause: error,
    });
  }
}

export async function migrateStore(runtime: Runtime, store: ClickHouseStore): Promise<string[]> {
  const { applied } = await migrate({
    client: store.client,
    logger: runtime.logger.child({ component: 'migrate' }),
    retentionDays: runtime.config.retentionDays,
    cluster: runtime.config.clickhouse.cluster,
  });
  return applied;
}
