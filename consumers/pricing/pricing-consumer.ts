import { SpanKind, type Span } from '@opentelemetry/api';
import type { Kafka, KafkaMessage } from 'kafkajs';
import { pipelineMetrics, recordCallMetrics } from '../../lib/metrics.ts';
import {
  contextFromHeaders,
  headersOfSpan,
  linksTo,
  startSpan,
  withSpan,
} from '../../lib/trace-context.ts';
import type { PricedCall } from '../../schemas/priced-call.ts';
import type { ClickHouseClient } from '../../clickhouse/client.ts';
import { errorMessage, ValidationError } from '../../lib/errors.ts';
import type { Logger } from '../../lib/logger.ts';
import { memoryMiB } from '../../lib/process-memory.ts';
import { RateLimitedLog } from '../../lib/rate-limited-log.ts';
import { AvroCodec, DecodeError, headerText } from '../../schemas/codec.ts';
import { parseLlmCall, type LlmCall } from '../../schemas/llm-call.ts';
import { SCHEMA_HEADER, SchemaRegistry } from '../../schemas/registry.ts';
import { SchemaTopic } from '../../schemas/schema-topic.ts';
import type { TopicNames } from '../../infra/topics.ts';
import {
  BatchConsumer,
  sumConsumerStats,
  type ConsumedMessage,
  type ConsumerStats,
  type DecodeResult,
} from '../kit/batch-consumer.ts';
import { Coalescer } from '../kit/coalescer.ts';
import { toLlmCallRow } from './llm-calls-row.ts';
import { InsertJournal } from './insert-journal.ts';
import { LlmCallsSink } from './llm-calls-sink.ts';
import { PricedCallPublisher } from './priced-call-publisher.ts';
import type { PriceBook } from './price-book.ts';
import { priceCall } from './pricer.ts';

/** Clock skew tolerated before a call counts as coming from the future. */
const FUTURE_TOLERANCE_MS = 60 * 60 * 1000;
const DAY_MS = 24 * 60 * 60 * 1000;
/** How often a consumer that is busy logs its progress. */
const PROGRESS_MS = 10_000;

/*
 * What a process holds in flight: each member fetches up to this much per
 * partition, and a flush writes up to FLUSH_ITEMS calls while the next one
 * fills. Measured with npm run bench on 2 cores: 1 MiB and 20,000 kept the
 * JavaScript heap near 650 MiB for no more throughput than 512 KiB and 10,000
 * at about 350 MiB; halving again cost a fifth of the throughput.
 */
const FETCH_BYTES_PER_PARTITION = 512 * 1024;
const FLUSH_ITEMS = 10_000;

export interface PricingConsumerOptions {
  kafka: Kafka;
  clickhouse: ClickHouseClient;
  book: PriceBook;
  topics: TopicNames;
  logger: Logger;
  /** Calls older than this are dead-lettered: llm_calls would drop them at once. */
  retentionDays: number;
  /**
   * Where inserts are kept until they land (see InsertJournal), so that a
   * killed process completes them on restart. Without one, only a failure
   * the process lives through is completed.
   */
  journalDir?: string;
  /** @default llmcost-pricing */
  groupId?: string;
  /** Partitions handled at once; their batches are written together. @default 6 */
  partitionsConsumedConcurrently?: number;
  /**
   * Group members this process runs. kafkajs fetches a member's next batches
   * only once its current ones are done, so with one member the next fetch
   * waits for every insert; with two, one member fetches and decodes while
   * the other's batches are written. @default 2
   */
  members?: number;
  /** The schemas this consumer knows at start. @default those shipped in schemas/ */
  registry?: SchemaRegistry;
  /** How long the group waits for a silent member before moving its partitions. @default 30000 */
  sessionTimeoutMs?: number;
  /** Milliseconds since the epoch; a parameter so that tests can fix "now". */
  now?: () => number;
}

/** A call and the headers it came with (its trace context). */
interface Consumed {
  call: LlmCall;
  headers: KafkaMessage['headers'];
}

/** What a flush wrote, for the step that publishes it. */
interface Stored {
  priced: PricedCall[];
  spans: (Span | undefined)[];
  received: number;
  inserted: number;
  alreadyStored: number;
  pricedMs: number;
  writtenMs: number;
  started: number;
}

export interface PricingStats {
  priced: number;
  unpriced: number;
  inserted: number;
  duplicates: number;
  published: number;
}

