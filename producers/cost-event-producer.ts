import { Partitioners, type Kafka, type Message, type Producer } from 'kafkajs';
import { sendInChunks } from '../infra/chunked-send.ts';
import { errorMessage, PipelineError } from '../lib/errors.ts';
import type { Logger } from '../lib/logger.ts';
import { sleep } from '../lib/retry.ts';
import { AvroCodec } from '../schemas/codec.ts';
import { parseLlmCall, type LlmCall, type LlmCallInput } from '../schemas/llm-call.ts';
import { SchemaRegistry } from '../schemas/registry.ts';
import { SchemaTopic } from '../schemas/schema-topic.ts';
import { SpanKind } from '@opentelemetry/api';
import { createPriceBook } from '../consumers/pricing/create-price-book.ts';
import type { PriceBook } from '../consumers/pricing/price-book.ts';
import { priceCall } from '../consumers/pricing/pricer.ts';
import { recordCallMetrics } from '../lib/metrics.ts';
import { telemetryState } from '../lib/telemetry-state.ts';
import { headersOfSpan, startSpan } from '../lib/trace-context.ts';
import { topicNames, type TopicNames } from '../infra/topics.ts';
import { callFromResponse, callFromStream, type CallContext } from './from-response.ts';
import type { StreamUsage } from './usage/index.ts';
import { QuotaView, type QuotaCheck } from './quota-view.ts';

export interface CostEventProducerOptions {
  kafka: Kafka;
  logger: Logger;
  /**
   * The calls topic, where writer schemas are published for readers, and the
   * quota states checkQuota() reads.
   * @default llm.calls.v1, llmcost.schemas and quota.state.v1 (topicNames())
   */
  topics?: Pick<TopicNames, 'calls' | 'schemas' | 'quotaState'>;
  /** The schemas to write with (the newest llm-call version). @default those in schemas/ */
  registry?: SchemaRegistry;
  /**
   * Events held while Kafka is slow or away; past this, record() waits, then throws.
   * @default 10000
   */
  maxBufferedEvents?: number;
  /** Events per send. @default 1000 */
  maxBatchSize?: number;
  /** How long a partly filled batch waits for more events. @default 20 */
  lingerMs?: number;
  /** How long record() waits for room in a full buffer. @default 5000 */
  maxBlockMs?: number;
  /** Called on every failed send, with the error and how many events wait. */
  onDeliveryError?: (error: Error, pending: number) => void;
}

/**
 * record() found no room for its calls within maxBlockMs: Kafka is away or too
 * slow. None of the calls passed was queued, so they can all be retried.
 */
export class BufferFullError extends PipelineError {
  constructor(wanted: number, pending: number, limit: number, cause: unknown) {
    super(
      `cost event buffer has no room for ${wanted} more call(s): ${pending} of ${limit} ` +
        `wait for Kafka (${cause ? errorMessage(cause) : 'Kafka is too slow'}); ` +
        'none of them was queued: retry them, check the brokers, or raise maxBufferedEvents',
      {
        code: 'BUFFER_FULL',
        retriable: true,
        context: { wanted, pending, limit },
        cause,
      },
    );
  }
}

/** close() or flush() ran out of time with events still undelivered; they are attached. */
export class UndeliveredEventsError extends PipelineError {
  constructor(
    readonly events: LlmCall[],
    cause: unknown,
  ) {
    super(
      `${events.length} cost events could not be delivered to Kafka: ` +
        `${cause ? errorMessage(cause) : 'timed out'}`,
      {
        code: 'UNDELIVERED',
        retriable: true,
        context: { pending: events.length },
        cause,
      },
    );
  }
}

/** How long a send may wait for Kafka before it is reported (and then again each time). */
const SLOW_SEND_MS = 10_000;

/** What close() grants a send in flight and the disconnect even when its time is spent. */
const CLOSE_GRACE_MS = 1_000;

interface Pending {
  call: LlmCall;
  message: Message;
}

/**
 * Publishes llm-call events for a service. `record()` validates the call
 * (throwing a ValidationError that names each bad field) and queues it; a
 * background sender publishes queued events in batches keyed by tenant, and
 * keeps retrying while Kafka is away. Nothing is dropped: when the bounded
 * buffer is full `record()` waits and then throws BufferFullError, and
 * `close()` hands back whatever it could not deliver.
 */
export class CostEventProducer {
  readonly stats = { recorded: 0, delivered: 0, failedSends: 0 };
  private readonly producer: Producer;
  private readonly codec: AvroCodec<LlmCall>;
  private readonly schemas: SchemaTopic;
  private readonly topic: string;
  private readonly buffer: Pending[] = [];
  private readonly limits;
  private lastError: Error | undefined;
  private sending: Promise<void> | undefined;
  private connected = false;
  private closed = false;
  /** Wakes the sender that waits, its buffer empty, for a first event. */
  private wakeIdle: (() => void) | undefined;
  /** Wakes the sender that lingers, so that a batch fills, before its linger ends. */
  private wakeLingering: (() => void) | undefined;
  private roomWaiters: (() => void)[] = [];
  private quota: QuotaView | undefined;
  private catalogue: PriceBook | undefined;
  private drainedWaiters: (() => void)[] = [];

