import type { Kafka } from 'kafkajs';
import type { ClickHouseStore } from '../clickhouse/client.ts';
import { migrate } from '../clickhouse/migrate.ts';
import { ensureTopics, topicSpecs, topicNames } from '../infra/topics.ts';
import type { Runtime } from './runtime.ts';

/** Creates the pipeline's topics that are missing; existing ones are left alone. */
export async function setUpTopics(runtime: Runtime, kafka: Kafka): Promise<string[]> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const names = topicNames(runtime.config.topicPrefix);
    const specs = topicSpecs(names, runtime.config.partitions);
    const logger = runtime.logger.child({ component: 'topics' });
    return (await ensureTopics(admin, specs, logger)).created;
  } finally {
    await admin.disconnect();
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
