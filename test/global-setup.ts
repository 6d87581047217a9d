import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { loadConfig, packageRoot } from '../lib/config.ts';
import { createLogger } from '../lib/logger.ts';
import { LocalKafka } from '../infra/local-kafka.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    kafkaBrokers: string;
  }
}

/**
 * Starts the one Kafka broker the integration tests share: the cluster in
 * KAFKA_BROKERS when set, else a local broker in .data/test/kafka, started
 * here and stopped after the run. Each test file uses topics of its own.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const config = loadConfig(process.env);
  const logger = createLogger({ level: 'warn' });
  if (config.kafkaBrokers) {
    process.stderr.write(`integration tests: Kafka at ${config.kafkaBrokers.join(',')}\n`);
    project.provide('kafkaBrokers', config.kafkaBrokers.join(','));
    return async () => undefined;
  }

  const broker = new LocalKafka({
    dir: path.join(packageRoot, '.data', 'test', 'kafka'),
    cacheDir: config.cacheDir,
    logger,
    port: 29092,
  });
  const { brokers, started } = await broker.start();
  process.stderr.write(
    `integration tests: local Kafka at ${brokers}` +
      `${started ? ' (started)' : ' (already running)'}\n`,
  );
  project.provide('kafkaBrokers', brokers);
  return async () => {
    if (started) await broker.stop();
  };
}
