/**
 * p95 latency of `GET /api/costs/aggregate` (30 days, group by model) over N
 * calls inserted straight into ClickHouse, against the same question asked
 * of llm_calls in the same run, in the same process and store.
 *
 *   npx tsx bench/aggregate.ts                 # 10 million calls
 *   npx tsx bench/aggregate.ts --calls 1000000 --samples 50
 *
 * The calls spread over the last 30 days, 200 tenants of 50 users, 8
 * touchpoints and 8 models; each user mostly keeps to one touchpoint and one
 * model, as people do. Figures go to stdout and bench/results/.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Authenticator } from '../api/auth.ts';
import { baseRoutes } from '../api/base-routes.ts';
import { createCostApi } from '../api/cost-api.ts';
import { digestOf } from '../api/keys/api-key.ts';
import { ApiKeyStore } from '../api/keys/api-key-store.ts';
import { startApiServer } from '../api/server.ts';
import { openClickHouse, type ClickHouseStore } from '../clickhouse/client.ts';
import { migrate } from '../clickhouse/migrate.ts';
import { packageRoot } from '../lib/config.ts';
import { createLogger } from '../lib/logger.ts';
import { Money } from '../lib/money.ts';
import { figure, type BenchFigure } from './result.ts';

const { values: flags } = parseArgs({
  options: {
    calls: { type: 'string', default: '10000000' },
    samples: { type: 'string', default: '100' },
    warmup: { type: 'string', default: '5' },
    /** Where `npm run bench` wants the figures, as BenchFigure JSON. */
    figures: { type: 'string' },
  },
});
const CALLS = Number(flags.calls);
const SAMPLES = Number(flags.samples);
const WARMUP = Number(flags.warmup);
const CHUNK = 1_000_000;
const DAYS = 30;
const logger = createLogger({ level: 'warn' });

/** One variant's timings in milliseconds. */
interface Timing {
  name: string;
  what: string;
  samples: number[];
}

