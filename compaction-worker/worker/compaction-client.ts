import { Partitioners, type Kafka, type Producer } from 'kafkajs';
import { kafkaError } from '../../infra/kafka-errors.ts';
import type { TopicNames } from '../../infra/topics.ts';
import { PipelineError } from '../../lib/errors.ts';
import { retry } from '../../lib/retry.ts';
import { SchemaRegistry } from '../../schemas/registry.ts';
import type { CompactionRequest, CompactionResult } from './request.ts';
import { CompactionWire, MAX_MESSAGE_BYTES, type WireResult } from './wire.ts';

export interface SubmitOptions {
  /** How long to wait for the result. @default 120000 */
  timeoutMs?: number;
}

/**
 * Sends one request to compaction.requests.v1 and waits for its result on
 * compaction.results.v1. The results topic's end offsets are taken before
 * the request is sent and the reader starts there, so the result cannot slip
 * past between the two. An oversized request is refused before sending.
 */
export async function compactThroughTopics(
  kafka: Kafka,
  topics: TopicNames,
  request: CompactionRequest,
  options: SubmitOptions = {},
): Promise<CompactionResult> {
  const wire = new CompactionWire(new SchemaRegistry());
  const sender = new CompactionSender(kafka, topics, wire);
  const message = await sender.encode(request);
  const starts = await endOffsets(kafka, topics.compactionResults);

  const reader = kafka.consumer({
    groupId: `llmcost-compact-${request.requestId}`,
    maxBytesPerPartition: MAX_MESSAGE_BYTES + 1024 * 1024,
    allowAutoTopicCreation: false,
  });
  await reader.connect();
  try {
    let found: ((value: WireResult) => void) | undefined;
    const arrived = new Promise<WireResult>((resolve) => (found = resolve));
    await reader.subscribe({ topic: topics.compactionResults, fromBeginning: false });
    await reader.run({
      autoCommit: false,
      eachMessage: async ({ message: result }) => {
        const decoded = wire.results.decode(result.value, result.headers);
        if (decoded.requestId === request.requestId) found?.(decoded);
      },
    });
    for (const { partition, offset } of starts) {
      reader.seek({ topic: topics.compactionResults, partition, offset });
    }

    await sender.connect();
    try {
      await sender.send(message);
    } finally {
      await sender.disconnect();
    }
    return await wire.decodeResult(await within(arrived, options.timeoutMs ?? 120_000));
  } finally {
    await reader.disconnect();
  }
}

/**
 * Publishes compaction requests to compaction.requests.v1, keyed by
 * conversation, with one producer for as long as it is connected. A request
 * over the topic's size limit is refused by `encode` with a
 * MessageTooLargeError, before anything is sent.
 */
export class CompactionSender {
  private readonly producer: Producer;

  constructor(
    kafka: Kafka,
    private readonly topics: Pick<TopicNames, 'compactionRequests'>,
    private readonly wire = new CompactionWire(new SchemaRegistry()),
  ) {
    this.producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
  }

  connect(): Promise<void> {
    return this.producer.connect();
  }

  disconnect(): Promise<void> {
    return this.producer.disconnect();
  }

  /** The request as a Kafka message; throws MessageTooLargeError for one over the limit. */
  encode(request: CompactionRequest): Promise<EncodedRequest> {
    return this.wire.encodeRequest(request);
  }

  async send(message: EncodedRequest): Promise<void> {
    const topic = this.topics.compactionRequests;
    try {
      await this.producer.send({ topic, acks: -1, messages: [message] });
    } catch (error) {
      throw kafkaError(error, 'sending the compaction request failed', { topic });
    }
  }
}

/** A request as a Kafka message: key, Avro value and headers. */
export type EncodedRequest = Awaited<ReturnType<CompactionWire['encodeRequest']>>;

/**
 * The end offset of every partition of a topic: where a reader starts that
 * must see everything published from now on, whenever it joins its group.
 * A topic created a moment ago may not have its leaders yet: that is
 * retried.
 */
export function endOffsets(kafka: Kafka, topic: string) {
  return retry(async () => {
    const admin = kafka.admin();
    await admin.connect();
    try {
      return await admin.fetchTopicOffsets(topic);
    } catch (error) {
      throw kafkaError(error, 'reading the end offsets failed', { topic });
    } finally {
      await admin.disconnect();
    }
  });
}

async function within<T>(promise: Promise<T>, timeoutMs: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new PipelineError(
            `no compaction result within ${Math.round(timeoutMs / 1000)} s: is a compaction ` +
              'worker running (llmcost up or llmcost compaction-worker)?',
            { code: 'NO_RESULT', retriable: true },
          ),
        ),
      timeoutMs,
    );
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
