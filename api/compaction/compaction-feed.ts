import crypto from 'node:crypto';
import type { Consumer, Kafka, KafkaMessage } from 'kafkajs';
import { endOffsets } from '../../compaction-worker/worker/compaction-client.ts';
import type { CompactionProgress } from '../../compaction-worker/worker/progress.ts';
import { MAX_MESSAGE_BYTES, type CompactionWire } from '../../compaction-worker/worker/wire.ts';
import { kafkaError } from '../../infra/kafka-errors.ts';
import type { TopicNames } from '../../infra/topics.ts';
import { errorMessage } from '../../lib/errors.ts';
import type { Logger } from '../../lib/logger.ts';
import { RateLimitedLog } from '../../lib/rate-limited-log.ts';
import { AvroCodec } from '../../schemas/codec.ts';
import { SchemaRegistry } from '../../schemas/registry.ts';
import type { CompactionJobs } from './compaction-jobs.ts';

export interface CompactionFeedOptions {
  kafka: Kafka;
  topics: Pick<TopicNames, 'compactionResults' | 'compactionProgress'>;
  jobs: CompactionJobs;
  wire: CompactionWire;
  logger: Logger;
}

/**
 * Follows compaction.results.v1 and compaction.progress.v1 into the jobs
 * registry, from where the topics ended when it started. Every API process
 * reads every event under a consumer group of its own and commits nothing:
 * it keeps a view, like the quota view of the producers SDK.
 */
export class CompactionFeed {
  private readonly consumer: Consumer;
  private readonly progress = new AvroCodec<CompactionProgress>(
    new SchemaRegistry(),
    'compaction-progress',
  );
  private readonly warnings: RateLimitedLog;
  private readonly logger: Logger;

  constructor(private readonly options: CompactionFeedOptions) {
    this.logger = options.logger.child({ component: 'compaction-feed' });
    this.warnings = new RateLimitedLog(this.logger);
    this.consumer = options.kafka.consumer({
      groupId: `llmcost-compaction-feed-${crypto.randomUUID()}`,
      // One whole result must fit in a fetch.
      maxBytesPerPartition: MAX_MESSAGE_BYTES + 1024 * 1024,
      allowAutoTopicCreation: false,
    });
  }

  /**
   * Starts reading at the topics' current ends: a request submitted after
   * this resolves has its progress and result read, however long the group
   * takes to settle.
   */
  async start(): Promise<void> {
    const { compactionResults, compactionProgress } = this.options.topics;
    const starts = await Promise.all(
      [compactionResults, compactionProgress].map(async (topic) => ({
        topic,
        offsets: await endOffsets(this.options.kafka, topic),
      })),
    );

    try {
      await this.consumer.connect();
      await this.consumer.subscribe({ topics: [compactionResults, compactionProgress] });
      await this.consumer.run({
        autoCommit: false,
        eachMessage: ({ topic, partition, message }) => this.apply(topic, partition, message),
      });
    } catch (error) {
      throw kafkaError(error, 'following compaction results failed', {
        topic: compactionResults,
      });
    }
    for (const { topic, offsets } of starts) {
      for (const { partition, offset } of offsets) this.consumer.seek({ topic, partition, offset });
    }
    this.logger.info({ topic: compactionResults }, 'following compaction results');
  }

  async stop(): Promise<void> {
    await this.consumer.disconnect();
  }

  private async apply(topic: string, partition: number, message: KafkaMessage): Promise<void> {
    const { jobs, wire, topics } = this.options;
    try {
      const applied =
        topic === topics.compactionResults
          ? jobs.finished(wire.results.decode(message.value, message.headers))
          : jobs.progressed(this.progress.decode(message.value, message.headers));
      if (!applied) {
        this.warnings.warn(
          'mismatch',
          { topic, partition, offset: message.offset },
          'compaction event names a request known under another tenant; skipped',
        );
      }
    } catch (error) {
      // A view skips what it cannot read; the worker's own dead letters keep the evidence.
      this.warnings.warn(
        'undecodable',
        { topic, partition, offset: message.offset, err: errorMessage(error) },
        'compaction event unreadable; skipped',
      );
    }
  }
}
