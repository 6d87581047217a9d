import path from 'node:path';
import { z } from 'zod';
import { ConfigError } from './errors.ts';
import { parseLevel } from './logger.ts';

const positiveInt = (fallback: number) => z.coerce.number().int().positive().default(fallback);

const optionalString = z
  .string()
  .optional()
  .transform((value) => (value?.trim() ? value.trim() : undefined));

/**
 * Every environment variable the pipeline reads, with its default. Each entry
 * point parses this once at start; core code receives the typed result and
 * never reads `process.env` itself.
 */
const envSchema = z.object({
  LLMCOST_DATA_DIR: z.string().default('.data'),
  LLMCOST_CACHE_DIR: optionalString,
  KAFKA_BROKERS: optionalString.refine(
    (value) =>
      value === undefined ||
      value.split(',').every((broker) => /^[^\s:,]+:\d{1,5}$/.test(broker.trim())),
    'must be comma-separated host:port pairs, e.g. kafka-1:9092,kafka-2:9092',
  ),
  LLMCOST_TOPIC_PREFIX: z
    .string()
    .regex(/^[a-zA-Z0-9._-]*$/)
    .default(''),
  LLMCOST_PARTITIONS: positiveInt(6),
  CLICKHOUSE_URL: z.url().optional(),
  CLICKHOUSE_USER: optionalString,
  CLICKHOUSE_PASSWORD: optionalString,
  CLICKHOUSE_DATABASE: z
    .string()
    .regex(/^[a-zA-Z_][a-zA-Z0-9_]*$/)
    .default('default'),
  CLICKHOUSE_CLUSTER: optionalString,
  LLMCOST_RETENTION_DAYS: positiveInt(90),
  LLMCOST_PORT: z.coerce.number().int().min(0).max(65535).default(8787),
  LLMCOST_ADMIN_KEY: optionalString,
  LLMCOST_PRICES_FILE: optionalString,
  LLMCOST_MODEL_ALIASES_FILE: optionalString,
  LLMCOST_BUDGETS_FILE: optionalString,
  LOG_LEVEL: optionalString,
});

export interface PipelineConfig {
  dataDir: string;
  /** Where downloaded Kafka jars are kept between runs. */
  cacheDir: string;
  /** Brokers of an existing cluster; undefined means the local broker. */
  kafkaBrokers: string[] | undefined;
  topicPrefix: string;
  partitions: number;
  clickhouse: {
    url: string | undefined;
    username: string | undefined;
    password: string | undefined;
    database: string;
    cluster: string | undefined;
  };
  retentionDays: number;
  port: number;
  adminKey: string | undefined;
  pricesFile: string | undefined;
  /** Model names priced as other models (Azure deployment names …). */
  modelAliasesFile: string | undefined;
  budgetsFile: string | undefined;
  logLevel: ReturnType<typeof parseLevel>;
}

/** Values given on the command line, which win over the environment. */
export interface ConfigOverrides {
  dataDir?: string;
  port?: number;
  partitions?: number;
}

/** The package root: the Kafka pom and the bundled data are found relative to it. */
export const packageRoot = path.resolve(import.meta.dirname, '..');

export function loadConfig(
  env: NodeJS.ProcessEnv = process.env,
  overrides: ConfigOverrides = {},
): PipelineConfig {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const variable = String(issue?.path[0] ?? 'environment');
    throw new ConfigError(`${variable} is invalid: ${issue?.message ?? 'unknown problem'}`, {
      variable,
      value: env[variable],
    });
  }
  const e = parsed.data;

  return {
    dataDir: path.resolve(overrides.dataDir ?? e.LLMCOST_DATA_DIR),
    cacheDir: path.resolve(e.LLMCOST_CACHE_DIR ?? path.join(packageRoot, '.cache')),
    kafkaBrokers: e.KAFKA_BROKERS?.split(',')
      .map((broker) => broker.trim())
      .filter(Boolean),
    topicPrefix: e.LLMCOST_TOPIC_PREFIX,
    partitions: overrides.partitions ?? e.LLMCOST_PARTITIONS,
    clickhouse: {
      url: e.CLICKHOUSE_URL,
      username: e.CLICKHOUSE_USER,
      password: e.CLICKHOUSE_PASSWORD,
      database: e.CLICKHOUSE_DATABASE,
      cluster: e.CLICKHOUSE_CLUSTER,
    },
    retentionDays: e.LLMCOST_RETENTION_DAYS,
    port: overrides.port ?? e.LLMCOST_PORT,
    adminKey: e.LLMCOST_ADMIN_KEY,
    pricesFile: e.LLMCOST_PRICES_FILE,
    modelAliasesFile: e.LLMCOST_MODEL_ALIASES_FILE,
    budgetsFile: e.LLMCOST_BUDGETS_FILE,
    logLevel: parseLevel(e.LOG_LEVEL),
  };
}

/** The configuration as it may be logged: secrets replaced by a mark. */
export function describeConfig(config: PipelineConfig): Record<string, unknown> {
  return {
    ...config,
    clickhouse: { ...config.clickhouse, password: config.clickhouse.password ? '***' : undefined },
    adminKey: config.adminKey ? '***' : undefined,
  };
}
