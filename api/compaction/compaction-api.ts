import type { Kafka } from 'kafkajs';
import { CompactionSender } from '../../compaction-worker/worker/compaction-client.ts';
import { CompactionWire } from '../../compaction-worker/worker/wire.ts';
import type { TopicNames } from '../../infra/topics.ts';
import type { Logger } from '../../lib/logger.ts';
import { SchemaRegistry } from '../../schemas/registry.ts';
import type { Route } from '../router.ts';
import { CompactionFeed } from './compaction-feed.ts';
import { CompactionJobs, type CompactionJobsOptions } from './compaction-jobs.ts';
import { compactionRoutes, type CompactionRouteOptions } from './compaction-routes.ts';

export interface CompactionApiOptions {
  kafka: Kafka;
  topics: TopicNames;
  logger: Logger;
  jobs?: CompactionJobsOptions;
  routes?: Pick<CompactionRouteOptions, 'maxBodyBytes' | 'heartbeatMs' | 'maxWaitMs'>;
}

/** The compaction endpoints and what they run on; `stop` after the server has closed. */
export interface CompactionApi {
  routes: Route[];
  jobs: CompactionJobs;
  stop(): Promise<void>;
}

/**
 * Connects what the compaction endpoints need: a producer for requests and
 * a reader of results and progress. Any running compaction worker (the one
 * of `llmcost up`, or `llmcost compaction-worker` elsewhere) answers.
 */
export async function startCompactionApi(options: CompactionApiOptions): Promise<CompactionApi> {
  const wire = new CompactionWire(new SchemaRegistry());
  const jobs = new CompactionJobs(options.jobs);
  const sender = new CompactionSender(options.kafka, options.topics, wire);
  const feed = new CompactionFeed({ ...options, jobs, wire });

  await sender.connect();
  try {
    await feed.start();
  } catch (error) {
    await sender.disconnect();
    throw error;
  }
  return {
    routes: compactionRoutes({ jobs, sender, wire, logger: options.logger, ...options.routes }),
    jobs,
    async stop() {
      await feed.stop();
      await sender.disconnect();
    },
  };
}
