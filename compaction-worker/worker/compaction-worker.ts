import { Partitioners, type Kafka, type KafkaMessage, type Producer } from 'kafkajs';
import {
  BatchConsumer,
  type BatchContext,
  type ConsumedMessage,
  type DecodeResult,
} from '../../consumers/kit/batch-consumer.ts';
import { kafkaError } from '../../infra/kafka-errors.ts';
import type { TopicNames } from '../../infra/topics.ts';
import { errorMessage, PipelineError } from '../../lib/errors.ts';
import type { Logger } from '../../lib/logger.ts';
import { CostEventProducer } from '../../producers/cost-event-producer.ts';
import { DecodeError } from '../../schemas/codec.ts';
import { SchemaRegistry } from '../../schemas/registry.ts';
import type { ModelBackend } from '../llm/model-backend.ts';
import { LruCache } from '../tokens/lru-cache.ts';
import type { TokenCounting } from '../tokens/token-counting.ts';
import { ProgressPublisher } from './progress.ts';
import type { CompactionResult } from './request.ts';
import { failedResult, runCompaction } from './run-compaction.ts';
import { CompactionWire, MAX_MESSAGE_BYTES, type WireRequest } from './wire.ts';
import { SpanKind } from '@opentelemetry/api';
import { pipelineMetrics } from '../../lib/metrics.ts';
import { contextFromHeaders, headersOfSpan, startSpan } from '../../lib/trace-context.ts';

export interface CompactionWorkerOptions {
  kafka: Kafka;
  topics: TopicNames;
  logger: Logger;
  /** Shared token counting; the caller closes it after stop(). */
  counting: TokenCounting;
  /** The model endpoint; undefined: local deterministic methods. */
  model?: ModelBackend;
  /** @default llmcost-compaction */
  groupId?: string;
  /** Partitions worked on at once: a slow request holds up only its own. @default 2 */
  partitionsConsumedConcurrently?: number;
  /** @default 30000 */
  sessionTimeoutMs?: number;
  /** Request ids remembered as done, so a redelivered request is not done twice. @default 10000 */
  rememberedRequests?: number;
}

export interface CompactionWorkerStats {
  completed: number;
  failed: number;
  duplicates: number;
}

/**
 * Consumes compaction.requests.v1 and publishes one result per request to
 * compaction.results.v1, with progress on compaction.progress.v1 and each
 * model call on llm.calls.v1. Offsets are committed only after the results
 * and the model calls of a batch are in Kafka. A request that cannot be
 * read or is invalid gets a failed result (when it names itself) and goes
 * to the dead-letter topic with its reason.
 */
export class CompactionWorker {
  readonly stats: CompactionWorkerStats = { completed: 0, failed: 0, duplicates: 0 };
  private readonly consumer: BatchConsumer<WireRequest>;
  private readonly producer: Producer;
  private readonly calls: CostEventProducer;
  private readonly wire: CompactionWire;
  private readonly progress: ProgressPublisher;
  private readonly logger: Logger;
  private readonly done: LruCache<string, true>;

