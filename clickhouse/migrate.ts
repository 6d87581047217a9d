import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { ConfigError, PipelineError } from '../lib/errors.ts';
import type { Logger } from '../lib/logger.ts';
import type { ClickHouseClient } from './client.ts';

export interface MigrateOptions {
  client: ClickHouseClient;
  logger: Logger;
  /** Raw-call retention, written into the TTL of llm_calls. */
  retentionDays: number;
  /** Cluster name: DDL runs ON CLUSTER with Replicated engines. */
  cluster?: string;
  /** @default clickhouse/migrations */
  dir?: string;
}

export interface MigrationFile {
  version: number;
  name: string;
  sql: string;
  checksum: string;
}

const MIGRATIONS_DIR = path.join(import.meta.dirname, 'migrations');
const FILE_PATTERN = /^(\d{3})_([a-z0-9_]+)\.sql$/;
/** Recent insert blocks each table remembers, to drop a retried identical insert. */
const DEDUP_WINDOW = 1000;

export function readMigrations(dir = MIGRATIONS_DIR): MigrationFile[] {
  return fs
    .readdirSync(dir)
    .map((file) => ({ file, match: FILE_PATTERN.exec(file) }))
    .filter((entry): entry is { file: string; match: RegExpExecArray } => entry.match !== null)
    .map(({ file, match }) => {
      const sql = fs.readFileSync(path.join(dir, file), 'utf8');
      const checksum = crypto.createHash('sha256').update(sql).digest('hex').slice(0, 16);
      return { version: Number(match[1]), name: match[2] ?? file, sql, checksum };
    })
    .sort((a, b) => a.version - b.version);
}

/**
 * Fills the placeholders of a migration: `{{on_cluster}}`, `{{engine:X}}`,
 * `{{dedup_window}}`, `{{retention_days}}`, `{{local:table}}` and
 * `{{distributed:table:sharding key}}`. On a single node they vanish into
 * plain tables. With a cluster name the DDL runs on every node, the engines
 * become their Replicated forms, each table is stored as `<table>_local` on
 * every shard, and a Distributed table under the plain name stands in front
 * of it, so that analysts and the pipeline use the same names either way.
 * Materialized views read and write the local tables of their own shard.
 */
export function renderMigration(
  sql: string,
  options: { cluster?: string; retentionDays: number },
): string {
  const { cluster, retentionDays } = options;
  if (cluster !== undefined && !/^[a-zA-Z0-9_.-]+$/.test(cluster)) {
    throw new ConfigError(`CLICKHOUSE_CLUSTER '${cluster}' is not a valid cluster name`, {
      variable: 'CLICKHOUSE_CLUSTER',
    });
  }
  if (!Number.isInteger(retentionDays) || retentionDays <= 0) {
    throw new ConfigError(`LLMCOST_RETENTION_DAYS must be a positive whole number of days`, {
      variable: 'LLMCOST_RETENTION_DAYS',
    });
  }

  const dedupSetting = cluster
    ? 'replicated_deduplication_window'
    : 'non_replicated_deduplication_window';
  const onCluster = cluster ? `ON CLUSTER '${cluster}'` : '';
  return sql
    .replace(/\{\{distributed:(\w+):([^}]+)\}\}/g, (_, table: string, key: string) =>
      cluster
        ? `CREATE TABLE IF NOT EXISTS ${table} ${onCluster} AS ${table}_local ` +
          `ENGINE = Distributed('${cluster}', currentDatabase(), ${table}_local, ${key})`
        : '',
    )
    .replace(/\{\{local:(\w+)\}\}/g, (_, table: string) => (cluster ? `${table}_local` : table))
    .replaceAll('{{on_cluster}}', onCluster)
    .replace(/\{\{engine:(\w+)\}\}/g, (_, engine: string) =>
      cluster ? `Replicated${engine}` : engine,
    )
    .replaceAll('{{dedup_window}}', `${dedupSetting} = ${DEDUP_WINDOW}`)
    .replaceAll('{{retention_days}}', String(retentionDays));
}

/** Splits a migration into statements: each ends with a semicolon at the end of a line. */
export function splitStatements(sql: string): string[] {
  return sql
    .split(/;\s*$/m)
    .map((statement) =>
      statement
        .split('\n')
        .filter((line) => !line.trim().startsWith('--'))
        .join('\n')
        .trim(),
    )
    .filter((statement) => statement.length > 0);
}

