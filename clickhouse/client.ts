import fs from 'node:fs';
import { createClient, type ClickHouseClient } from '@clickhouse/client';
import { createChdbConnection } from 'chdb/connection';
import { errorMessage, PipelineError } from '../lib/errors.ts';

export type { ClickHouseClient };

export interface ClickHouseOptions {
  /** A ClickHouse server; unset opens the embedded engine in `embeddedPath`. */
  url?: string;
  username?: string;
  password?: string;
  database: string;
  /** Data directory of the embedded engine (`<data dir>/clickhouse`). */
  embeddedPath: string;
  /** Limits of the read-only analyst session. */
  readonlyLimits?: { maxResultRows: number; maxResultBytes: number; maxExecutionSeconds: number };
}

/**
 * The two ways this pipeline talks to ClickHouse: `client` reads and writes,
 * `readonly` runs analysts' SQL and cannot write or change its own limits.
 * Over a server both are HTTP clients (the read-only one sends `readonly=1`
 * with every query). Embedded, they are two chDB sessions on the same data
 * directory, because chDB keeps settings per session: the read-only session
 * is locked once, at open, and the writing session is never touched.
 */
export interface ClickHouseStore {
  client: ClickHouseClient;
  readonly: ClickHouseClient;
  embedded: boolean;
  /** Where the data lives, for messages: the server URL or the embedded directory. */
  location: string;
  close(): Promise<void>;
}

/** An analyst's query answers at most this much, so that one query cannot exhaust memory. */
const DEFAULT_LIMITS = {
  maxResultRows: 10_000,
  maxResultBytes: 100_000_000,
  maxExecutionSeconds: 30,
};

/** Settings both kinds of store use on every query: money leaves ClickHouse as strings. */
const OUTPUT_SETTINGS = { output_format_json_quote_decimals: 1 } as const;

export async function openClickHouse(options: ClickHouseOptions): Promise<ClickHouseStore> {
  const limits = options.readonlyLimits ?? DEFAULT_LIMITS;
  return options.url ? openServer(options, limits) : openEmbedded(options, limits);
}

function openServer(
  options: ClickHouseOptions,
  limits: NonNullable<ClickHouseOptions['readonlyLimits']>,
): ClickHouseStore {
  const base = {
    url: options.url,
    username: options.username ?? 'default',
    password: options.password ?? '',
    database: options.database,
    request_timeout: 60_000,
  };
  const client = createClient({ ...base, clickhouse_settings: OUTPUT_SETTINGS });
  const readonly = createClient({
    ...base,
    clickhouse_settings: {
      ...OUTPUT_SETTINGS,
      readonly: '1',
      max_result_rows: String(limits.maxResultRows),
      max_result_bytes: String(limits.maxResultBytes),
      result_overflow_mode: 'throw',
      max_execution_time: limits.maxExecutionSeconds,
    },
  });
  return {
    client,
    readonly,
    embedded: false,
    location: String(options.url),
    close: async () => {
      await Promise.all([client.close(), readonly.close()]);
    },
  };
}

async function openEmbedded(
  options: ClickHouseOptions,
  limits: NonNullable<ClickHouseOptions['readonlyLimits']>,
): Promise<ClickHouseStore> {
  fs.mkdirSync(options.embeddedPath, { recursive: true });
  const client = createClient({ connection: connectEmbedded(options.embeddedPath) });
  const readonly = createClient({ connection: connectEmbedded(options.embeddedPath) });

  const database = { database: options.database };
  await client.command({
    query: 'CREATE DATABASE IF NOT EXISTS {database:Identifier}',
    query_params: database,
  });
  for (const session of [client, readonly]) {
    await session.command({ query: 'USE {database:Identifier}', query_params: database });
    await session.command({ query: 'SET output_format_json_quote_decimals = 1' });
  }
  await readonly.command({ query: `SET max_result_rows = ${limits.maxResultRows}` });
  await readonly.command({ query: `SET max_result_bytes = ${limits.maxResultBytes}` });
  await readonly.command({ query: "SET result_overflow_mode = 'throw'" });
  await readonly.command({ query: `SET max_execution_time = ${limits.maxExecutionSeconds}` });
  await readonly.command({ query: 'SET readonly = 1' });

  return {
    client,
    readonly,
    embedded: true,
    location: options.embeddedPath,
    close: async () => {
      await readonly.close();
      await client.close();
    },
  };
}

type Connection = NonNullable<Parameters<typeof createClient>[0]>['connection'];

function connectEmbedded(path: string): Connection {
  try {
    // chdb/connection implements the Connection contract of @clickhouse/client;
    // the two packages declare it from different copies of client-common.
    return createChdbConnection({ path }) as unknown as Connection;
  } catch (error) {
    throw new PipelineError(
      `could not open the embedded ClickHouse in ${path}: ${errorMessage(error)}. ` +
        `One process owns the directory at a time: if another llmcost command runs on ` +
        `this data directory, stop it or go through it (llmcost sql does that by itself), ` +
        `or use another --data-dir.`,
      { code: 'STORE_LOCKED', context: { path }, cause: error },
    );
  }
}