/**
 * Consumes llm.calls.v1, prices each call exactly, writes llm_calls (and so
 * its rollups), publishes the priced calls to llm.costs.v1, and only then
 * lets the batch's offsets be committed. Undecodable or invalid events go to
 * llm.calls.v1.dlq with their reason; the consumer carries on.
 */
export class PricingConsumer {
  readonly stats: PricingStats = {
    priced: 0,
    unpriced: 0,
    inserted: 0,
    duplicates: 0,
    published: 0,
  };
  private readonly consumers: BatchConsumer<LlmCall>[];
  private readonly publisher: PricedCallPublisher;
  private readonly sink: LlmCallsSink;
  private readonly registry: SchemaRegistry;
  private readonly schemas: SchemaTopic;
  private readonly callCodec: AvroCodec<LlmCall>;
  private readonly coalescer = new Coalescer<Consumed, Stored>({
    flush: (items) => this.flush(items),
    maxItems: FLUSH_ITEMS,
    afterFlush: (_, stored) => this.publish(stored),
  });
  private readonly logger: Logger;
  private readonly warnings: RateLimitedLog;
  private readonly now: () => number;
  private progress?: NodeJS.Timeout;
  private loggedMessages = 0;

  constructor(private readonly options: PricingConsumerOptions) {
    this.logger = options.logger.child({ component: 'pricing' });
    this.warnings = new RateLimitedLog(this.logger);
    this.now = options.now ?? Date.now;
    this.sink = new LlmCallsSink(
      options.clickhouse,
      options.journalDir ? new InsertJournal(options.journalDir) : undefined,
    );
    this.registry = options.registry ?? new SchemaRegistry();
    this.callCodec = new AvroCodec<LlmCall>(this.registry, 'llm-call');
    this.schemas = new SchemaTopic(
      options.kafka,
      options.topics.schemas,
      this.registry,
      this.logger,
    );
    this.publisher = new PricedCallPublisher(
      options.kafka,
      this.registry,
      options.topics.costs,
      this.schemas,
    );
    this.consumers = Array.from(
      { length: options.members ?? 2 },
      () =>
        new BatchConsumer<LlmCall>({
          kafka: options.kafka,
          producer: this.publisher.producer,
          groupId: options.groupId ?? 'llmcost-pricing',
          topic: options.topics.calls,
          dlqTopic: options.topics.callsDlq,
          logger: this.logger,
          partitionsConsumedConcurrently: options.partitionsConsumedConcurrently ?? 6,
          maxBytesPerPartition: FETCH_BYTES_PER_PARTITION,
          sessionTimeoutMs: options.sessionTimeoutMs,
          prepare: (messages) => this.learnWriterSchemas(messages),
          decode: (message) => this.decode(message),
          handle: (items) => this.handle(items),
        }),
    );
  }

  /** The counts of all members together. */
  get consumerStats(): ConsumerStats {
    return sumConsumerStats(this.consumers.map((consumer) => consumer.stats));
  }

  isReady(): boolean {
    return this.consumers.every((consumer) => consumer.isReady());
  }

