import crypto from 'node:crypto';
import { Partitioners, type Consumer, type Kafka, type KafkaMessage } from 'kafkajs';
import type { ModelBackend } from '../compaction-worker/llm/model-backend.ts';
import type { TokenCounting } from '../compaction-worker/tokens/token-counting.ts';
import { CompactionWorker } from '../compaction-worker/worker/compaction-worker.ts';
import type { CompactionRequest, CompactionResult } from '../compaction-worker/worker/request.ts';
import { CompactionWire } from '../compaction-worker/worker/wire.ts';
import type { TopicNames } from '../infra/topics.ts';
import { SchemaRegistry } from '../schemas/registry.ts';
import { testLogger, waitFor } from './helpers/infra.ts';

export const wire = new CompactionWire(new SchemaRegistry());

/** A compaction worker on the test's own topics, started. */
export async function startWorker(
  kafka: Kafka,
  topics: TopicNames,
  counting: TokenCounting,
  options: { model?: ModelBackend; sessionTimeoutMs?: number } = {},
): Promise<CompactionWorker> {
  const worker = new CompactionWorker({
    kafka,
    topics,
    logger: testLogger,
    counting,
    groupId: `${topics.compactionRequests}.worker`,
    ...options,
  });
  await worker.start();
  return worker;
}

export function newRequest(fields: Partial<CompactionRequest>): CompactionRequest {
  return {
    requestId: crypto.randomUUID(),
    conversationId: crypto.randomUUID(),
    tenantId: 'acme',
    userId: 'u1',
    strategy: 'none',
    options: {},
    tokenBudget: 1_000,
    model: 'gpt-4o',
    requestedAt: Date.now(),
    ...fields,
  };
}

/** Publishes requests as a service would, encoded and compressed. */
export async function sendRequests(
  kafka: Kafka,
  topics: TopicNames,
  requests: CompactionRequest[],
  raw: { key: string; value: Buffer; headers?: Record<string, string> }[] = [],
): Promise<void> {
  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  const messages = [...(await Promise.all(requests.map((r) => wire.encodeRequest(r)))), ...raw];
  for (let start = 0; start < messages.length; start += 50) {
    const chunk = messages.slice(start, start + 50);
    await producer.send({ topic: topics.compactionRequests, acks: -1, messages: chunk });
  }
  await producer.disconnect();
}

/** Reads a topic from the beginning into memory, for the assertions of one test file. */
export class TopicReader<T> {
  readonly items: T[] = [];
  private consumer?: Consumer;

  constructor(
    private readonly kafka: Kafka,
    private readonly topic: string,
    private readonly decode: (message: KafkaMessage) => Promise<T> | T,
  ) {}

  async start(): Promise<this> {
    this.consumer = this.kafka.consumer({
      groupId: `${this.topic}.reader.${crypto.randomBytes(3).toString('hex')}`,
      maxBytesPerPartition: 17 * 1024 * 1024,
    });
    await this.consumer.connect();
    await this.consumer.subscribe({ topic: this.topic, fromBeginning: true });
    await this.consumer.run({
      eachMessage: async ({ message }) => {
        this.items.push(await this.decode(message));
      },
    });
    return this;
  }

  /** Waits until `count` items satisfy `test`, and returns them. */
  async waitFor(
    what: string,
    test: (item: T) => boolean,
    count = 1,
    timeoutMs = 120_000,
  ): Promise<T[]> {
    return waitFor(
      what,
      async () => {
        const found = this.items.filter(test);
        return found.length >= count ? found : undefined;
      },
      timeoutMs,
    );
  }

  async stop(): Promise<void> {
    await this.consumer?.disconnect();
  }
}

export const resultReader = (kafka: Kafka, topics: TopicNames) =>
  new TopicReader<CompactionResult>(kafka, topics.compactionResults, (message) =>
    wire.decodeResult(wire.results.decode(message.value, message.headers)),
  );

export const header = (message: KafkaMessage, name: string) =>
  message.headers?.[name]?.toString() ?? '';