  constructor(private readonly options: CostEventProducerOptions) {
    const topics = options.topics ?? topicNames();
    this.topic = topics.calls;
    const registry = options.registry ?? new SchemaRegistry();
    this.codec = new AvroCodec<LlmCall>(registry, 'llm-call');
    this.schemas = new SchemaTopic(options.kafka, topics.schemas, registry, options.logger);
    this.limits = {
      maxBuffered: options.maxBufferedEvents ?? 10_000,
      maxBatch: options.maxBatchSize ?? 1_000,
      lingerMs: options.lingerMs ?? 20,
      maxBlockMs: options.maxBlockMs ?? 5_000,
    };
    this.producer = options.kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      createPartitioner: Partitioners.DefaultPartitioner,
      // kafkajs retries an idempotent producer's sends until they succeed; the
      // watchdog in send() reports a send that takes long.
      retry: { retries: Number.MAX_SAFE_INTEGER, initialRetryTime: 200, maxRetryTime: 5_000 },
    });
  }

  /** Validates and queues one call; resolves with its eventId once it is queued. */
  async record(input: LlmCallInput): Promise<{ eventId: string }> {
    const [eventId] = (await this.recordMany([input])).eventIds;
    return { eventId: eventId! };
  }

  /**
   * Records a call straight from a provider's response body (OpenAI chat or
   * Responses API, Anthropic messages, Gemini generateContent).
   */
  recordResponse(body: unknown, context: CallContext): Promise<{ eventId: string }> {
    return this.record(callFromResponse(body, context));
  }

  /**
   * Records a streamed call from the usage collected off its stream; a stream
   * whose final usage never arrived is recorded as such (priced later as
   * `usage_missing`), never as a free call.
   */
  recordStream(stream: StreamUsage, context: CallContext): Promise<{ eventId: string }> {
    return this.record(callFromStream(stream, context));
  }

  /**
   * Queues all calls or none: each is validated and the buffer must have room
   * for all of them, so that a failed call can be retried whole without
   * recording some calls twice.
   */
  async recordMany(inputs: LlmCallInput[]): Promise<{ eventIds: string[] }> {
    if (this.closed) throw new PipelineError('producer is closed', { code: 'CLOSED' });
    const calls = inputs.map((input) => parseLlmCall(input));
    if (calls.length > this.limits.maxBuffered) {
      throw new PipelineError(
        `recordMany got ${calls.length} calls, more than the buffer holds ` +
          `(maxBufferedEvents ${this.limits.maxBuffered}); record them in smaller groups`,
        { code: 'TOO_MANY_CALLS', context: { calls: calls.length } },
      );
    }

    await this.waitForRoom(calls.length);
    for (const call of calls) {
      const encoded = this.codec.encode(call);
      const trace = this.observe(call);
      const headers = { ...encoded.headers, ...trace };
      this.buffer.push({ call, message: { key: call.tenantId, value: encoded.value, headers } });
      this.stats.recorded += 1;
    }
    this.ensureSender();
    this.wakeIdle?.();
    if (this.buffer.length >= this.limits.maxBatch) this.wakeLingering?.();
    return { eventIds: calls.map((call) => call.eventId) };
  }

  /**
   * With telemetry on: counts the call's tokens and its cost at catalogue
   * prices (the pipeline's exact figure may differ by overrides) and starts
   * the trace that follows the call through pricing and alerting.
   */
  private observe(call: LlmCall): Record<string, string> {
    if (telemetryState.metrics) {
      this.catalogue ??= createPriceBook(undefined, this.options.logger);
      const priced = priceCall(call, this.catalogue, Date.now());
      const cost = priced.pricingStatus === 'priced' ? Number(priced.cost.totalUsd) : undefined;
      recordCallMetrics('producer', call, cost);
    }
    const span = startSpan('llmcost.record', {
      kind: SpanKind.PRODUCER,
      attributes: {
        'llmcost.event_id': call.eventId,
        'llmcost.touchpoint': call.touchpoint,
        'gen_ai.provider.name': call.provider,
        'gen_ai.request.model': call.model,
      },
    });
    const headers = headersOfSpan(span);
    span?.end();
    return headers;
  }

  /**
   * Where the budgets stand that would count a call in `scope` (`tenant=acme`,
   * `tenant=acme,user=u7` …), from quota.state.v1 as the alerting consumer
   * publishes it. The first call reads the topic; later ones answer from
   * memory. Whether to refuse, degrade or go on is the service's choice.
   */
  async checkQuota(scope: string): Promise<QuotaCheck> {
    this.quota ??= new QuotaView(
      this.options.kafka,
      (this.options.topics ?? topicNames()).quotaState,
      this.options.logger,
    );
    await this.quota.ready();
    return this.quota.check(scope);
  }

  /** Resolves when every queued event is in Kafka; throws with the rest after timeoutMs. */
  async flush(timeoutMs = 30_000): Promise<void> {
    if (this.buffer.length === 0) return;
    this.ensureSender();
    this.wakeSender();

    const drained = new Promise<void>((resolve) => this.drainedWaiters.push(resolve));
    if (!(await settlesWithin(drained, timeoutMs))) {
      throw new UndeliveredEventsError(
        this.buffer.map((p) => p.call),
        this.lastError,
      );
    }
  }

  /**
   * Flushes, stops the sender and disconnects, all within about timeoutMs;
   * throws with the undelivered events, if any. A send still in flight may
   * yet land after that: recording those events again is safe, because the
   * pipeline stores each eventId once.
   */
  async close(timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    try {
      await this.flush(timeoutMs);
    } finally {
      this.closed = true;
      this.wakeSender();
      const left = () => Math.max(CLOSE_GRACE_MS, deadline - Date.now());
      if (this.sending)
        await settlesWithin(
          this.sending.catch(() => undefined),
          left(),
        );
      await this.quota?.stop();
      await settlesWithin(
        this.producer.disconnect().catch(() => undefined),
        left(),
      );
    }
  }

  /** Waits until `count` more events fit the buffer, at most maxBlockMs. */
  private async waitForRoom(count: number): Promise<void> {
    const deadline = Date.now() + this.limits.maxBlockMs;
    while (this.buffer.length + count > this.limits.maxBuffered) {
      const room = new Promise<void>((resolve) => this.roomWaiters.push(resolve));
      const waited = await settlesWithin(room, deadline - Date.now());
      if (!waited) {
        throw new BufferFullError(
          count,
          this.buffer.length,
          this.limits.maxBuffered,
          this.lastError,
        );
      }
    }
  }

  private wakeSender(): void {
    this.wakeIdle?.();
    this.wakeLingering?.();
  }

  private ensureSender(): void {
    this.sending ??= this.sendLoop().finally(() => (this.sending = undefined));
  }

  private async sendLoop(): Promise<void> {
    let failures = 0;
    while (!this.closed || this.buffer.length > 0) {
      if (this.buffer.length === 0) {
        this.notify(this.drainedWaiters);
        if (this.closed) return;
        await new Promise<void>((resolve) => (this.wakeIdle = resolve));
        continue;
      }
      if (this.buffer.length < this.limits.maxBatch && !this.closed) {
        const full = new Promise<void>((resolve) => (this.wakeLingering = resolve));
        await Promise.race([sleep(this.limits.lingerMs), full]);
      }

      const batch = this.buffer.slice(0, this.limits.maxBatch);
      try {
        await this.send(batch);
        this.buffer.splice(0, batch.length);
        this.stats.delivered += batch.length;
        failures = 0;
        this.notify(this.roomWaiters);
      } catch (error) {
        failures += 1;
        if (this.closed && failures > 3) return;
        await this.backOff(error as Error, failures);
      }
    }
    this.notify(this.drainedWaiters);
  }

  private async send(batch: Pending[]): Promise<void> {
    const started = Date.now();
    const watchdog = setInterval(() => {
      const error = new PipelineError(
        `Kafka has not acknowledged ${batch.length} events for ` +
          `${Math.round((Date.now() - started) / 1000)} s; still trying`,
        {
          code: 'KAFKA_SLOW',
          retriable: true,
        },
      );
      this.lastError = error;
      this.options.logger.warn({ pending: this.buffer.length, topic: this.topic }, error.message);
      this.options.onDeliveryError?.(error, this.buffer.length);
    }, SLOW_SEND_MS);

    try {
      if (!this.connected) {
        await this.producer.connect();
        this.connected = true;
      }
      await this.schemas.publish([this.codec.schemaId]);
      await sendInChunks(
        this.producer,
        this.topic,
        batch.map((p) => p.message),
      );
    } finally {
      clearInterval(watchdog);
    }
  }

  private async backOff(error: Error, failures: number): Promise<void> {
    this.lastError = error;
    this.stats.failedSends += 1;
    const delayMs = Math.min(10_000, 250 * 2 ** Math.min(failures, 6));
    this.options.logger.warn(
      { pending: this.buffer.length, attempt: failures, delayMs, err: error.message },
      'publishing cost events failed; retrying',
    );
    this.options.onDeliveryError?.(error, this.buffer.length);
    await sleep(delayMs);
  }

  private notify(waiters: (() => void)[]): void {
    for (const resolve of waiters.splice(0)) resolve();
  }
}

/** True if `promise` settles within `ms`; the timer never outlives the wait. */
async function settlesWithin(promise: Promise<void>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
  try {
    return await Promise.race([promise.then(() => true), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Creates the producer a service uses to record its LLM calls. */
export function createCostEventProducer(options: CostEventProducerOptions): CostEventProducer {
  return new CostEventProducer(options);
}