  constructor(private readonly options: CompactionWorkerOptions) {
    this.logger = options.logger.child({ component: 'compaction-worker' });
    const registry = new SchemaRegistry();
    this.wire = new CompactionWire(registry);
    this.done = new LruCache({
      maxEntries: options.rememberedRequests ?? 10_000,
      ttlMs: 24 * 3600 * 1000,
    });
    this.producer = options.kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      createPartitioner: Partitioners.DefaultPartitioner,
      retry: { retries: Number.MAX_SAFE_INTEGER, initialRetryTime: 200, maxRetryTime: 5_000 },
    });
    this.calls = new CostEventProducer({
      kafka: options.kafka,
      logger: this.logger,
      topics: options.topics,
    });
    this.progress = new ProgressPublisher(
      registry,
      this.producer,
      options.topics.compactionProgress,
      this.logger,
    );
    this.consumer = new BatchConsumer<WireRequest>({
      kafka: options.kafka,
      producer: this.producer,
      groupId: options.groupId ?? 'llmcost-compaction',
      topic: options.topics.compactionRequests,
      dlqTopic: options.topics.compactionRequestsDlq,
      logger: this.logger,
      partitionsConsumedConcurrently: options.partitionsConsumedConcurrently ?? 2,
      sessionTimeoutMs: options.sessionTimeoutMs,
      // One whole request must fit in a fetch.
      maxBytesPerPartition: MAX_MESSAGE_BYTES + 1024 * 1024,
      decode: (message) => this.decode(message),
      handle: (items, context) => this.handle(items, context),
    });
  }

  get consumerStats() {
    return this.consumer.stats;
  }

  isReady(): boolean {
    return this.consumer.isReady();
  }

  async start(): Promise<void> {
    await this.producer.connect();
    await this.consumer.start();
    this.logger.info(
      { model: this.options.model?.config.model ?? 'local' },
      'compaction worker started',
    );
  }

  /** Finishes the batch in progress, delivers its model calls, and disconnects. */
  async stop(): Promise<void> {
    await this.consumer.stop();
    await this.calls.close();
    await this.producer.disconnect();
    this.logger.info({ ...this.stats }, 'compaction worker stopped');
  }

  private decode(message: KafkaMessage): DecodeResult<WireRequest> {
    try {
      return { ok: true, value: this.wire.requests.decode(message.value, message.headers) };
    } catch (error) {
      const reason = error instanceof DecodeError ? error.reason : 'undecodable';
      return { ok: false, reason, error: errorMessage(error) };
    }
  }

  private async handle(
    items: ConsumedMessage<WireRequest>[],
    context: BatchContext,
  ): Promise<void> {
    for (const item of items) {
      const { requestId } = item.value;
      if (this.done.get(requestId)) {
        this.stats.duplicates += 1;
        continue;
      }
      // The request's trace (from whoever submitted it) goes on to its result.
      const span = startSpan('llmcost.compaction', {
        kind: SpanKind.CONSUMER,
        parent: contextFromHeaders(item.message.headers),
        attributes: { 'llmcost.request_id': requestId, 'llmcost.strategy': item.value.strategy },
      });
      try {
        const result = await this.process(item, context);
        await this.publish(result, headersOfSpan(span));
      } finally {
        span?.end();
      }
      this.done.set(requestId, true);
    }
    // The batch's model calls must be in Kafka before its offsets are committed.
    await this.calls.flush();
  }

  /** One request to its result; a request that cannot be done is rejected with a failed result. */
  private async process(
    item: ConsumedMessage<WireRequest>,
    context: BatchContext,
  ): Promise<CompactionResult> {
    const wire = item.value;
    const log = this.logger.child({
      requestId: wire.requestId,
      tenantId: wire.tenantId,
      partition: item.partition,
    });
    const progress = this.progress.forRequest(wire);
    await progress.start();
    try {
      const request = await this.wire.decodeRequest(wire);
      const result = await runCompaction(
        request,
        { counting: this.options.counting, model: this.options.model, calls: this.calls },
        progress.report,
      );
      await progress.end(false);
      this.stats.completed += 1;
      const metrics = pipelineMetrics();
      metrics?.compactionDuration.record(result.durationMs, { strategy: result.strategy });
      metrics?.compactionReduction.record(result.reduction, { strategy: result.strategy });
      log.info(
        {
          strategy: result.strategy,
          tokensBefore: result.tokensBefore,
          tokensAfter: result.tokensAfter,
          durationMs: result.durationMs,
        },
        'compaction done',
      );
      return result;
    } catch (error) {
      if (isTransient(error)) throw error;
      await progress.end(true);
      this.stats.failed += 1;
      const reason =
        error instanceof PipelineError ? error.code.toLowerCase() : 'processing-failed';
      context.reject(item, `invalid-request:${reason}`, errorMessage(error));
      log.warn({ err: errorMessage(error) }, 'compaction request refused');
      return failedResult(wire, errorMessage(error));
    }
  }

  private async publish(
    result: CompactionResult,
    trace: Record<string, string> = {},
  ): Promise<void> {
    let message;
    try {
      message = await this.wire.encodeResult(result);
    } catch (error) {
      // A result over the size limit is replaced by a failed one that says so.
      message = await this.wire.encodeResult(failedResult(result, errorMessage(error)));
    }
    try {
      await this.producer.send({
        topic: this.options.topics.compactionResults,
        acks: -1,
        messages: [{ ...message, headers: { ...message.headers, ...trace } }],
      });
    } catch (error) {
      throw kafkaError(error, 'publishing a compaction result failed', {
        topic: this.options.topics.compactionResults,
        requestId: result.requestId,
      });
    }
  }
}

/** Kafka being away is worth waiting for; anything else about a request will not change. */
function isTransient(error: unknown): boolean {
  return error instanceof PipelineError && error.retriable && error.code !== 'MODEL_CALL';
}