async function main(): Promise<void> {
  if (!Number.isInteger(CALLS) || CALLS < 1) throw new Error('--calls takes a whole number ≥ 1');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'llmcost-bench-'));
  const store = await openClickHouse({ database: 'default', embeddedPath: dir });
  try {
    await migrate({ client: store.client, logger, retentionDays: 90 });
    const loadSeconds = await insertCalls(store);
    const sizes = await tableSizes(store);
    report(`inserted ${CALLS.toLocaleString('en-US')} calls in ${loadSeconds.toFixed(1)} s`, sizes);

    const results = await measure(store);
    writeResults({ calls: CALLS, samples: SAMPLES, loadSeconds, sizes, results });
  } finally {
    await store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Generates the calls inside ClickHouse, a million at a time, through the materialized views. */
async function insertCalls(store: ClickHouseStore): Promise<number> {
  const started = performance.now();
  const now = Math.floor(Date.now() / 1000);
  for (let offset = 0; offset < CALLS; offset += CHUNK) {
    const count = Math.min(CHUNK, CALLS - offset);
    await store.client.command({
      query: `INSERT INTO llm_calls (event_id, kind, occurred_at, ingested_at, tenant_id, user_id,
          touchpoint, provider, model, service_tier, input_tokens, output_tokens, request_count,
          success, input_cost_usd, output_cost_usd, cost_usd, pricing_status, price_version)
        SELECT concat('bench-', toString(number)) AS event_id, 'call',
          toDateTime64({now:UInt32} - cityHash64(number, 1) % ({days:UInt32} * 86400), 3, 'UTC'),
          now64(3),
          concat('tenant-', leftPad(toString(intDiv(user, 50)), 3, '0')),
          concat('user-', toString(user)),
          ['main-chat', 'merge-summarizer', 'agent:global-regulatory', 'agent:ie-social-safety',
           'compliance-engine', 'compaction:semantic', 'compaction:merge-moderate',
           'pii-sanitizer'][1 + (user + if(cityHash64(number, 3) % 10 = 0,
             cityHash64(number, 4), 0)) % 8],
          ['openai', 'openai', 'openai', 'anthropic', 'anthropic', 'google', 'google',
           'openai'][1 + model_index],
          ['gpt-4o', 'gpt-4o-mini', 'gpt-4.1', 'claude-sonnet-4-5', 'claude-haiku-4-5',
           'gemini-2.5-pro', 'gemini-2.5-flash', 'o3'][1 + model_index],
          'standard', input, output, 1, true,
          toDecimal128(input * 25, 18) / 10000000, toDecimal128(output * 100, 18) / 10000000,
          toDecimal128(input * 25 + output * 100, 18) / 10000000, 'priced', 'bench'
        FROM (SELECT number, cityHash64(number, 2) % 10000 AS user,
                (user * 7 + if(cityHash64(number, 5) % 5 = 0, cityHash64(number, 6), 0)) % 8
                  AS model_index,
                100 + cityHash64(number, 7) % 4000 AS input,
                10 + cityHash64(number, 8) % 800 AS output
              FROM numbers({offset:UInt64}, {count:UInt64}))`,
      query_params: { now, days: DAYS, offset, count },
    });
    process.stderr.write(`\r  inserted ${(offset + count).toLocaleString('en-US')} calls`);
  }
  process.stderr.write('\n');
  return (performance.now() - started) / 1000;
}

async function tableSizes(store: ClickHouseStore): Promise<Record<string, number>> {
  const sizes: Record<string, number> = {};
  for (const table of ['llm_calls', 'cost_daily', 'cost_15m']) {
    const result = await store.client.query({
      query: 'SELECT count() AS n FROM {table:Identifier}',
      query_params: { table },
      format: 'JSONEachRow',
    });
    const [row] = await result.json<{ n: string }>();
    sizes[table] = Number(row?.n);
  }
  return sizes;
}

/** Runs each variant on the same 30 days and checks that they agree before timing them. */
async function measure(store: ClickHouseStore): Promise<Timing[]> {
  const adminKey = crypto.randomBytes(24).toString('base64url');
  const keys = new ApiKeyStore(store.client);
  const costs = await createCostApi(store, logger);
  const server = await startApiServer({
    port: 0,
    routes: [...baseRoutes(store, keys), ...costs.routes],
    logger,
    readiness: () => ({}),
    auth: new Authenticator(digestOf(adminKey), crypto.randomBytes(24).toString('base64url')),
  });

  try {
    const end = new Date().toISOString().slice(0, 10);
    const start = new Date(Date.now() - (DAYS - 1) * 86_400_000).toISOString().slice(0, 10);
    const headers = { authorization: `Bearer ${adminKey}` };
    const apiCall = (tz: string) => async () => {
      const query = `startDate=${start}&endDate=${end}&groupBy=model&tz=${tz}`;
      const response = await fetch(`${server.url}/api/costs/aggregate?${query}`, { headers });
      return byModel(((await response.json()) as { rows: ModelRow[] }).rows);
    };
    // The same question as the API's: every measure of a row, per model. The text
    // holds its values because /api/sql takes SQL as analysts write it; they are
    // this script's own dates and zone names, never input.
    const rawSql = (tz: string) =>
      `SELECT model, sum(cost_usd) AS totalCostUsd, sum(request_count) AS requestCount,
         sum(input_tokens) AS inputTokens, sum(cache_read_tokens) AS cacheReadTokens,
         sum(cache_write_tokens) AS cacheWriteTokens,
         sum(cache_write_1h_tokens) AS cacheWrite1hTokens, sum(output_tokens) AS outputTokens,
         sum(reasoning_tokens) AS reasoningTokens, sum(audio_input_tokens) AS audioInputTokens,
         sum(audio_output_tokens) AS audioOutputTokens,
         sum(unpriced_requests) AS unpricedRequests, sum(unpriced_tokens) AS unpricedTokens
       FROM llm_calls
       WHERE toDate(occurred_at, '${tz}') BETWEEN '${start}' AND '${end}'
       GROUP BY model ORDER BY totalCostUsd DESC`;
    const rawOverHttp = (tz: string) => async () => {
      const response = await fetch(`${server.url}/api/sql`, {
        method: 'POST',
        headers: { ...headers, 'content-type': 'application/json' },
        body: JSON.stringify({ query: rawSql(tz) }),
      });
      return byModel(((await response.json()) as { rows: ModelRow[] }).rows);
    };
    const rawInProcess = (tz: string) => async () => {
      const result = await store.client.query({ query: rawSql(tz), format: 'JSONEachRow' });
      return byModel(await result.json<ModelRow>());
    };

    const variants: [string, string, () => Promise<string>][] = [
      ['api-utc', 'GET /api/costs/aggregate tz=UTC (cost_daily)', apiCall('UTC')],
      [
        'api-local',
        'GET /api/costs/aggregate tz=America/New_York (cost_15m)',
        apiCall('America/New_York'),
      ],
      ['raw-http-utc', 'POST /api/sql on llm_calls, UTC days', rawOverHttp('UTC')],
      [
        'raw-http-local',
        'POST /api/sql on llm_calls, New York days',
        rawOverHttp('America/New_York'),
      ],
      ['raw-direct-utc', 'llm_calls in process, no HTTP, UTC days', rawInProcess('UTC')],
    ];
    await checkAgreement(variants);

    // Variants take turns, each round in another order, so that a load change on
    // a shared machine falls on all of them alike instead of on one.
    for (let i = 0; i < WARMUP; i++) for (const [, , run] of variants) await run();
    const timings: Timing[] = variants.map(([name, what]) => ({ name, what, samples: [] }));
    for (let round = 0; round < SAMPLES; round++) {
      for (let turn = 0; turn < variants.length; turn++) {
        const index = (round + turn) % variants.length;
        const began = performance.now();
        await variants[index]![2]();
        timings[index]!.samples.push(performance.now() - began);
      }
    }
    return timings;
  } finally {
    await server.close();
  }
}

interface ModelRow {
  model: string;
  totalCostUsd: string;
  requestCount: string | number;
  inputTokens: string | number;
  outputTokens: string | number;
}

/** An answer in one comparable form: each model's exact cost and counts. */
function byModel(rows: ModelRow[]): string {
  return rows
    .map((row) => {
      const cost = new Money(row.totalCostUsd).toFixed();
      return `${row.model}=${cost}/${row.requestCount}/${row.inputTokens}/${row.outputTokens}`;
    })
    .sort()
    .join(' ');
}

async function checkAgreement(variants: [string, string, () => Promise<string>][]): Promise<void> {
  const answers = await Promise.all(variants.map(async ([name, , run]) => [name, await run()]));
  const pairs = [
    ['api-utc', 'raw-http-utc'],
    ['api-utc', 'raw-direct-utc'],
    ['api-local', 'raw-http-local'],
  ];
  const answer = Object.fromEntries(answers);
  for (const [a, b] of pairs) {
    if (answer[a!] !== answer[b!])
      throw new Error(`${a} and ${b} disagree:\n${answer[a!]}\n${answer[b!]}`);
  }
  process.stderr.write('  every variant gives the same costs and counts per model\n');
}

function percentile(samples: number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)]!;
}

