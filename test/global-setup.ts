import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { loadConfig, packageRoot } from '../lib/config.ts';
import { createLogger } from '../lib/logger.ts';
import { LocalKafka } from '../infra/local-kafka.ts';
import { chooseTestInfra } from './infra-choice.ts';

export interface TestClickHouse {
  url: string;
  username: string;
  password: string;
}

declare module 'vitest' {
  export interface ProvidedContext {
    kafkaBrokers: string;
    /** A ClickHouse server for the tests; null: each test file embeds its own (chDB). */
    clickhouse: TestClickHouse | null;
  }
}

/**
 * Starts what the integration tests share: one Kafka broker, and a
 * ClickHouse server when one is used. Existing servers in KAFKA_BROKERS and
 * CLICKHOUSE_URL win; otherwise `docker` (testcontainers: Kafka and
 * ClickHouse containers) when a Docker engine answers, or `local` (the
 * local broker from the Maven jars, and chDB per test file).
 * LLMCOST_TEST_INFRA=local|docker forces the choice.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const config = loadConfig(process.env);
  const logger = createLogger({ level: 'warn' });
  const infra = await chooseTestInfra(process.env);
  const stops: (() => Promise<unknown>)[] = [];

  let brokers = config.kafkaBrokers?.join(',');
  let clickhouse: TestClickHouse | null = config.clickhouse.url
    ? {
        url: config.clickhouse.url,
        username: config.clickhouse.username ?? 'default',
        password: config.clickhouse.password ?? '',
      }
    : null;

  if (infra === 'docker') {
    const containers = await import('./containers.ts');
    if (!brokers) {
      const kafka = await containers.startKafka();
      brokers = kafka.brokers;
      stops.push(kafka.stop);
    }
    if (!clickhouse) {
      const server = await containers.startClickHouse();
      clickhouse = server.clickhouse;
      stops.push(server.stop);
    }
  } else if (!brokers) {
    const broker = new LocalKafka({
      dir: path.join(packageRoot, '.data', 'test', 'kafka'),
      cacheDir: config.cacheDir,
      logger,
      port: 29092,
    });
    const started = await broker.start();
    brokers = started.brokers;
    if (started.started) stops.push(() => broker.stop());
  }

  const store = clickhouse ? `server at ${clickhouse.url}` : 'embedded (chDB) per test file';
  process.stderr.write(
    `integration tests on ${infra} infrastructure: Kafka at ${brokers}, ClickHouse ${store}\n`,
  );
  project.provide('kafkaBrokers', brokers!);
  project.provide('clickhouse', clickhouse);
  return async () => {
    for (const stop of stops.reverse()) await stop();
  };
}
