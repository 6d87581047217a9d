import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { inject } from 'vitest';
import type { TestClickHouse } from '../global-setup.ts';
import type { Admin, Kafka } from 'kafkajs';
import { openClickHouse, type ClickHouseStore } from '../../clickhouse/client.ts';
import { migrate } from '../../clickhouse/migrate.ts';
import { consumerLag } from '../../infra/consumer-lag.ts';
import { createKafka } from '../../infra/kafka-client.ts';
import { ensureTopics, topicNames, topicSpecs, type TopicNames } from '../../infra/topics.ts';
import { createLogger, parseLevel, type Logger } from '../../lib/logger.ts';
import { sleep } from '../../lib/retry.ts';

/** Quiet unless LOG_LEVEL asks for more: the tests provoke failures on purpose. */
export const testLogger: Logger = createLogger({
  level: parseLevel(process.env.LOG_LEVEL ?? 'error'),
});

/** The shared broker of this test run (see global-setup.ts). */
export function testKafka(clientId = 'llmcost-test'): Kafka {
  return createKafka({ brokers: inject('kafkaBrokers').split(','), clientId, logger: testLogger });
}

/** Creates a fresh set of the pipeline's topics under a prefix no other test uses. */
export async function freshTopics(kafka: Kafka, partitions = 3): Promise<TopicNames> {
  const names = topicNames(`t${crypto.randomBytes(4).toString('hex')}.`);
  const admin = kafka.admin();
  await admin.connect();
  try {
    await ensureTopics(admin, topicSpecs(names, partitions), testLogger);
  } finally {
    await admin.disconnect();
  }
  return names;
}

/**
 * An embedded ClickHouse in a new temporary directory, migrated, or the
 * test run's ClickHouse server (see global-setup.ts) with a database of its own.
 */
export async function freshStore(
  retentionDays = 90,
): Promise<ClickHouseStore & { dir: string; database: string }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'llmcost-ch-'));
  const server = inject('clickhouse');
  const database = server ? `test_${crypto.randomBytes(4).toString('hex')}` : 'default';
  if (server) await createServerDatabase(server, database);
  const store = await openClickHouse({
    url: server?.url,
    username: server?.username,
    password: server?.password,
    database,
    embeddedPath: dir,
  });
  await migrate({ client: store.client, logger: testLogger, retentionDays });
  return { ...store, dir, database };
}

/** The environment a CLI process needs to reach the test run's ClickHouse server, if any. */
export function clickHouseEnv(database: string): Record<string, string> {
  const server = inject('clickhouse');
  return server
    ? {
        CLICKHOUSE_URL: server.url,
        CLICKHOUSE_USER: server.username,
        CLICKHOUSE_PASSWORD: server.password,
        CLICKHOUSE_DATABASE: database,
      }
    : {};
}

async function createServerDatabase(server: TestClickHouse, database: string): Promise<void> {
  const bootstrap = await openClickHouse({
    url: server.url,
    username: server.username,
    password: server.password,
    database: 'default',
    embeddedPath: '',
  });
  await bootstrap.client.command({
    query: 'CREATE DATABASE IF NOT EXISTS {db:Identifier}',
    query_params: { db: database },
  });
  await bootstrap.close();
}

/** Polls `check` until it returns a value other than undefined, or fails after `timeoutMs`. */
export async function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined>,
  timeoutMs = 60_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    await sleep(200);
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
}

/** Waits until a consumer group has committed everything on its topic. */
export async function waitForLag0(
  admin: Admin,
  groupId: string,
  topic: string,
  timeoutMs = 120_000,
): Promise<void> {
  await waitFor(
    `${groupId} to catch up`,
    async () => ((await consumerLag(admin, groupId, topic)) === 0 ? true : undefined),
    timeoutMs,
  );
}

/** Runs a query and returns its rows as JSON objects (decimals as strings). */
export async function queryRows<T = Record<string, string>>(
  store: ClickHouseStore,
  query: string,
  params: Record<string, unknown> = {},
): Promise<T[]> {
  const result = await store.client.query({ query, query_params: params, format: 'JSONEachRow' });
  return result.json<T>();
}
