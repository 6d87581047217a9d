import type { Consumer, EachBatchPayload, Kafka, KafkaMessage, Producer } from 'kafkajs';
import { errorMessage, isRetriable } from '../../lib/errors.ts';
import type { Logger } from '../../lib/logger.ts';
import { pipelineMetrics } from '../../lib/metrics.ts';
import { RateLimitedLog } from '../../lib/rate-limited-log.ts';
import { retry, sleep } from '../../lib/retry.ts';
import { publishDeadLetters, type DeadLetter } from './dead-letters.ts';

export interface ConsumedMessage<T> {
  value: T;
  message: KafkaMessage;
  partition: number;
}

export type DecodeResult<T> = { ok: true; value: T } | { ok: false; reason: string; error: string };

export interface BatchContext {
  topic: string;
  partition: number;
  /** Dead-letters an item the handler refuses, instead of failing the batch. */
  reject(item: ConsumedMessage<unknown>, reason: string, error: string): void;
}

export interface BatchConsumerOptions<T> {
  kafka: Kafka;
  /** Publishes dead letters; it must be connected before start(). */
  producer: Producer;
  groupId: string;
  topic: string;
  dlqTopic: string;
  logger: Logger;
  /** Runs before a batch is decoded, e.g. to learn the writer schemas it uses. */
  prepare?(messages: KafkaMessage[]): Promise<void>;
  /** Turns a message into a value, or says why it cannot be one. Must not throw. */
  decode(message: KafkaMessage, partition: number): DecodeResult<T>;
  /**
   * Does the work of a batch and resolves once its effects are durable. A
   * retriable error is retried with backoff, for as long as it takes; any
   * other error is narrowed down by halving the batch until the one message
   * behind it is found and dead-lettered.
   */
  handle(items: ConsumedMessage<T>[], context: BatchContext): Promise<void>;
  /** @default 1 */
  partitionsConsumedConcurrently?: number;
  /** @default 30000 */
  sessionTimeoutMs?: number;
  /** @default 1048576 */
  maxBytesPerPartition?: number;
  /** Backoff between attempts of a failing batch. @default 200 to 15000 ms */
  retry?: { minDelayMs: number; maxDelayMs: number };
}

export interface ConsumerStats {
  messages: number;
  batches: number;
  deadLetters: number;
  /** Dead letters by their reason code. */
  deadLettersByReason: Record<string, number>;
  retries: number;
}

/** The counts of several consumers (the members one process runs) together. */
export function sumConsumerStats(all: ConsumerStats[]): ConsumerStats {
  const total: ConsumerStats = {
    messages: 0,
    batches: 0,
    deadLetters: 0,
    deadLettersByReason: {},
    retries: 0,
  };
  for (const stats of all) {
    total.messages += stats.messages;
    total.batches += stats.batches;
    total.deadLetters += stats.deadLetters;
    total.retries += stats.retries;
    for (const [reason, count] of Object.entries(stats.deadLettersByReason)) {
      total.deadLettersByReason[reason] = (total.deadLettersByReason[reason] ?? 0) + count;
    }
  }
  return total;
}

/**
 * A Kafka consumer that commits an offset only after the work it covers is
 * durable: decode, handle (retried while the failure is transient), publish
 * dead letters, then commit. A crash anywhere before the commit means the
 * batch is read again, so handlers must be idempotent; a message that can
 * never be processed goes to the dead-letter topic and the partition moves on.
 */
export class BatchConsumer<T> {
  readonly stats: ConsumerStats = {
    messages: 0,
    batches: 0,
    deadLetters: 0,
    deadLettersByReason: {},
    retries: 0,
  };
  private readonly consumer: Consumer;
  private readonly logger: Logger;
  private readonly warnings: RateLimitedLog;
  private stopping = false;
  private joined = false;
  private restarting?: Promise<void>;

  constructor(private readonly options: BatchConsumerOptions<T>) {
    this.logger = options.logger.child({ topic: options.topic, groupId: options.groupId });
    this.warnings = new RateLimitedLog(this.logger);
    const sessionTimeout = options.sessionTimeoutMs ?? 30_000;
    this.consumer = options.kafka.consumer({
      groupId: options.groupId,
      sessionTimeout,
      heartbeatInterval: Math.floor(sessionTimeout / 10),
      maxBytesPerPartition: options.maxBytesPerPartition ?? 1024 * 1024,
      allowAutoTopicCreation: false,
      retry: { retries: 10 },
    });
    this.consumer.on(this.consumer.events.GROUP_JOIN, () => (this.joined = true));
    this.consumer.on(this.consumer.events.CRASH, (event) => this.onCrash(event.payload));
  }

  /** True once the consumer has joined its group and not been stopped. */
  isReady(): boolean {
    return this.joined && !this.stopping;
  }

