import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AlertingService } from '../consumers/alerting/alerting-service.ts';
import { alertingRoutes } from '../cli/pipeline.ts';
import type { LlmCallInput } from '../schemas/llm-call.ts';
import { alertingFixture, type AlertingFixture } from './alerting-fixture.ts';
import { startTestApi, type TestApi } from './api-harness.ts';
import { tokenCost, unscaled } from './helpers/decimal.ts';
import { answerCheck, type AnswerCheck } from './helpers/openapi-check.ts';

/** 1000 USD per million input tokens: a token costs 0.001 USD. */
const PRICE = '1000';
const MODEL = 'quota-test';
const DAY_MS = 86_400_000;

interface Quota {
  budgetId: string;
  status: string;
  incomplete: boolean;
  unpricedRequests: number;
  spendUsd: string;
  limitUsd: string;
  periodStart: number;
  periodEnd: number;
}
interface Alert {
  type: string;
  scope: string;
  tenantId: string | null;
  spendUsd: string | null;
  raisedAt: number;
}

let clock = Date.now();
function call(tenantId: string, userId: string, tokens: number, model = MODEL): LlmCallInput {
  return {
    eventId: crypto.randomUUID(),
    occurredAt: (clock += 1),
    tenantId,
    userId,
    touchpoint: 'main-chat',
    provider: 'openai',
    model,
    usage: { inputTokens: tokens },
  };
}

/** The UTC day and month around `at`, computed here from the calendar alone. */
function utcPeriods(at: number) {
  const day = Math.floor(at / DAY_MS) * DAY_MS;
  const date = new Date(at);
  const month = Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), 1);
  const nextMonth = Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, 1);
  return { day: [day, day + DAY_MS], month: [month, nextMonth] };
}

