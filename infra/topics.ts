import type { Admin, ITopicConfig } from 'kafkajs';
import type { Logger } from '../lib/logger.ts';
import { sleep } from '../lib/retry.ts';

/** The topic names of CONTRACTS.md, behind an optional prefix for shared clusters. */
export function topicNames(prefix = '') {
  const calls = `${prefix}llm.calls.v1`;
  const costs = `${prefix}llm.costs.v1`;
  const compactionRequests = `${prefix}compaction.requests.v1`;
  const alerts = `${prefix}cost.alerts.v1`;
  return {
    calls,
    callsDlq: `${calls}.dlq`,
    costs,
    costsDlq: `${costs}.dlq`,
    alerts,
    alertsDlq: `${alerts}.dlq`,
    quotaState: `${prefix}quota.state.v1`,
    compactionRequests,
    compactionRequestsDlq: `${compactionRequests}.dlq`,
    compactionResults: `${prefix}compaction.results.v1`,
    compactionProgress: `${prefix}compaction.progress.v1`,
    /** Every writer schema in use, by id: how readers learn newer versions. */
    schemas: `${prefix}llmcost.schemas`,
  };
}

export type TopicNames = ReturnType<typeof topicNames>;

const DAY_MS = 24 * 3600 * 1000;
const LARGE_MESSAGES = { 'max.message.bytes': String(16 * 1024 * 1024) };

/** What each topic is created with: partition count, retention and cleanup. */
export function topicSpecs(names: TopicNames, partitions: number): ITopicConfig[] {
  const stream = (topic: string, retentionDays: number, extra: Record<string, string> = {}) => ({
    topic,
    numPartitions: partitions,
    replicationFactor: -1,
    configEntries: toEntries({ 'retention.ms': String(retentionDays * DAY_MS), ...extra }),
  });
  // Dead letters wait for an operator, so they are kept longer and never compacted.
  const deadLetters = (topic: string, extra: Record<string, string> = {}) => ({
    ...stream(topic, 30, extra),
    numPartitions: 1,
  });

  return [
    stream(names.calls, 7),
    deadLetters(names.callsDlq),
    stream(names.costs, 7),
    deadLetters(names.costsDlq),
    stream(names.alerts, 30),
    deadLetters(names.alertsDlq),
    {
      topic: names.quotaState,
      numPartitions: partitions,
      replicationFactor: -1,
      configEntries: toEntries({ 'cleanup.policy': 'compact' }),
    },
    {
      topic: names.schemas,
      numPartitions: 1,
      replicationFactor: -1,
      configEntries: toEntries({ 'cleanup.policy': 'compact' }),
    },
    stream(names.compactionRequests, 3, LARGE_MESSAGES),
    deadLetters(names.compactionRequestsDlq, LARGE_MESSAGES),
    stream(names.compactionResults, 3, LARGE_MESSAGES),
    stream(names.compactionProgress, 1),
  ];
}

/**
 * Waits until every partition of new topics has a leader. Right after
 * creation a broker may still answer "unknown topic", which kafkajs's own
 * wait does not retry, so this polls the metadata itself.
 */
async function waitForLeaders(admin: Admin, topics: string[], timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const metadata = await admin.fetchTopicMetadata({ topics });
      const led = metadata.topics.every(
        (topic) => topic.partitions.length > 0 && topic.partitions.every((p) => p.leader >= 0),
      );
      if (led) return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
    }
    if (Date.now() > deadline) throw new Error(`topics have no leaders after ${timeoutMs} ms`);
    await sleep(100);
  }
}

function toEntries(config: Record<string, string>) {
  return Object.entries(config).map(([name, value]) => ({ name, value }));
}

/**
 * Creates the topics that do not exist yet and leaves existing ones alone:
 * repeating it is harmless. A topic with fewer partitions than asked for is
 * reported, not changed, because adding partitions moves keys between them.
 */
export async function ensureTopics(
  admin: Admin,
  specs: ITopicConfig[],
  logger: Logger,
): Promise<{ created: string[] }> {
  const existing = new Set(await admin.listTopics());
  const missing = specs.filter((spec) => !existing.has(spec.topic));
  if (missing.length > 0) {
    await admin.createTopics({ topics: missing, waitForLeaders: false });
    await waitForLeaders(
      admin,
      missing.map((spec) => spec.topic),
    );
    logger.info({ topics: missing.map((spec) => spec.topic) }, 'topics created');
  }

  const present = specs.filter((spec) => existing.has(spec.topic));
  if (present.length > 0) {
    const metadata = await admin.fetchTopicMetadata({ topics: present.map((spec) => spec.topic) });
    for (const topic of metadata.topics) {
      const wanted = present.find((spec) => spec.topic === topic.name)?.numPartitions ?? 0;
      if (topic.partitions.length < wanted) {
        logger.warn(
          { topic: topic.name, partitions: topic.partitions.length, wanted },
          'topic has fewer partitions than configured; left unchanged',
        );
      }
    }
  }
  return { created: missing.map((spec) => spec.topic) };
}