/**
 * Applies the migrations not yet recorded in `schema_migrations`, in order,
 * then brings the raw-call TTL in line with the configured retention.
 * Running it again changes nothing.
 */
export async function migrate(options: MigrateOptions): Promise<{ applied: string[] }> {
  const { client, logger } = options;
  const render = (sql: string) => renderMigration(sql, options);
  await client.command({ query: render(BOOKKEEPING_SQL[0]!) });
  await client.command({ query: render(BOOKKEEPING_SQL[1]!) });

  const recorded = await appliedMigrations(client);
  const applied: string[] = [];
  for (const migration of readMigrations(options.dir)) {
    const previous = recorded.get(migration.version);
    if (previous !== undefined) {
      if (previous !== migration.checksum) {
        logger.warn(
          { version: migration.version, name: migration.name },
          'migration file changed after it was applied; the change is not re-applied',
        );
      }
      continue;
    }

    await applyMigration(client, migration, render);
    applied.push(`${String(migration.version).padStart(3, '0')}_${migration.name}`);
    logger.info({ version: migration.version, name: migration.name }, 'migration applied');
  }

  await reconcileRetention(options);
  return { applied };
}

const BOOKKEEPING_SQL = [
  `CREATE TABLE IF NOT EXISTS schema_migrations {{on_cluster}}
   (version UInt32, name String, checksum String, applied_at DateTime64(3, 'UTC'))
   ENGINE = {{engine:MergeTree}} ORDER BY version`,
  `CREATE TABLE IF NOT EXISTS llmcost_settings {{on_cluster}}
   (name String, value String, updated_at DateTime64(3, 'UTC'))
   ENGINE = {{engine:ReplacingMergeTree}}(updated_at) ORDER BY name`,
];

async function appliedMigrations(client: ClickHouseClient): Promise<Map<number, string>> {
  const result = await client.query({
    query: 'SELECT version, checksum FROM schema_migrations',
    format: 'JSONEachRow',
  });
  const rows = await result.json<{ version: number; checksum: string }>();
  return new Map(rows.map((row) => [Number(row.version), row.checksum]));
}

async function applyMigration(
  client: ClickHouseClient,
  migration: MigrationFile,
  render: (sql: string) => string,
): Promise<void> {
  for (const statement of splitStatements(render(migration.sql))) {
    try {
      await client.command({ query: statement });
    } catch (error) {
      throw new PipelineError(`migration ${migration.version}_${migration.name} failed`, {
        code: 'MIGRATION',
        context: { version: migration.version, statement: statement.slice(0, 200) },
        cause: error,
      });
    }
  }
  await client.insert({
    table: 'schema_migrations',
    values: [
      {
        version: migration.version,
        name: migration.name,
        checksum: migration.checksum,
        applied_at: Date.now(),
      },
    ],
    format: 'JSONEachRow',
  });
}

async function reconcileRetention(options: MigrateOptions): Promise<void> {
  const { client, retentionDays } = options;
  const result = await client.query({
    query:
      'SELECT argMax(value, updated_at) AS value FROM llmcost_settings ' +
      "WHERE name = 'retention_days' GROUP BY name",
    format: 'JSONEachRow',
  });
  const [row] = await result.json<{ value: string }>();
  const recorded = row ? Number(row.value) : undefined;
  if (recorded === retentionDays) return;

  // The tables are created with the retention of their first migration; any
  // later change of LLMCOST_RETENTION_DAYS is applied here.
  if (recorded !== undefined) {
    const onCluster = renderMigration('{{on_cluster}}', options);
    for (const name of ['llm_calls', 'stored_call_ids']) {
      const table = renderMigration(`{{local:${name}}}`, options);
      await client.command({
        query:
          `ALTER TABLE ${table} ${onCluster} MODIFY TTL toDateTime(occurred_at) + ` +
          `INTERVAL {days:UInt32} DAY`,
        query_params: { days: retentionDays },
      });
    }
    options.logger.info({ from: recorded, to: retentionDays }, 'raw-call retention changed');
  }
  await client.insert({
    table: 'llmcost_settings',
    values: [{ name: 'retention_days', value: String(retentionDays), updated_at: Date.now() }],
    format: 'JSONEachRow',
  });
}
