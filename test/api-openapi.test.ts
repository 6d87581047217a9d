import { Ajv2020 } from 'ajv/dist/2020.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alertingApiRoutes, storeAlertingParts } from '../api/alerting/alerting-api.ts';
import { startCompactionApi, type CompactionApi } from '../api/compaction/compaction-api.ts';
import { repriceRoute } from '../api/reprice-route.ts';
import type { Route } from '../api/router.ts';
import { checkBudget } from '../consumers/alerting/budget-check.ts';
import { parseBudget } from '../consumers/alerting/budget.ts';
import { periodOf } from '../consumers/alerting/period.ts';
import { createPriceBook } from '../consumers/pricing/create-price-book.ts';
import { LlmCallsSink } from '../consumers/pricing/llm-calls-sink.ts';
import { PricedCallPublisher } from '../consumers/pricing/priced-call-publisher.ts';
import { Repricer } from '../consumers/pricing/repricer.ts';
import { Money } from '../lib/money.ts';
import { SchemaRegistry } from '../schemas/registry.ts';
import { startTestApi, type TestApi } from './api-harness.ts';
import { freshStore, freshTopics, testKafka, testLogger } from './helpers/infra.ts';

interface Parameter {
  name: string;
  in: string;
  required: boolean;
  schema: { type?: string; enum?: string[]; items?: { enum?: string[] }; format?: string };
}
interface Operation {
  parameters: Parameter[];
  requestBody?: { content: Record<string, { schema: { required?: string[] } }> };
  responses: Record<string, { content?: Record<string, { schema: object }> }>;
  'x-access': string;
  'x-grant'?: string;
}
type Document = { paths: Record<string, Record<string, Operation>> };

/** Values that satisfy a parameter alone, by name, for calls that must succeed. */
const SAMPLE: Record<string, string> = {
  startDate: '2025-01-01',
  endDate: '2025-01-31',
  tenantId: 'tenant-a',
  userId: 'user-1',
  tz: 'Asia/Kathmandu',
  provider: 'openai',
  model: 'gpt-4o',
  touchpoint: 'main-chat',
  limit: '5',
};
/** A value outside what each documented non-enum parameter allows. */
const REFUSED: Record<string, string> = {
  startDate: '2025-13-01',
  endDate: '2025-02-30',
  tz: 'Not/AZone',
  limit: '0',
  tenantId: 'x'.repeat(129),
  scope: 'user=u1',
  userId: 'x'.repeat(257),
  provider: 'x'.repeat(257),
  model: 'x'.repeat(257),
  touchpoint: 'x'.repeat(257),
};
/** What an enum value needs beside it to make sense (a scope names its tenant or user). */
const COMPANIONS: Record<string, Record<string, string>> = {
  'scope=tenant': { tenantId: 'tenant-a' },
  'scope=user': { tenantId: 'tenant-a', userId: 'user-1' },
};

interface Call {
  method: string;
  path: string;
  url?: string;
  body?: unknown;
  status: number;
}

/**
 * A call of every operation that the generic GET checks cannot make (a
 * body, a path parameter), with the status it succeeds with, in order: the
 * budget is deleted after it is set.
 */
function calls(keyId: string): Call[] {
  const budgetId = 'tenant=tenant-a,user=user-1|day';
  return [
    { method: 'post', path: '/api/keys', body: { tenantId: 'tenant-a' }, status: 201 },
    { method: 'delete', path: '/api/keys/{keyId}', url: `/api/keys/${keyId}`, status: 200 },
    { method: 'post', path: '/api/sql', body: { query: 'SELECT 1 AS one' }, status: 200 },
    {
      method: 'post',
      path: '/api/reprice',
      body: { from: '2025-01-10', to: '2025-01-12', dryRun: true },
      status: 200,
    },
    {
      method: 'put',
      path: '/api/budgets',
      body: { scope: 'tenant=tenant-a,user=user-1', period: 'day', limitUsd: '2.5' },
      status: 200,
    },
    {
      method: 'delete',
      path: '/api/budgets/{id}',
      url: `/api/budgets/${encodeURIComponent(budgetId)}`,
      status: 200,
    },
    {
      method: 'post',
      path: '/api/compaction',
      body: {
        requestId: 'openapi-1',
        conversationId: 'c1',
        tenantId: 'tenant-a',
        strategy: 'none',
        tokenBudget: 100,
        model: 'gpt-4o',
        messages: [{ role: 'user', content: 'hello' }],
      },
      status: 202,
    },
    // No worker runs here: the request stays queued.
    {
      method: 'get',
      path: '/api/compaction/{requestId}',
      url: '/api/compaction/openapi-1',
      status: 202,
    },
  ];
}

