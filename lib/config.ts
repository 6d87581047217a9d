import path from 'node:path';
import { z } from 'zod';
import { ConfigError } from './errors.ts';
import { parseLevel } from './logger.ts';

const positiveInt = (fallback: number) => z.coerce.number().int().positive().default(fallback);

const optionalString = z
  .string()
  .optional()
  .transform((value) => (value?.trim() ? value.trim() : undefined));

const optionalUrl = optionalString.pipe(z.url().optional());

const decimalText = (fallback: string) =>
  z
    .string()
    .regex(/^\d+(\.\d+)?$/, 'must be a plain decimal number')
    .default(fallback);

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
  // ClickHouse's DateTime ends in 2106: a TTL further out than that wraps around
  // and would delete every row at once.
  LLMCOST_RETENTION_DAYS: positiveInt(90).refine(
    (days) => days <= 10_000,
    'must be at most 10000 days (about 27 years)',
  ),
  LLMCOST_PORT: z.coerce.number().int().min(0).max(65535).default(8787),
  LLMCOST_HOST: z
    .string()
    .regex(/^[a-zA-Z0-9.:-]+$/, 'must be an IP address or host name')
    .default('127.0.0.1'),
  LLMCOST_ADMIN_KEY: optionalString,
  LLMCOST_PRICES_FILE: optionalString,
  LLMCOST_MODEL_ALIASES_FILE: optionalString,
  LLMCOST_BUDGETS_FILE: optionalString,
  LOG_LEVEL: optionalString,
  LLMCOST_ALERT_CHANNELS_FILE: optionalString,
  SLACK_WEBHOOK_URL: optionalUrl,
  PAGERDUTY_ROUTING_KEY: optionalString,
  PAGERDUTY_EVENTS_URL: optionalUrl,
  ALERT_WEBHOOK_URL: optionalUrl,
  ALERT_WEBHOOK_SECRET: optionalString,
  SMTP_URL: optionalString,
  ALERT_EMAIL_FROM: optionalString,
  ALERT_EMAIL_TO: optionalString,
  LLMCOST_SPIKE_THRESHOLD: decimalText('4'),
  LLMCOST_SPIKE_MIN_IMPACT_USD: decimalText('5'),
  LLMCOST_SPIKE_MIN_HISTORY_HOURS: positiveInt(24),
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
  /** Where the HTTP API listens: loopback by default; 0.0.0.0 in a container. */
  host: string;
  adminKey: string | undefined;
  pricesFile: string | undefined;
  /** Model names priced as other models (Azure deployment names …). */
  modelAliasesFile: string | undefined;
  budgetsFile: string | undefined;
  logLevel: ReturnType<typeof parseLevel>;
  alerting: AlertingConfig;
}

/** Alert channels and spike thresholds (README: Budgets, alerts and spikes); no secret logged. */
export interface AlertingConfig {
  /** A YAML or JSON file with channels and per-type routes; the variables below win over it. */
  channelsFile: string | undefined;
  slackWebhookUrl: string | undefined;
  pagerDutyRoutingKey: string | undefined;
  /** Defaults to PagerDuty's own endpoint where the channel is built. */
  pagerDutyEventsUrl: string | undefined;
  webhookUrl: string | undefined;
  webhookSecret: string | undefined;
  smtpUrl: string | undefined;
  emailFrom: string | undefined;
  emailTo: string[];
  spike: { threshold: string; minImpactUsd: string; minHistoryHours: number };
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
    host: e.LLMCOST_HOST,
    adminKey: e.LLMCOST_ADMIN_KEY,
    pricesFile: e.LLMCOST_PRICES_FILE,
    modelAliasesFile: e.LLMCOST_MODEL_ALIASES_FILE,
    budgetsFile: e.LLMCOST_BUDGETS_FILE,
    logLevel: parseLevel(e.LOG_LEVEL),
    alerting: {
      channelsFile: e.LLMCOST_ALERT_CHANNELS_FILE,
      slackWebhookUrl: e.SLACK_WEBHOOK_URL,
      pagerDutyRoutingKey: e.PAGERDUTY_ROUTING_KEY,
      pagerDutyEventsUrl: e.PAGERDUTY_EVENTS_URL,
      webhookUrl: e.ALERT_WEBHOOK_URL,
      webhookSecret: e.ALERT_WEBHOOK_SECRET,
      smtpUrl: e.SMTP_URL,
      emailFrom: e.ALERT_EMAIL_FROM,
      emailTo: (e.ALERT_EMAIL_TO ?? '')
        .split(',')
        .map((address) => address.trim())
        .filter(Boolean),
      spike: {
        threshold: e.LLMCOST_SPIKE_THRESHOLD,
        minImpactUsd: e.LLMCOST_SPIKE_MIN_IMPACT_USD,
        minHistoryHours: e.LLMCOST_SPIKE_MIN_HISTORY_HOURS,
      },
    },
  };
}

/** The configuration as it may be logged: secrets replaced by a mark. */
export function describeConfig(config: PipelineConfig): Record<string, unknown> {
  return {
    ...config,
    clickhouse: { ...config.clickhouse, password: config.clickhouse.password ? '***' : undefined },
    adminKey: config.adminKey ? '***' : undefined,
    alerting: {
      ...config.alerting,
      slackWebhookUrl: mask(config.alerting.slackWebhookUrl),
      pagerDutyRoutingKey: mask(config.alerting.pagerDutyRoutingKey),
      webhookSecret: mask(config.alerting.webhookSecret),
      smtpUrl: mask(config.alerting.smtpUrl),
    },
  };
}

function mask(secret: string | undefined): string | undefined {
  return secret ? '***' : undefined;
}
