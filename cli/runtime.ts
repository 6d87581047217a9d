import type { Kafka } from 'kafkajs';
import { openClickHouse, type ClickHouseStore } from '../clickhouse/client.ts';
import { loadConfig, type ConfigOverrides, type PipelineConfig } from '../lib/config.ts';
import { dataPaths, ensureDir } from '../lib/data-dir.ts';
import { PipelineError } from '../lib/errors.ts';
import { createLogger, type Logger } from '../lib/logger.ts';
import { createKafka } from '../infra/kafka-client.ts';
import { LocalKafka } from '../infra/local-kafka.ts';

/** What every command starts from: the parsed configuration and the process logger. */
export interface Runtime {
  config: PipelineConfig;
  logger: Logger;
  paths: ReturnType<typeof dataPaths>;
}

export function createRuntime(overrides: ConfigOverrides): Runtime {
  const config = loadConfig(process.env, overrides);
  const logger = createLogger({ level: config.logLevel });
  ensureDir(config.dataDir);
  return { config, logger, paths: dataPaths(config.dataDir) };
}

export function localKafka(runtime: Runtime): LocalKafka {
  return new LocalKafka({
    dir: runtime.paths.kafka,
    cacheDir: runtime.config.cacheDir,
    logger: runtime.logger.child({ component: 'local-kafka' }),
  });
}

export interface KafkaConnection {
  kafka: Kafka;
  brokers: string[];
  /** True when this call started the local broker (and so its caller may stop it). */
  startedLocal: boolean;
}

/**
 * The configured cluster (KAFKA_BROKERS), or the local broker of the data
 * directory: reused when it runs, started when `start` allows it.
 */
export async function connectKafka(
  runtime: Runtime,
  clientId: string,
  options: { start: boolean; oneShot?: boolean },
): Promise<KafkaConnection> {
  // A one-shot command reports an unreachable broker within seconds; a
  // long-running one keeps trying a while longer before it gives up.
  const retry = options.oneShot
    ? { retries: 2, initialRetryTime: 300, maxRetryTime: 2_000 }
    : undefined;
  const make = (brokers: string[]) =>
    createKafka({ brokers, clientId, logger: runtime.logger, retry });
  if (runtime.config.kafkaBrokers) {
    return {
      kafka: make(runtime.config.kafkaBrokers),
      brokers: runtime.config.kafkaBrokers,
      startedLocal: false,
    };
  }

  const local = localKafka(runtime);
  const status = local.status();
  if (!status.running && !options.start) {
    throw new PipelineError(
      'no Kafka: the local broker of this data directory is not ' +
        'running. Start it with `llmcost kafka start` (or `llmcost up`), or set KAFKA_BROKERS.',
      { code: 'NO_KAFKA' },
    );
  }
  const { brokers, started } = await local.start();
  return { kafka: make([brokers]), brokers: [brokers], startedLocal: started };
}

export function openStore(runtime: Runtime): Promise<ClickHouseStore> {
  const { clickhouse } = runtime.config;
  return openClickHouse({
    url: clickhouse.url,
    username: clickhouse.username,
    password: clickhouse.password,
    database: clickhouse.database,
    embeddedPath: runtime.paths.clickhouse,
  });
}