describe('the OpenAPI document says what the server accepts and answers', () => {
  const kafka = testKafka('api-openapi-test');
  let store: Awaited<ReturnType<typeof freshStore>>;
  let publisher: PricedCallPublisher;
  let compaction: CompactionApi;
  let routes: Route[];
  let api: TestApi;
  let document: Document;
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  ajv.addFormat('date', /^\d{4}-\d{2}-\d{2}$/);
  ajv.addFormat('date-time', { validate: (text: string) => !Number.isNaN(Date.parse(text)) });

  beforeAll(async () => {
    store = await freshStore();
    await store.client.command({
      query: `INSERT INTO llm_calls (event_id, kind, occurred_at, ingested_at, tenant_id, user_id,
                touchpoint, provider, model, service_tier, input_tokens, output_tokens,
                request_count, cost_usd, pricing_status, unpriced_requests)
              SELECT toString(number), 'call', toDateTime64('2025-01-10 12:00:00', 3, 'UTC') +
                number * 3600, now64(3), 'tenant-a', 'user-1', 'main-chat', 'openai', 'gpt-4o',
                'standard', 1000, 100, 1, toDecimal128('0.0035', 18), 'priced', 0
              FROM numbers(30)`,
    });
    await seedAlerting(store);

    const topics = await freshTopics(kafka, 1);
    publisher = new PricedCallPublisher(kafka, new SchemaRegistry(), topics.costs);
    await publisher.connect();
    const repricer = new Repricer({
      client: store.client,
      book: () => createPriceBook(undefined, testLogger),
      sink: new LlmCallsSink(store.client),
      publish: (corrections) => publisher.publish(corrections),
      logger: testLogger,
    });
    compaction = await startCompactionApi({ kafka, topics, logger: testLogger });
    routes = [
      ...alertingApiRoutes(storeAlertingParts(store.client, testLogger)),
      ...compaction.routes,
      repriceRoute(repricer),
    ];
    api = await startTestApi(store, routes);
    document = (await (await fetch(`${api.url}/api/openapi.json`)).json()) as Document;
  });

  afterAll(async () => {
    await api?.close();
    await compaction?.stop();
    await publisher?.disconnect();
    await store?.close();
  });

  const operations = () =>
    Object.entries(document.paths).flatMap(([path, methods]) =>
      Object.entries(methods).map(([method, operation]) => ({ path, method, operation })),
    );
  const queryOf = (operation: Operation, extra: Record<string, string> = {}) => {
    const query = new URLSearchParams();
    for (const p of operation.parameters) {
      if (p.in === 'query' && p.required) query.set(p.name, SAMPLE[p.name] ?? 'x');
    }
    for (const [name, value] of Object.entries(extra)) query.set(name, value);
    return query;
  };
  const getOperations = () =>
    operations().filter((o) => o.method === 'get' && !o.path.includes('{'));

  it('is served without a key and documents every route', () => {
    expect(Object.keys(document.paths).sort()).toEqual([
      '/api/alerts',
      '/api/alerts/failed-deliveries',
      '/api/budgets',
      '/api/budgets/{id}',
      '/api/compaction',
      '/api/compaction/{requestId}',
      '/api/compaction/{requestId}/events',
      '/api/costs/aggregate',
      '/api/costs/by-model',
      '/api/costs/by-tenant',
      '/api/costs/by-touchpoint',
      '/api/costs/by-user',
      '/api/costs/trends',
      '/api/keys',
      '/api/keys/{keyId}',
      '/api/quota',
      '/api/reprice',
      '/api/sql',
      '/api/time-zones',
      '/api/whoami',
    ]);
    const undocumented = routes.filter((route) => !route.doc);
    expect(undocumented.map((route) => `${route.method} ${route.path}`)).toEqual([]);
  });

  it('lists routes the server has, with the access it enforces', async () => {
    const { key } = await api.keys.create({ tenantId: 'tenant-a', grants: [], label: '' });
    for (const { path, method, operation } of operations()) {
      const url = `${api.url}${path.replace(/\{[^}]+\}/g, '0000000000000000')}`;
      const anonymous = await fetch(url, { method: method.toUpperCase() });
      expect(anonymous.status, `${method} ${path}`).toBe(401);
      if (operation['x-access'] !== 'admin' && !operation['x-grant']) continue;
      const tenant = await fetch(url, {
        method: method.toUpperCase(),
        headers: { authorization: `Bearer ${key}` },
      });
      expect(tenant.status, `${method} ${path} with a tenant key without grants`).toBe(403);
    }
  });

  it('answers every call of a body or path parameter as documented', async () => {
    const { keyId } = (await api.keys.create({ tenantId: 'tenant-a', grants: [], label: '' }))
      .record;
    const planned = calls(keyId);
    const called = new Set(planned.map((c) => `${c.method} ${c.path}`));
    const uncalled = operations()
      .filter((o) => o.method !== 'get' || o.path.includes('{'))
      .map((o) => `${o.method} ${o.path}`)
      .filter((name) => !called.has(name));
    expect(uncalled).toEqual(['get /api/compaction/{requestId}/events']);

    for (const call of planned) {
      const response = await fetch(`${api.url}${call.url ?? call.path}`, {
        method: call.method.toUpperCase(),
        headers: { authorization: `Bearer ${api.adminKey}`, 'content-type': 'application/json' },
        body: call.body === undefined ? undefined : JSON.stringify(call.body),
      });
      const body = await response.json();
      const name = `${call.method} ${call.path}`;
      expect(response.status, `${name}: ${JSON.stringify(body)}`).toBe(call.status);
      const operation = document.paths[call.path]![call.method]!;
      const schema = operation.responses[String(call.status)]!.content!['application/json']!;
      const validate = ajv.compile(schema.schema);
      expect(validate(body), `${name}: ${ajv.errorsText(validate.errors)}`).toBe(true);
    }

    const events = await api.get('/api/compaction/openapi-1/events');
    const declared = document.paths['/api/compaction/{requestId}/events']!.get!;
    expect(Object.keys(declared.responses['200']!.content!)).toEqual(['text/event-stream']);
    expect(events.headers.get('content-type')).toMatch(/^text\/event-stream/);
    await events.body?.cancel();
  });

  it('refuses a body without a required field, naming a documented one', async () => {
    for (const { path, method, operation } of operations().filter((o) => o.operation.requestBody)) {
      const schema = operation.requestBody!.content['application/json']!.schema;
      const response = await fetch(`${api.url}${path}`, {
        method: method.toUpperCase(),
        headers: { authorization: `Bearer ${api.adminKey}`, 'content-type': 'application/json' },
        body: '{}',
      });
      const body = (await response.json()) as { error: { field: string } };
      expect(response.status, `${method} ${path}`).toBe(400);
      expect(schema.required, `${method} ${path}`).toContain(body.error.field);
    }
  });

  it('answers each GET with a body its documented schema accepts, in JSON and CSV', async () => {
    // The seeded budget and its alerts, so that those lists are checked with items in them.
    expect((await api.json<{ quotas: unknown[] }>('/api/quota')).quotas).toHaveLength(1);
    expect((await api.json<{ alerts: unknown[] }>('/api/alerts')).alerts).toHaveLength(3);
    for (const { path, operation } of getOperations()) {
      const response = await api.get(`${path}?${queryOf(operation)}`);
      const body = await response.json();
      const content = operation.responses['200']!.content!;
      const validate = ajv.compile(content['application/json']!.schema);
      expect(response.status, path).toBe(200);
      expect(validate(body), `${path}: ${ajv.errorsText(validate.errors)}`).toBe(true);

      if (!content['text/csv']) continue;
      const csv = await api.get(`${path}?${queryOf(operation)}`, { accept: 'text/csv' });
      expect(csv.headers.get('content-type'), path).toMatch(/^text\/csv/);
    }
  });

  it('accepts every documented enum value and refuses others, naming the parameter', async () => {
    for (const { path, operation } of getOperations()) {
      for (const p of operation.parameters.filter((p) => p.in === 'query')) {
        const values = p.schema.enum ?? p.schema.items?.enum ?? [];
        for (const value of values) {
          const extra = { [p.name]: value, ...COMPANIONS[`${p.name}=${value}`] };
          const response = await api.get(`${path}?${queryOf(operation, extra)}`);
          expect(response.status, `${path} ${p.name}=${value}`).toBe(200);
        }
        const bad = values.length > 0 ? 'not-a-documented-value' : REFUSED[p.name];
        if (bad === undefined) continue;
        const refused = await api.get(`${path}?${queryOf(operation, { [p.name]: bad })}`);
        const body = (await refused.json()) as { error: { field: string } };
        expect(refused.status, `${path} ${p.name}=${bad}`).toBe(400);
        expect(body.error.field).toBe(p.name);
      }
      const unknown = await api.get(`${path}?${queryOf(operation, { undocumented: '1' })}`);
      expect(unknown.status, `${path} with an undocumented parameter`).toBe(400);
    }
  });

  it('marks as required exactly the parameters the server cannot do without', async () => {
    for (const { path, operation } of getOperations()) {
      for (const p of operation.parameters.filter((p) => p.in === 'query' && p.required)) {
        const query = queryOf(operation);
        query.delete(p.name);
        const response = await api.get(`${path}?${query}`);
        expect(response.status, `${path} without ${p.name}`).toBe(400);
      }
      const optional = operation.parameters.filter((p) => p.in === 'query' && !p.required);
      expect(optional.every((p) => !queryOf(operation).has(p.name))).toBe(true);
    }
  });
});

/**
 * A budget, and the alerts its spend would raise, made by the alerting
 * part's own code, so that the budget, quota and alert answers are not
 * empty lists.
 */
async function seedAlerting(store: Awaited<ReturnType<typeof freshStore>>): Promise<void> {
  const parts = storeAlertingParts(store.client, testLogger);
  const budget = parseBudget({ scope: 'tenant=tenant-a', period: 'month', limitUsd: '0.05' });
  await parts.budgets.set(budget);

  const now = Date.now();
  const window = periodOf(now, budget.period, budget.timeZone);
  const spend = { spendUsd: new Money('0.105'), unpricedRequests: 1 };
  const { alerts } = checkBudget({ budget, window, spend, now });
  await parts.alertLog.record(alerts);
}