describe('budgets, quota and alerts over HTTP, with a real alerting service', () => {
  let f: AlertingFixture;
  let service: AlertingService;
  let api: TestApi;
  let check: AnswerCheck;
  let reader: string;
  let manager: string;

  const budget = (scope: string, period: string, limitUsd: string, warnAt = ['0.5']) => ({
    scope,
    period,
    limitUsd,
    warnAt,
  });

  beforeAll(async () => {
    const prices = [{ provider: 'openai', model: MODEL, prices: { input: PRICE } }];
    f = await alertingFixture({ groupPrefix: 'api-alerting.', prices });
    service = await f.startService();
    api = await startTestApi(f.store, alertingRoutes(service, f.store));
    check = await answerCheck(api.url);
    reader = (await api.keys.create({ tenantId: 'acme', grants: [], label: 'reader' })).key;
    const grants = ['budgets' as const];
    manager = (await api.keys.create({ tenantId: 'acme', grants, label: 'manager' })).key;

    for (const body of [
      budget('tenant=acme', 'day', '10'),
      budget('user=u1,tenant=acme', 'month', '100'),
      budget('tenant=globex', 'day', '5'),
      budget('platform', 'month', '1000'),
    ]) {
      const set = await api.send('PUT', '/api/budgets', { body });
      expect(set.status, JSON.stringify(set.body)).toBe(200);
    }
    // The route asks for a refresh in the background; this one is awaited.
    await service.monitor.refresh();

    // acme: 6 USD by u1 (60% of its day), one call of a model without a price;
    // globex: 6 USD, over its 5 USD day.
    await f.producer.recordMany([
      call('acme', 'u1', 4_000),
      call('acme', 'u1', 2_000),
      call('acme', 'u2', 1_000, 'no-such-model'),
      call('globex', 'g1', 6_000),
    ]);
    await f.idle();
  });

  afterAll(async () => {
    await api?.close();
    await f?.close();
  });

  const cost = (tokens: number) => unscaled(tokenCost(BigInt(tokens), PRICE));

  it('answers each budget’s state as the alerting consumer counts it', async () => {
    const { quotas } = await api.json<{ quotas: Quota[] }>('/api/quota');
    const { day, month } = utcPeriods(clock);
    const summary = quotas.map((q) => [
      q.budgetId,
      q.status,
      q.spendUsd,
      q.limitUsd,
      q.incomplete,
      q.unpricedRequests,
      [q.periodStart, q.periodEnd],
    ]);
    expect(summary).toEqual([
      ['platform|month', 'ok', cost(12_000), '1000', true, 1, month],
      ['tenant=acme,user=u1|month', 'ok', cost(6_000), '100', false, 0, month],
      ['tenant=acme|day', 'warning', cost(6_000), '10', true, 1, day],
      ['tenant=globex|day', 'exceeded', cost(6_000), '5', false, 0, day],
    ]);
    expect(check('GET', '/api/quota', 200, { quotas })).toBe('');

    // The consumer published the same states to quota.state.v1.
    const published = await f.producer.checkQuota('tenant=globex');
    expect(published.budgets.find((b) => b.budgetId === 'tenant=globex|day')).toMatchObject({
      status: 'exceeded',
      spendUsd: cost(6_000),
    });
  });

  it('lists alerts newest first, by scope, tenant and type', async () => {
    const all = await api.json<{ alerts: Alert[] }>('/api/alerts');
    expect(check('GET', '/api/alerts', 200, all)).toBe('');
    const kinds = all.alerts.map((a) => `${a.type} ${a.scope}`);
    expect(kinds).toEqual(
      expect.arrayContaining([
        'budget.warning tenant=acme',
        'budget.incomplete tenant=acme',
        'budget.warning tenant=globex',
        'budget.exceeded tenant=globex',
        'budget.incomplete platform',
      ]),
    );

    const times = all.alerts.map((a) => a.raisedAt);
    expect(times).toEqual([...times].sort((a, b) => b - a));

    const globex = await api.json<{ alerts: Alert[] }>('/api/alerts?scope=tenant%3Dglobex');
    expect(globex.alerts.map((a) => `${a.type} ${a.spendUsd}`).sort()).toEqual([
      `budget.exceeded ${cost(6_000)}`,
      `budget.warning ${cost(6_000)}`,
    ]);

    const exceeded = await api.json<{ alerts: Alert[] }>('/api/alerts?type=budget.exceeded');
    expect(exceeded.alerts.map((a) => a.scope)).toEqual(['tenant=globex']);
    const latest = await api.json<{ alerts: Alert[] }>('/api/alerts?limit=1');
    expect(latest.alerts).toEqual(all.alerts.slice(0, 1));
  });

  it('shows a tenant key its tenant only, whatever it asks', async () => {
    const quotas = await api.json<{ quotas: Quota[] }>('/api/quota', reader);
    expect(quotas.quotas.map((q) => q.budgetId)).toEqual([
      'tenant=acme,user=u1|month',
      'tenant=acme|day',
    ]);
    const budgets = await api.json<{ budgets: { id: string }[] }>('/api/budgets', reader);
    expect(budgets.budgets.map((b) => b.id)).toEqual(quotas.quotas.map((q) => q.budgetId));

    const alerts = await api.json<{ alerts: Alert[] }>('/api/alerts', reader);
    const asAdmin = await api.json<{ alerts: Alert[] }>('/api/alerts?tenantId=acme');
    expect(alerts.alerts.length).toBeGreaterThan(0);
    expect(alerts.alerts.every((a) => a.tenantId === 'acme')).toBe(true);
    expect(alerts.alerts).toEqual(asAdmin.alerts);
    // A projection joins them between 06:00 and 14:24 UTC (6 USD of 10 at that pace).
    const own = await api.json<{ alerts: Alert[] }>('/api/alerts?scope=tenant%3Dacme', reader);
    const types = own.alerts.map((a) => a.type).filter((type) => type !== 'budget.projected');
    expect(types.sort()).toEqual(['budget.incomplete', 'budget.warning']);

    // A tenant id that spells another scope reaches nothing: no budget can be its own.
    const trick = (await api.keys.create({ tenantId: 'acme,user=u1', grants: [], label: '' })).key;
    expect((await api.json<{ quotas: Quota[] }>('/api/quota', trick)).quotas).toEqual([]);
    expect((await api.json<{ budgets: unknown[] }>('/api/budgets', trick)).budgets).toEqual([]);
    expect((await api.json<{ alerts: Alert[] }>('/api/alerts', trick)).alerts).toEqual([]);

    for (const query of ['scope=tenant%3Dglobex', 'scope=platform', 'tenantId=globex']) {
      const response = await api.get(`/api/alerts?${query}`, { key: reader });
      expect(response.status, query).toBe(403);
    }
  });

  it('lets a tenant key change budgets only with the grant and inside its tenant', async () => {
    const mine = budget('tenant=acme,touchpoint=main-chat', 'day', '3');
    const refused = await api.send('PUT', '/api/budgets', { key: reader, body: mine });
    expect(refused.status).toBe(403);
    const id = encodeURIComponent('tenant=acme|day');
    expect((await api.send('DELETE', `/api/budgets/${id}`, { key: reader })).status).toBe(403);

    const set = await api.send('PUT', '/api/budgets', { key: manager, body: mine });
    expect(set.status).toBe(200);
    expect(check('PUT', '/api/budgets', 200, set.body)).toBe('');
    for (const scope of ['tenant=globex', 'platform', 'touchpoint=main-chat']) {
      const other = await api.send('PUT', '/api/budgets', {
        key: manager,
        body: budget(scope, 'day', '1'),
      });
      expect(other.status, scope).toBe(403);
    }

    const globex = encodeURIComponent('tenant=globex|day');
    expect((await api.send('DELETE', `/api/budgets/${globex}`, { key: manager })).status).toBe(403);
    const absent = encodeURIComponent('tenant=acme,model=none|month');
    expect((await api.send('DELETE', `/api/budgets/${absent}`, { key: manager })).status).toBe(404);
    const created = encodeURIComponent('tenant=acme,touchpoint=main-chat|day');
    const deleted = await api.send('DELETE', `/api/budgets/${created}`, { key: manager });
    expect(deleted).toEqual({
      status: 200,
      body: { deleted: 'tenant=acme,touchpoint=main-chat|day' },
    });

    const left = await api.json<{ budgets: { id: string }[] }>('/api/budgets');
    expect(left.budgets.map((b) => b.id)).toContain('tenant=globex|day');
  });

  it('refuses bad parameters and bodies with 400 naming them, missing keys with 401', async () => {
    const cases: [string, string][] = [
      ['/api/alerts?limit=0', 'limit'],
      ['/api/alerts?limit=abc', 'limit'],
      ['/api/alerts?scope=user%3Du1', 'scope'],
      ['/api/alerts?type=budget.maybe', 'type'],
      ['/api/alerts?since=yesterday', 'since'],
      ['/api/quota?tenantId=acme', 'tenantId'],
      ['/api/budgets?all=1', 'all'],
    ];
    for (const [path, field] of cases) {
      const response = await api.get(path);
      const body = (await response.json()) as { error: { field: string; message: string } };
      expect(response.status, path).toBe(400);
      expect(body.error.field, path).toBe(field);
      expect(body.error.message.startsWith(`${field}: `), path).toBe(true);
    }

    const badScope = await api.send('PUT', '/api/budgets', {
      body: budget('tenant=acme,colour=red', 'day', '1'),
    });
    expect(badScope.status).toBe(400);
    expect(badScope.body.error).toMatchObject({ field: 'scope' });
    const badLimit = await api.send('PUT', '/api/budgets', {
      body: budget('tenant=acme', 'day', '-1'),
    });
    expect(badLimit.body.error).toMatchObject({ field: 'limitUsd' });

    for (const path of ['/api/quota', '/api/alerts', '/api/budgets']) {
      expect((await api.get(path, { key: null })).status, path).toBe(401);
      expect((await api.get(path, { key: `${reader}x` })).status, path).toBe(401);
    }
  });
});
