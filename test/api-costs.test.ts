import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { replayTrace } from '../cli/replay/replay-trace.ts';
import type { PricingConsumer } from '../consumers/pricing/pricing-consumer.ts';
import { packageRoot } from '../lib/config.ts';
import { CostEventProducer } from '../producers/cost-event-producer.ts';
import { startTestApi, type TestApi } from './api-harness.ts';
import { scaled } from './helpers/decimal.ts';
import {
  freshStore,
  freshTopics,
  queryRows,
  testKafka,
  testLogger,
  waitFor,
} from './helpers/infra.ts';
import { startPricingConsumer } from './helpers/pipeline.ts';

const TRACE = path.join(
  packageRoot,
  'data/azure-llm-inference-2023/AzureLLMInferenceTrace_conv.csv',
);
const REPLAY = {
  provider: 'openai',
  model: 'gpt-4o',
  touchpoint: 'main-chat',
  tenants: 5,
  users: 20,
  rebase: 'now' as const,
  shiftDays: 0,
};
const MEASURE_COLUMNS = [
  'totalCostUsd',
  'requestCount',
  'inputTokens',
  'cacheReadTokens',
  'cacheWriteTokens',
  'cacheWrite1hTokens',
  'outputTokens',
  'reasoningTokens',
  'audioInputTokens',
  'audioOutputTokens',
  'unpricedRequests',
  'unpricedTokens',
];

interface Answer {
  query: Record<string, unknown>;
  rows: Record<string, string | number>[];
  summary: Record<string, string | number | boolean | null>;
}

