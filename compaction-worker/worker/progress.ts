import type { Producer } from 'kafkajs';
import { errorMessage } from '../../lib/errors.ts';
import type { Logger } from '../../lib/logger.ts';
import { AvroCodec } from '../../schemas/codec.ts';
import type { SchemaRegistry } from '../../schemas/registry.ts';

/** A progress event of compaction.progress.v1. */
export interface CompactionProgress {
  requestId: string;
  conversationId: string;
  tenantId: string;
  stage: 'started' | 'selected' | 'summarising' | 'finished' | 'failed';
  done: number;
  total: number;
  at: number;
}

/** Intermediate events of one request are sent at most this often. */
const MIN_INTERVAL_MS = 1_000;

/**
 * Publishes progress events. Start and end always go out; stages between
 * are sent when a job has run a while, at most once a second, so short jobs
 * cost two small messages. A failed send is logged and never fails the job:
 * progress is a courtesy, the result is what counts.
 */
export class ProgressPublisher {
  private readonly codec: AvroCodec<CompactionProgress>;

  constructor(
    registry: SchemaRegistry,
    private readonly producer: Producer,
    private readonly topic: string,
    private readonly logger: Logger,
  ) {
    this.codec = new AvroCodec(registry, 'compaction-progress');
  }

  /** A reporter for one request; call `report` for stages, `end` once. */
  forRequest(request: Pick<CompactionProgress, 'requestId' | 'conversationId' | 'tenantId'>) {
    let last = 0;
    const send = async (stage: CompactionProgress['stage'], done: number, total: number) => {
      const event: CompactionProgress = { ...request, stage, done, total, at: Date.now() };
      try {
        await this.producer.send({
          topic: this.topic,
          messages: [{ key: request.conversationId, ...this.codec.encode(event) }],
        });
      } catch (error) {
        this.logger.warn(
          { requestId: request.requestId, err: errorMessage(error) },
          'progress not sent',
        );
      }
    };

    // One queue per request keeps its events in order without making the job wait on them.
    let queue = Promise.resolve();
    const enqueue = (stage: CompactionProgress['stage'], done: number, total: number) => {
      last = Date.now();
      queue = queue.then(() => send(stage, done, total));
      return queue;
    };
    return {
      start: () => enqueue('started', 0, 0),
      report: (stage: string, done: number, total: number) => {
        if (Date.now() - last < MIN_INTERVAL_MS) return;
        void enqueue(stage === 'summarising' ? 'summarising' : 'selected', done, total);
      },
      end: (failed: boolean) => enqueue(failed ? 'failed' : 'finished', 1, 1),
    };
  }
}