  async start(): Promise<void> {
    await this.publisher.connect();
    await Promise.all(this.consumers.map((consumer) => consumer.start()));
    this.progress = setInterval(() => this.logProgress(), PROGRESS_MS);
    this.progress.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.progress);
    await Promise.all(this.consumers.map((consumer) => consumer.stop()));
    await this.publisher.disconnect();
  }

  /** Newer producers may write with a schema version this process was not shipped with. */
  private async learnWriterSchemas(messages: KafkaMessage[]): Promise<void> {
    const ids = new Set<string>();
    for (const message of messages) {
      const id = headerText(message.headers?.[SCHEMA_HEADER]);
      if (id?.startsWith('llm-call.') && !this.registry.has(id)) ids.add(id);
    }
    if (ids.size > 0) await this.schemas.learn(ids);
  }

  private decode(message: KafkaMessage): DecodeResult<LlmCall> {
    let call: LlmCall;
    try {
      call = parseLlmCall(this.callCodec.decode(message.value, message.headers));
    } catch (error) {
      if (error instanceof DecodeError)
        return { ok: false, reason: error.reason, error: error.message };
      if (error instanceof ValidationError) {
        return { ok: false, reason: 'invalid-field', error: error.message };
      }
      return { ok: false, reason: 'undecodable', error: errorMessage(error) };
    }

    const now = this.now();
    if (call.occurredAt > now + FUTURE_TOLERANCE_MS) {
      return {
        ok: false,
        reason: 'future-timestamp',
        error: `occurredAt ${new Date(call.occurredAt).toISOString()} is in the future`,
      };
    }
    if (call.occurredAt < now - this.options.retentionDays * DAY_MS) {
      return {
        ok: false,
        reason: 'older-than-retention',
        error:
          `occurredAt ` +
          `${new Date(call.occurredAt).toISOString()} is older than the ` +
          `${this.options.retentionDays}-day retention (LLMCOST_RETENTION_DAYS)`,
      };
    }
    return { ok: true, value: call };
  }

  /** The calls of one partition's batch join those of the others in the next flush. */
  private handle(items: ConsumedMessage<LlmCall>[]): Promise<void> {
    return this.coalescer.submit(
      items.map((item) => ({ call: item.value, headers: item.message.headers })),
    );
  }

  /**
   * Prices the calls of one or more batches and writes them; publishing them
   * follows (publish()) while the next flush is written.
   */
  private async flush(consumed: Consumed[]): Promise<Stored> {
    const now = this.now();
    const unique = new Map<string, Consumed>();
    for (const item of consumed) {
      if (!unique.has(item.call.eventId)) unique.set(item.call.eventId, item);
    }
    const items = [...unique.values()];
    const spans = items.map((item) =>
      startSpan('llmcost.price', {
        kind: SpanKind.CONSUMER,
        parent: contextFromHeaders(item.headers),
        attributes: { 'llmcost.event_id': item.call.eventId },
      }),
    );
    const batchSpan = startSpan('llmcost.pricing.batch', {
      kind: SpanKind.CONSUMER,
      links: linksTo(spans),
      attributes: { 'messaging.batch.message_count': consumed.length },
    });

    try {
      const stored = await withSpan(batchSpan, () => this.priceAndStore(items, now));
      return { ...stored, received: consumed.length, spans };
    } catch (error) {
      for (const span of spans) span?.end();
      throw error;
    } finally {
      batchSpan?.end();
    }
  }

  private async priceAndStore(items: Consumed[], now: number) {
    const started = performance.now();
    const priced = items.map((item) => priceCall(item.call, this.options.book, now));
    const rows = priced.map((p) => toLlmCallRow(p, now));
    const pricedMs = performance.now() - started;
    const { inserted, alreadyStored } = await this.sink.write(rows);
    const writtenMs = performance.now() - started;
    return { priced, inserted, alreadyStored, pricedMs, writtenMs, started };
  }

  /** Publishes the priced calls of a flush once they are stored, and counts them. */
  private async publish(stored: Stored): Promise<void> {
    const { priced, spans, received } = stored;
    try {
      await this.publisher.publish(priced, spans.map(headersOfSpan));
    } finally {
      for (const span of spans) span?.end();
    }
    this.logger.debug(
      {
        batchSize: received,
        pricedMs: Math.round(stored.pricedMs),
        writtenMs: Math.round(stored.writtenMs),
        durationMs: Math.round(performance.now() - stored.started),
      },
      'batch priced',
    );

    const duplicates = received - priced.length + stored.alreadyStored;
    this.stats.inserted += stored.inserted;
    this.stats.duplicates += duplicates;
    this.stats.published += priced.length;
    const metrics = pipelineMetrics();
    metrics?.batchSize.record(received, { topic: this.options.topics.calls });
    metrics?.insertDuration.record(stored.writtenMs - stored.pricedMs, { table: 'llm_calls' });
    if (duplicates > 0) metrics?.duplicates.add(duplicates);
    for (const p of priced) this.count(p);
  }

  private count(p: PricedCall): void {
    const priced = p.pricingStatus === 'priced';
    recordCallMetrics('pricing', p.call, priced ? Number(p.cost.totalUsd) : undefined);
    if (priced) {
      this.stats.priced += 1;
      return;
    }
    this.stats.unpriced += 1;
    pipelineMetrics()?.unpriced.add(1, {
      provider: p.call.provider,
      model: p.call.model,
      status: p.pricingStatus,
    });
    this.warnings.warn(
      `unpriced:${p.call.provider}/${p.call.model}`,
      { provider: p.call.provider, model: p.call.model, reason: p.unpricedReason },
      'call stored unpriced',
    );
  }

  private logProgress(): void {
    const { messages, deadLetters, retries } = this.consumerStats;
    if (messages === this.loggedMessages) return;
    this.loggedMessages = messages;
    this.logger.info(
      { messages, deadLetters, retries, ...this.stats, memory: memoryMiB() },
      'pricing progress',
    );
  }
}