describe('the cost API over the Azure conversation trace, through the real pipeline', () => {
  const kafka = testKafka();
  let store: Awaited<ReturnType<typeof freshStore>>;
  let consumer: PricingConsumer;
  let api: TestApi;
  let range: string;
  let tenantKey: string;

  beforeAll(async () => {
    store = await freshStore();
    const topics = await freshTopics(kafka);
    consumer = await startPricingConsumer(kafka, store, topics);
    await replayTrace(kafka, topics, TRACE, REPLAY, testLogger);
    const producer = new CostEventProducer({ kafka, topics, logger: testLogger });
    await producer.record({
      tenantId: 'tenant-unpriced',
      touchpoint: 'pii-sanitizer',
      provider: 'nobody',
      model: 'no-such-model',
      usage: { inputTokens: 1_000, outputTokens: 10 },
    });
    await producer.flush(30_000);
    await producer.close();
    await waitFor('the trace and the unpriced call in llm_calls', async () => {
      const [row] = await queryRows(store, 'SELECT count() AS n FROM llm_calls');
      return Number(row?.n) === 19_367 ? true : undefined;
    });

    const [span] = await queryRows(
      store,
      'SELECT toString(toDate(min(occurred_at))) AS first, ' +
        'toString(toDate(max(occurred_at))) AS last FROM llm_calls',
    );
    range = `startDate=${span!.first}&endDate=${span!.last}`;
    api = await startTestApi(store);
    tenantKey = (await api.keys.create({ tenantId: 'tenant-01', grants: [], label: 'test' })).key;
  });

  afterAll(async () => {
    await api?.close();
    await consumer?.stop();
    await store?.close();
  });

  const costs = (path: string, key?: string) => api.json<Answer>(path, key);
  const sql = async (query: string, params: Record<string, unknown> = {}) =>
    queryRows(store, query, params);

  it('totals the platform exactly as SELECT sum(cost_usd) FROM llm_calls', async () => {
    const answer = await costs(`/api/costs/aggregate?${range}`);
    const [raw] = await sql('SELECT sum(cost_usd) AS cost, count() AS n FROM llm_calls');

    expect(scaled(String(answer.summary.totalCostUsd))).toBe(scaled(raw!.cost!));
    expect(answer.summary.totalRequests).toBe(Number(raw!.n));
    expect(answer.rows).toHaveLength(1);
    expect(answer.rows[0]!.totalCostUsd).toBe(answer.summary.totalCostUsd);
    expect(answer.query.source).toBe('cost_daily');
  });

  it('breaks costs down by model, tenant, user and touchpoint, each adding up', async () => {
    const byModel = await costs(`/api/costs/by-model?${range}`);
    const models = await sql(
      'SELECT provider, model, sum(cost_usd) AS cost, count() AS n FROM llm_calls ' +
        'GROUP BY provider, model ORDER BY sum(cost_usd) DESC, model',
    );
    expect(
      byModel.rows.map((row) => [row.provider, row.model, scaled(String(row.totalCostUsd))]),
    ).toEqual(models.map((row) => [row.provider, row.model, scaled(row.cost!)]));
    const gpt = byModel.rows.find((row) => row.model === 'gpt-4o')!;
    expect(gpt.costPerRequestUsd).toMatch(/^0\.\d+$/);
    expect(gpt.costPer1kTokensUsd).toMatch(/^0\.00\d+$/);

    for (const what of ['tenant', 'user', 'touchpoint']) {
      const answer = await costs(`/api/costs/by-${what}?${range}`);
      const summed = answer.rows.reduce((sum, row) => sum + scaled(String(row.totalCostUsd)), 0n);
      expect(summed, what).toBe(scaled(String(answer.summary.totalCostUsd)));
    }
    const tenants = await costs(`/api/costs/by-tenant?${range}`);
    for (const row of tenants.rows) {
      const [own] = await sql(
        'SELECT sum(cost_usd) AS cost FROM llm_calls WHERE tenant_id = {t:String}',
        {
          t: row.tenantId,
        },
      );
      expect(scaled(String(row.totalCostUsd)), String(row.tenantId)).toBe(scaled(own!.cost!));
    }

    const users = await costs(`/api/costs/by-user?${range}&limit=3`);
    expect(users.rows).toHaveLength(3);
    expect(Object.keys(users.rows[0]!).slice(0, 2)).toEqual(['tenantId', 'userId']);
    expect(users.summary.totalCostUsd).toBe(tenants.summary.totalCostUsd);
  });

  it('surfaces calls that could not be priced instead of hiding them', async () => {
    const unpriced = await costs(`/api/costs/aggregate?${range}&tenantId=tenant-unpriced`);
    expect(unpriced.summary).toMatchObject({
      totalCostUsd: '0',
      totalRequests: 1,
      unpricedRequests: 1,
      complete: false,
    });
    const platform = await costs(`/api/costs/aggregate?${range}`);
    expect(platform.summary.complete).toBe(false);
    const healthy = await costs(`/api/costs/aggregate?${range}&tenantId=tenant-01`);
    expect(healthy.summary.complete).toBe(true);
  });

  it("shows a tenant key its own tenant's rows and nothing else", async () => {
    const own = await costs(`/api/costs/aggregate?${range}&groupBy=tenant,model`, tenantKey);
    const [raw] = await sql(
      "SELECT sum(cost_usd) AS cost, count() AS n FROM llm_calls WHERE tenant_id = 'tenant-01'",
    );
    expect(own.rows.map((row) => row.tenantId)).toEqual(['tenant-01']);
    expect(scaled(String(own.summary.totalCostUsd))).toBe(scaled(raw!.cost!));
    expect(own.summary.totalRequests).toBe(Number(raw!.n));

    const tenants = await costs(`/api/costs/by-tenant?${range}`, tenantKey);
    expect(tenants.rows.map((row) => row.tenantId)).toEqual(['tenant-01']);
    const users = await costs(`/api/costs/by-user?${range}`, tenantKey);
    expect(new Set(users.rows.map((row) => row.tenantId))).toEqual(new Set(['tenant-01']));
    const trend = await costs(`/api/costs/trends?${range}`, tenantKey);
    expect(trend.summary.totalCostUsd).toBe(own.summary.totalCostUsd);
    const csv = await (
      await api.get(`/api/costs/by-tenant?${range}&format=csv`, { key: tenantKey })
    ).text();
    expect(csv.trim().split('\r\n')).toHaveLength(2);
  });

  it('answers 401 for a missing or wrong key and 403 beyond a tenant key', async () => {
    const path = `/api/costs/aggregate?${range}`;
    const status = async (p: string, key?: string | null) => (await api.get(p, { key })).status;

    expect(await status(path, null)).toBe(401);
    expect(await status(path, 'not-a-key')).toBe(401);
    expect(await status(path, `${tenantKey.slice(0, -1)}A`)).toBe(401);
    expect(await status(`${path}&scope=platform`, tenantKey)).toBe(403);
    expect(await status(`${path}&tenantId=tenant-02`, tenantKey)).toBe(403);
    expect(await status('/api/keys', tenantKey)).toBe(403);
    expect(await status('/api/whoami', tenantKey)).toBe(200);

    const { record, key } = await api.keys.create({ tenantId: 'tenant-02', grants: [], label: '' });
    expect(await status(path, key)).toBe(200);
    const revoked = await api.get(`/api/keys/${record.keyId}`, {});
    expect(revoked.status).toBe(405);
    const response = await fetch(`${api.url}/api/keys/${record.keyId}`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${api.adminKey}` },
    });
    expect(response.status).toBe(200);
    expect(await status(path, key)).toBe(401);
  });

  it('binds every value: SQL in a parameter is only a tenant id that matches nothing', async () => {
    const hostile = encodeURIComponent("tenant-01' OR 1=1 --");
    const answer = await costs(`/api/costs/by-tenant?${range}&tenantId=${hostile}`);
    expect(answer.rows).toEqual([]);
    expect(answer.summary.totalRequests).toBe(0);
  });

  it('answers CSV with a stable header, by Accept or by format, streamed', async () => {
    const path = `/api/costs/aggregate?${range}&groupBy=day,tenant,user&tz=Asia/Kolkata`;
    const byAccept = await api.get(path, { accept: 'text/csv' });
    const byFormat = await api.get(`${path}&format=csv`);
    const json = await costs(path);
    const text = await byAccept.text();

    expect(byAccept.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(byAccept.headers.get('transfer-encoding')).toBe('chunked');
    expect(await byFormat.text()).toBe(text);
    const [header, ...lines] = text.trimEnd().split('\r\n');
    expect(header).toBe(['day', 'tenantId', 'userId', ...MEASURE_COLUMNS].join(','));
    expect(lines).toHaveLength(json.rows.length);
    const csvTotal = lines.reduce((sum, line) => sum + scaled(line.split(',')[3]!), 0n);
    expect(csvTotal).toBe(scaled(String(json.summary.totalCostUsd)));

    const empty = await api.get(
      '/api/costs/aggregate?startDate=2001-01-01&endDate=2001-01-02&groupBy=day,tenant,user',
      { accept: 'text/csv' },
    );
    expect(await empty.text()).toBe(`${header}\r\n`);
  });

  it('gives a trend with every period, zeros included, and the change against before', async () => {
    const [span] = await sql('SELECT toString(toDate(max(occurred_at))) AS last FROM llm_calls');
    const end = span!.last!;
    const start = new Date(Date.parse(`${end}T00:00:00Z`) - 6 * 86_400_000)
      .toISOString()
      .slice(0, 10);
    const trend = await costs(`/api/costs/trends?startDate=${start}&endDate=${end}`);

    expect(trend.rows.map((row) => row.period)).toHaveLength(7);
    expect(trend.rows[0]).toMatchObject({ period: start, changeUsd: null, partial: false });
    const summed = trend.rows.reduce((sum, row) => sum + scaled(String(row.totalCostUsd)), 0n);
    expect(summed).toBe(scaled(String(trend.summary.totalCostUsd)));
    expect(trend.summary).toMatchObject({ changePercent: null });
    expect((trend.summary.previousPeriod as unknown as { totalCostUsd: string }).totalCostUsd).toBe(
      '0',
    );

    const weeks = await costs(
      `/api/costs/trends?startDate=${start}&endDate=${end}&granularity=week`,
    );
    expect(weeks.rows.every((row) => new Date(`${row.period}T00:00:00Z`).getUTCDay() === 1)).toBe(
      true,
    );
    expect(weeks.summary.totalCostUsd).toBe(trend.summary.totalCostUsd);
  });

  it.each([
    ['', 'startDate', /is required; expected a date YYYY-MM-DD/],
    ['startDate=2025-02-30&endDate=2025-03-01', 'startDate', /expected a date/],
    ['startDate=2025-03-02&endDate=2025-03-01', 'endDate', /before startDate/],
    ['startDate=2000-01-01&endDate=2025-01-01', 'endDate', /at most 3660/],
    [
      'startDate=2025-01-01&endDate=2025-01-02&groupBy=day,colour',
      'groupBy',
      /day, week, month, tenant/,
    ],
    ['startDate=2025-01-01&endDate=2025-01-02&groupBy=day,month', 'groupBy', /at most one of/],
    ['startDate=2025-01-01&endDate=2025-01-02&tz=Mars/Olympus', 'tz', /IANA time zone/],
    ['startDate=2025-01-01&endDate=2025-01-02&limit=0', 'limit', /whole number from 1/],
    ['startDate=2025-01-01&endDate=2025-01-02&scope=galaxy', 'scope', /platform, tenant, user/],
    ['startDate=2025-01-01&endDate=2025-01-02&scope=tenant', 'tenantId', /required with scope/],
    ['startDate=2025-01-01&endDate=2025-01-02&scope=platform&userId=u', 'userId', /not allowed/],
    ['startDate=2025-01-01&endDate=2025-01-02&format=xml', 'format', /json, csv/],
    [
      'startDate=2025-01-01&endDate=2025-01-02&start=x',
      'start',
      /unknown parameter; allowed: scope/,
    ],
    ['startDate=2025-01-01&startDate=2025-01-02&endDate=2025-01-02', 'startDate', /more than once/],
  ])('answers 400 naming the parameter for %s', async (query, field, message) => {
    const response = await api.get(`/api/costs/aggregate?${query}`);
    const body = (await response.json()) as { error: { field: string; message: string } };
    expect(response.status).toBe(400);
    expect(body.error.field).toBe(field);
    expect(body.error.message.startsWith(`${field}: `)).toBe(true);
    expect(body.error.message).toMatch(message);
  });
});