function summarize(results: Timing[]) {
  const p95 = (name: string) => percentile(results.find((t) => t.name === name)!.samples, 0.95);
  return {
    variants: results.map((t) => ({
      name: t.name,
      what: t.what,
      p50Ms: round(percentile(t.samples, 0.5)),
      p95Ms: round(percentile(t.samples, 0.95)),
      maxMs: round(Math.max(...t.samples)),
    })),
    ratios: {
      'raw-http-utc p95 / api-utc p95': round(p95('raw-http-utc') / p95('api-utc')),
      'raw-http-local p95 / api-local p95': round(p95('raw-http-local') / p95('api-local')),
      'raw-direct-utc p95 / api-utc p95': round(p95('raw-direct-utc') / p95('api-utc')),
    },
  };
}

const round = (value: number) => Math.round(value * 100) / 100;

function report(title: string, detail: unknown): void {
  process.stdout.write(`${title}\n${JSON.stringify(detail, null, 2)}\n`);
}

function writeResults(run: {
  calls: number;
  samples: number;
  loadSeconds: number;
  sizes: Record<string, number>;
  results: Timing[];
}): void {
  const summary = summarize(run.results);
  report(
    `over ${run.samples} calls each, variants taking turns (after ${WARMUP} warm-up rounds)`,
    summary,
  );

  const dir = path.join(packageRoot, 'bench', 'results');
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `aggregate-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  const machine = { cpus: os.cpus().length, node: process.version };
  const record = { ...run, results: undefined, summary, machine, at: new Date().toISOString() };
  fs.writeFileSync(file, JSON.stringify(record, null, 2));
  process.stdout.write(`written to ${path.relative(packageRoot, file)}\n`);
  if (flags.figures) fs.writeFileSync(flags.figures, JSON.stringify(asFigures(run.results)));
}

/** The API's p95 against the same answer from llm_calls: how many times faster, and the target. */
function asFigures(results: Timing[]): BenchFigure[] {
  const p95 = (name: string) => percentile(results.find((t) => t.name === name)!.samples, 0.95);
  const versus = (id: string, api: string, raw: string, what: string) => {
    const value = p95(api);
    const baseline = p95(raw);
    const speedUp = baseline / value;
    return figure({
      id,
      what: `${what}, ${CALLS} calls, 30 days by model`,
      value,
      unit: 'ms',
      baseline: { what: 'the same answer from llm_calls over /api/sql, p95', value: baseline },
      ratio: speedUp,
      notes: 'ratio = how many times faster than the baseline',
      target: 'p95 < 100 ms and ≥ 20× faster',
      met: value < 100 && speedUp >= 20,
    });
  };
  return [
    versus('aggregate.utc_p95_ms', 'api-utc', 'raw-http-utc', '/api/costs/aggregate in UTC, p95'),
    versus(
      'aggregate.local_p95_ms',
      'api-local',
      'raw-http-local',
      '/api/costs/aggregate in America/New_York, p95',
    ),
  ];
}

await main();
