import fs from 'node:fs';
import { readMigrations } from '../clickhouse/migrate.ts';
import { KAFKA_VERSION, checkJava } from '../infra/kafka-install.ts';
import { topicNames, topicSpecs } from '../infra/topics.ts';
import { createKafka } from '../infra/kafka-client.ts';
import { errorMessage } from '../lib/errors.ts';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { ensurePortFree } from './options.ts';
import { storeOwner } from './owner-client.ts';
import { localKafka, type Runtime } from './runtime.ts';
import { runReadonlySql } from './sql-client.ts';

export interface Check {
  name: string;
  ok: boolean;
  detail: string;
  /** What to do about it, when not ok. */
  fix?: string;
}

type CheckFn = (runtime: Runtime) => Promise<Check | Check[]>;

/**
 * What a run needs, checked one by one; each failure says what to fix.
 * Checks that need an earlier one (topics need Kafka) say so instead of
 * failing for the same reason twice.
 */
export async function runDoctor(runtime: Runtime): Promise<Check[]> {
  const checks: CheckFn[] = [node, dataDir, java, kafka, topics, clickhouse, migrations, apiPort];
  const results: Check[] = [];
  for (const check of checks) {
    try {
      results.push(...[await check(runtime)].flat());
    } catch (error) {
      results.push({ name: check.name, ok: false, detail: errorMessage(error) });
    }
  }
  return results;
}

async function node(): Promise<Check> {
  const major = Number(process.versions.node.split('.')[0]);
  return {
    name: 'node',
    ok: major >= 20,
    detail: `Node.js ${process.versions.node}`,
    fix: 'install Node.js 20 or newer',
  };
}

async function dataDir(runtime: Runtime): Promise<Check> {
  const dir = runtime.config.dataDir;
  try {
    fs.accessSync(dir, fs.constants.W_OK);
    return { name: 'data directory', ok: true, detail: `${dir} is writable` };
  } catch {
    return {
      name: 'data directory',
      ok: false,
      detail: `${dir} is not writable`,
      fix: 'pass --data-dir or set LLMCOST_DATA_DIR to a writable directory',
    };
  }
}

async function java(runtime: Runtime): Promise<Check> {
  if (runtime.config.kafkaBrokers) {
    return { name: 'java and maven', ok: true, detail: 'not needed: KAFKA_BROKERS is set' };
  }
  const jars = path.join(runtime.config.cacheDir, `kafka-${KAFKA_VERSION}`, 'libs', '.complete');
  const maven = fs.existsSync(jars)
    ? 'Kafka jars cached'
    : spawnSync('mvn', ['-v']).status === 0
      ? 'Maven found (downloads Kafka on first start)'
      : '';
  const major = checkJava();
  if (!maven) {
    return {
      name: 'java and maven',
      ok: false,
      detail: `Java ${major}, no Maven`,
      fix: 'install Maven (apt-get install maven), or set KAFKA_BROKERS',
    };
  }
  return { name: 'java and maven', ok: true, detail: `Java ${major}; ${maven}` };
}

async function kafka(runtime: Runtime): Promise<Check> {
  const brokers =
    runtime.config.kafkaBrokers ??
    [localKafka(runtime).status().brokers].filter((b): b is string => b !== undefined);
  if (brokers.length === 0) {
    return {
      name: 'kafka',
      ok: false,
      detail: 'the local broker of this data directory is not ' + 'running',
      fix: 'run `llmcost up` or `llmcost kafka start`, or set KAFKA_BROKERS',
    };
  }
  const admin = quietKafka(runtime, brokers).admin();
  try {
    await admin.connect();
    const cluster = await admin.describeCluster();
    return {
      name: 'kafka',
      ok: true,
      detail:
        `${brokers.join(',')}: ${cluster.brokers.length} ` +
        `broker(s), controller ${cluster.controller}`,
    };
  } catch (error) {
    return {
      name: 'kafka',
      ok: false,
      detail: `cannot reach ${brokers.join(',')}: ` + errorMessage(error),
      fix: runtime.config.kafkaBrokers
        ? 'check KAFKA_BROKERS and that ' + 'the brokers run'
        : 'start it with `llmcost kafka start`',
    };
  } finally {
    await admin.disconnect();
  }
}

async function topics(runtime: Runtime): Promise<Check> {
  const brokers =
    runtime.config.kafkaBrokers ??
    [localKafka(runtime).status().brokers].filter((b): b is string => b !== undefined);
  if (brokers.length === 0) return { name: 'topics', ok: false, detail: 'skipped: no Kafka' };
  const wanted = topicSpecs(topicNames(runtime.config.topicPrefix), runtime.config.partitions).map(
    (spec) => spec.topic,
  );
  const admin = quietKafka(runtime, brokers).admin();
  try {
    await admin.connect();
    const present = new Set(await admin.listTopics());
    const missing = wanted.filter((topic) => !present.has(topic));
    return missing.length === 0
      ? { name: 'topics', ok: true, detail: `all ${wanted.length} present` }
      : {
          name: 'topics',
          ok: false,
          detail: `missing: ${missing.join(', ')}`,
          fix: 'run `llmcost topics` (or start `llmcost up`, which creates them)',
        };
  } finally {
    await admin.disconnect();
  }
}

async function clickhouse(runtime: Runtime): Promise<Check> {
  const where = runtime.config.clickhouse.url ?? `embedded in ${runtime.paths.clickhouse}`;
  try {
    const { rows } = await runReadonlySql(runtime, 'SELECT version() AS version');
    const via = storeOwner(runtime) ? ' (through the running owner)' : '';
    return { name: 'clickhouse', ok: true, detail: `${where}${via}: ${rows[0]?.version}` };
  } catch (error) {
    return {
      name: 'clickhouse',
      ok: false,
      detail: `${where}: ${errorMessage(error)}`,
      fix: runtime.config.clickhouse.url
        ? 'check CLICKHOUSE_URL, CLICKHOUSE_USER and ' + 'CLICKHOUSE_PASSWORD'
        : 'stop the process holding the data directory, or use another',
    };
  }
}

async function migrations(runtime: Runtime): Promise<Check> {
  const known = readMigrations().map((m) => m.version);
  try {
    const { rows } = await runReadonlySql(runtime, 'SELECT version FROM schema_migrations');
    const applied = new Set(rows.map((row) => Number(row.version)));
    const missing = known.filter((version) => !applied.has(version));
    return missing.length === 0
      ? { name: 'migrations', ok: true, detail: `all ${known.length} applied` }
      : {
          name: 'migrations',
          ok: false,
          detail: `not applied: ${missing.join(', ')}`,
          fix: 'run `llmcost migrate`',
        };
  } catch (error) {
    return {
      name: 'migrations',
      ok: false,
      detail: errorMessage(error),
      fix: 'run `llmcost migrate`',
    };
  }
}

async function apiPort(runtime: Runtime): Promise<Check> {
  const port = runtime.config.port;
  if (storeOwner(runtime)) return { name: 'api port', ok: true, detail: 'served by the owner' };
  try {
    await ensurePortFree(port);
    return { name: 'api port', ok: true, detail: `127.0.0.1:${port} is free` };
  } catch (error) {
    return {
      name: 'api port',
      ok: false,
      detail: errorMessage(error),
      fix: 'pass --port or set LLMCOST_PORT',
    };
  }
}

function quietKafka(runtime: Runtime, brokers: string[]) {
  const logger = runtime.logger.child({ component: 'doctor' });
  logger.level = 'error';
  return createKafka({
    brokers,
    clientId: 'llmcost-doctor',
    logger,
    retry: { retries: 1, initialRetryTime: 300 },
  });
}
