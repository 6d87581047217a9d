import type { Kafka } from 'kafkajs';
import type { TopicNames } from '../../infra/topics.ts';
import type { Logger } from '../../lib/logger.ts';
import { CostEventProducer } from '../../producers/cost-event-producer.ts';
import { Progress } from '../progress.ts';
import { readTrace, traceCalls, type ReplayOptions } from './azure-trace.ts';

const CHUNK = 2_000;

export interface ReplayResult {
  file: string;
  events: number;
  firstAt: number;
  lastAt: number;
  eventsPerSecond: number;
}

/** Publishes one llm-call per trace row through the producers SDK, with a progress bar. */
export async function replayTrace(
  kafka: Kafka,
  topics: TopicNames,
  file: string,
  options: ReplayOptions,
  logger: Logger,
): Promise<ReplayResult> {
  const calls = traceCalls(readTrace(file), options);
  const producer = new CostEventProducer({
    kafka,
    topics,
    logger,
    maxBatchSize: 2_000,
    maxBufferedEvents: 20_000,
  });
  const progress = new Progress(`replaying ${file.split('/').pop()}`, calls.length);

  try {
    for (let start = 0; start < calls.length; start += CHUNK) {
      await producer.recordMany(calls.slice(start, start + CHUNK));
      progress.update(producer.stats.delivered);
    }
    await producer.flush(120_000);
    progress.update(producer.stats.delivered);
    progress.finish();
  } finally {
    await producer.close();
  }

  const times = calls.map((call) => call.occurredAt as number);
  return {
    file,
    events: calls.length,
    firstAt: times.reduce((min, t) => Math.min(min, t), Infinity),
    lastAt: times.reduce((max, t) => Math.max(max, t), -Infinity),
    eventsPerSecond: progress.rate(),
  };
}