  /** Connects (waiting for the broker as long as it takes) and starts consuming. */
  async start(): Promise<void> {
    await retry(() => this.consumer.connect(), {
      retries: Infinity,
      minDelayMs: 500,
      maxDelayMs: 10_000,
      shouldRetry: () => !this.stopping,
      onRetry: (error, attempt, delayMs) =>
        this.logger.warn({ attempt, delayMs, err: errorMessage(error) }, 'waiting for Kafka'),
    });
    await this.consumer.subscribe({ topic: this.options.topic, fromBeginning: true });
    await this.consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: this.options.partitionsConsumedConcurrently ?? 1,
      eachBatch: (payload) => this.eachBatch(payload),
    });
    this.logger.info('consumer started');
  }

  /** Lets the batch in progress finish and commit, then leaves the group. */
  async stop(): Promise<void> {
    this.stopping = true;
    await this.restarting?.catch(() => undefined);
    await this.consumer.disconnect();
    this.logger.info({ ...this.stats }, 'consumer stopped');
  }

  private async eachBatch(payload: EachBatchPayload): Promise<void> {
    const { batch } = payload;
    if (batch.isEmpty()) return;

    await this.options.prepare?.(batch.messages);
    const letters: DeadLetter[] = [];
    const items: ConsumedMessage<T>[] = [];
    for (const message of batch.messages) {
      const decoded = this.options.decode(message, batch.partition);
      if (decoded.ok) items.push({ value: decoded.value, message, partition: batch.partition });
      else letters.push({ message, partition: batch.partition, ...decoded });
    }

    const heartbeats = setInterval(() => {
      payload
        .heartbeat()
        .catch((error) =>
          this.logger.debug({ err: errorMessage(error) }, 'heartbeat during batch failed'),
        );
    }, 1_000);
    try {
      const context: BatchContext = {
        topic: batch.topic,
        partition: batch.partition,
        reject: (item, reason, error) =>
          letters.push({ message: item.message, partition: item.partition, reason, error }),
      };
      const done = await this.process(items, context, letters, payload);
      if (!done) return;

      const published = await this.untilDone(
        () =>
          publishDeadLetters(this.options.producer, batch.topic, this.options.dlqTopic, letters),
        payload,
        'publishing dead letters',
      );
      if (!published) return;

      // kafkajs fetches on from the last resolved offset; the commit makes it durable.
      payload.resolveOffset(batch.lastOffset());
      await this.commit(batch.topic, batch.partition, batch.lastOffset());
    } finally {
      clearInterval(heartbeats);
    }

    this.stats.messages += batch.messages.length;
    this.stats.batches += 1;
    this.stats.deadLetters += letters.length;
    const metrics = pipelineMetrics();
    const behind = BigInt(batch.highWatermark) - BigInt(batch.lastOffset()) - 1n;
    metrics?.lag.record(Number(behind), {
      topic: batch.topic,
      partition: batch.partition,
      group: this.options.groupId,
    });
    for (const letter of letters) {
      const byReason = this.stats.deadLettersByReason;
      byReason[letter.reason] = (byReason[letter.reason] ?? 0) + 1;
      metrics?.deadLetters.add(1, { topic: batch.topic, reason: letter.reason });
      this.warnings.warn(
        `dead-letter:${letter.reason}`,
        {
          partition: letter.partition,
          offset: letter.message.offset,
          reason: letter.reason,
          err: letter.error,
        },
        'message dead-lettered',
      );
    }
  }

  /**
   * Handles items, halving the batch around a permanent failure. Returns
   * false when the consumer stops or loses the partition before it is done,
   * so that nothing is committed.
   */
  private async process(
    items: ConsumedMessage<T>[],
    context: BatchContext,
    letters: DeadLetter[],
    payload: EachBatchPayload,
  ): Promise<boolean> {
    if (items.length === 0) return true;
    try {
      return await this.untilDone(
        () => this.options.handle(items, context),
        payload,
        'handling batch',
      );
    } catch (error) {
      if (items.length === 1) {
        const [item] = items as [ConsumedMessage<T>];
        letters.push({
          message: item.message,
          partition: item.partition,
          reason: 'processing-failed',
          error: errorMessage(error),
        });
        return true;
      }
      const middle = Math.ceil(items.length / 2);
      return (
        (await this.process(items.slice(0, middle), context, letters, payload)) &&
        this.process(items.slice(middle), context, letters, payload)
      );
    }
  }

  /**
   * Runs a step until it succeeds, retrying transient failures with backoff.
   * Returns false if the consumer stops or the partition is revoked meanwhile;
   * throws a permanent failure.
   */
  private async untilDone(
    step: () => Promise<void>,
    payload: EachBatchPayload,
    what: string,
  ): Promise<boolean> {
    const abandoned = () => this.stopping || !payload.isRunning() || payload.isStale();
    try {
      await retry(step, {
        retries: Infinity,
        minDelayMs: this.options.retry?.minDelayMs ?? 200,
        maxDelayMs: this.options.retry?.maxDelayMs ?? 15_000,
        shouldRetry: (error) => isRetriable(error) && !abandoned(),
        onRetry: (error, attempt, delayMs) => {
          this.stats.retries += 1;
          this.logger.warn(
            { partition: payload.batch.partition, attempt, delayMs, err: errorMessage(error) },
            `${what} failed; retrying`,
          );
        },
      });
      return true;
    } catch (error) {
      if (abandoned()) {
        this.logger.info({ partition: payload.batch.partition }, 'batch abandoned uncommitted');
        return false;
      }
      throw error;
    }
  }

  private async commit(topic: string, partition: number, lastOffset: string): Promise<void> {
    const offset = (BigInt(lastOffset) + 1n).toString();
    try {
      await this.consumer.commitOffsets([{ topic, partition, offset }]);
    } catch (error) {
      // The partition moved to another member; it re-reads from the last
      // commit, and the handlers' idempotence makes that harmless.
      this.logger.warn({ partition, offset, err: errorMessage(error) }, 'offset commit failed');
    }
  }

  /** kafkajs restarts by itself after retriable crashes; after any other, restart here. */
  private onCrash(payload: { error: Error; restart: boolean }): void {
    if (payload.restart || this.stopping) return;
    this.logger.error({ err: errorMessage(payload.error) }, 'consumer crashed; restarting');
    this.restarting = (async () => {
      await this.consumer.disconnect().catch(() => undefined);
      await sleep(2_000);
      if (!this.stopping) await this.start();
    })();
  }
}
