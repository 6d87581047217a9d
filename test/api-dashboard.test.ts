import fs from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alertingApiRoutes, storeAlertingParts } from '../api/alerting/alerting-api.ts';
import { replayTrace } from '../cli/replay/replay-trace.ts';
import { AlertPublisher } from '../consumers/alerting/alert-publisher.ts';
import { BudgetMonitor } from '../consumers/alerting/budget-monitor.ts';
import { parseBudget } from '../consumers/alerting/budget.ts';
import type { PricingConsumer } from '../consumers/pricing/pricing-consumer.ts';
import type { TopicNames } from '../infra/topics.ts';
import { packageRoot } from '../lib/config.ts';
import { Money } from '../lib/money.ts';
import { launchBrowser, type TestBrowser } from './api-browser.ts';
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

const TRACES = path.join(packageRoot, 'data/azure-llm-inference-2023');
const REPLAYS = [
  {
    file: 'AzureLLMInferenceTrace_conv.csv',
    provider: 'openai',
    model: 'gpt-4o',
    touchpoint: 'main-chat',
  },
  {
    file: 'AzureLLMInferenceTrace_code.csv',
    provider: 'anthropic',
    model: 'claude-sonnet-4-5',
    touchpoint: 'compliance-engine',
  },
];
const SHOTS = path.join(packageRoot, 'test-results', 'dashboard');
const PAGES = ['costs', 'tenants', 'models', 'touchpoints', 'budgets', 'alerts'];

/**
 * Budgets over the replayed spend: the costliest tenant's day is over its
 * limit, another tenant is well within, and the platform's month in Paris
 * time is over, so that its alerts exist for a tenant key not to see.
 */
const BUDGETS = [
  { scope: 'tenant=tenant-01', period: 'day', timeZone: 'UTC', limitUsd: '1' },
  { scope: 'tenant=tenant-02', period: 'day', timeZone: 'UTC', limitUsd: '100000' },
  { scope: 'platform', period: 'month', timeZone: 'Europe/Paris', limitUsd: '10' },
];

interface Quota {
  budgetId: string;
  spendUsd: string;
}
interface Alert {
  type: string;
  scope: string;
  spendUsd: string | null;
}

/** ok, warning from 80% of the limit (the default threshold), exceeded from the limit. */
function statusOf(spend: string, limit: string): string {
  if (scaled(spend) >= scaled(limit)) return 'exceeded';
  return scaled(spend) * 10n >= scaled(limit) * 8n ? 'warning' : 'ok';
}

/** The text a money figure shows: dollars rounded half away from zero, thousands grouped. */
function shown(value: string, places = 2): string {
  const rounded = new Money(value).toDecimalPlaces(places, Money.ROUND_HALF_UP).toFixed(places);
  const [whole, fraction] = rounded.replace('-', '').split('.');
  const grouped = whole!.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${rounded.startsWith('-') ? '-' : ''}$${grouped}.${fraction}`;
}

describe('the dashboard in headless Chromium over the replayed Azure traces', () => {
  const kafka = testKafka();
  let store: Awaited<ReturnType<typeof freshStore>>;
  let consumer: PricingConsumer;
  let api: TestApi;
  let browser: TestBrowser;
  let page: Page;
  let calls = 0;

  beforeAll(async () => {
    fs.mkdirSync(SHOTS, { recursive: true });
    store = await freshStore();
    const topics = await freshTopics(kafka);
    consumer = await startPricingConsumer(kafka, store, topics);
    for (const replay of REPLAYS) {
      const options = { ...replay, tenants: 5, users: 20, rebase: 'now' as const, shiftDays: 0 };
      const result = await replayTrace(
        kafka,
        topics,
        path.join(TRACES, replay.file),
        options,
        testLogger,
      );
      calls += result.events;
    }
    await waitFor('both traces in llm_calls', async () => {
      const [row] = await queryRows(store, 'SELECT count() AS n FROM llm_calls');
      return Number(row?.n) === calls ? true : undefined;
    });
    await raiseBudgetAlerts(topics);
    api = await startTestApi(
      store,
      alertingApiRoutes(storeAlertingParts(store.client, testLogger)),
    );
    browser = await launchBrowser(api.url);
    page = await browser.newPage();
  });

  afterAll(async () => {
    await browser?.close();
    await api?.close();
    await consumer?.stop();
    await store?.close();
  });

  /**
   * Sets budgets over the replayed spend and has the alerting part's budget
   * monitor evaluate them once, as the alerting service does when it starts
   * (its stream consumers are not needed for that): what the spend justifies
   * is raised and recorded in the alert log.
   */
  async function raiseBudgetAlerts(topics: TopicNames): Promise<void> {
    const parts = storeAlertingParts(store.client, testLogger);
    const publisher = new AlertPublisher(kafka, topics);
    await publisher.connect();
    try {
      for (const budget of BUDGETS) await parts.budgets.set(parseBudget(budget));
      const monitor = new BudgetMonitor({
        client: store.client,
        store: parts.budgets,
        alertLog: parts.alertLog,
        publisher,
        logger: testLogger,
        now: Date.now,
      });
      await monitor.refresh();
    } finally {
      await publisher.disconnect();
    }
  }

  async function open(pathAndQuery: string, key?: string): Promise<void> {
    await page.goto(`${api.url}${pathAndQuery}`);
    await page.waitForSelector('body[data-ready]');
    if ((await page.getAttribute('body', 'data-ready')) === 'sign-in') {
      await page.fill('#api-key', key ?? api.adminKey);
      await page.click('.sign-in button[type=submit]');
    }
    await page.waitForSelector('body[data-ready="true"]');
  }

  async function shoot(name: string): Promise<void> {
    await page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });
  }

  /** A figure's exact value and its text, which must be that value rounded. */
  async function figure(selector: string, places = 2): Promise<string> {
    const element = page.locator(selector);
    const value = (await element.getAttribute('data-value'))!;
    expect(await element.textContent(), selector).toBe(shown(value, places));
    return value;
  }

  it('shows the month total of SELECT sum(cost_usd) FROM llm_calls, and API figures', async () => {
    await open('/analytics/costs?tz=UTC');
    await shoot('costs');

    const month = page.locator('[data-testid=card-month]');
    const start = (await month.getAttribute('data-start'))!;
    const end = (await month.getAttribute('data-end'))!;
    const monthApi = await api.json<{ summary: { totalCostUsd: string } }>(
      `/api/costs/aggregate?startDate=${start}&endDate=${end}`,
    );
    const [inMonth] = await queryRows(
      store,
      'SELECT sum(cost_usd) AS cost FROM llm_calls ' +
        'WHERE toDate(occurred_at) BETWEEN {s:Date} AND {e:Date}',
      { s: start, e: end },
    );
    const [all] = await queryRows(
      store,
      'SELECT sum(cost_usd) AS cost, min(occurred_at) AS first FROM llm_calls',
    );
    const value = await figure('[data-testid=card-month]');
    expect(value).toBe(monthApi.summary.totalCostUsd);
    expect(scaled(value)).toBe(scaled(inMonth!.cost!));
    // The traces end now and span about an hour, so they lie within this month unless
    // this runs in the first hour of one.
    if (all!.first!.slice(0, 10) >= start) expect(scaled(value)).toBe(scaled(all!.cost!));

    for (const card of ['today', 'week', 'range']) {
      const element = page.locator(`[data-testid=card-${card}]`);
      const from = await element.getAttribute('data-start');
      const to = await element.getAttribute('data-end');
      const answer = await api.json<{ summary: { totalCostUsd: string } }>(
        `/api/costs/aggregate?startDate=${from}&endDate=${to}&tz=UTC`,
      );
      expect(await figure(`[data-testid=card-${card}]`), card).toBe(answer.summary.totalCostUsd);
    }
  });

  it('shows the model table as the API answers it, and exports the same CSV', async () => {
    const [startDate, endDate] = await rangeOf('[data-testid=card-range]');
    const query = `startDate=${startDate}&endDate=${endDate}&tz=UTC`;
    const models = await api.json<{ rows: Record<string, string>[] }>(
      `/api/costs/by-model?${query}`,
    );
    const cells = await page
      .locator('[data-testid=table-models] tbody tr')
      .evaluateAll((rows) =>
        rows.map((row) =>
          [...row.querySelectorAll('.money')].map((cell) => cell.getAttribute('data-value')),
        ),
      );
    expect(cells).toEqual(
      models.rows.map((row) => [row.totalCostUsd, row.costPerRequestUsd, row.costPer1kTokensUsd]),
    );

    const download = page.waitForEvent('download');
    await page.click('[data-testid=csv-models]');
    const file = await (await download).path();
    const expected = await (await api.get(`/api/costs/by-model?${query}&format=csv`)).text();
    expect(fs.readFileSync(file, 'utf8')).toBe(expected);
  });

  it('loads every page without errors or outside requests, and saves screenshots', async () => {
    for (const name of PAGES) {
      await open(`/analytics/${name}?tz=UTC`);
      await shoot(name);
    }
    await open('/analytics/tenants?tz=UTC&tenant=tenant-01');
    await shoot('tenant-01');
    const total = await figure('[data-testid=tenant-total]');
    const [own] = await queryRows(
      store,
      "SELECT sum(cost_usd) AS cost FROM llm_calls WHERE tenant_id = 'tenant-01'",
    );
    expect(scaled(total)).toBe(scaled(own!.cost!));

    await open('/analytics/models?tz=UTC');
    const [all] = await queryRows(store, 'SELECT sum(cost_usd) AS cost FROM llm_calls');
    expect(scaled(await figure('[data-testid=models-total]'))).toBe(scaled(all!.cost!));
    await open('/analytics/touchpoints?tz=UTC');
    expect(scaled(await figure('[data-testid=touchpoints-total]'))).toBe(scaled(all!.cost!));

    expect(browser.pageErrors).toEqual([]);
    expect(browser.foreignRequests).toEqual([]);
  });

  it("shows a tenant key that tenant's figures only", async () => {
    const { key } = await api.keys.create({ tenantId: 'tenant-02', grants: [], label: 'browser' });
    await page.evaluate('sessionStorage.clear()');
    await open('/analytics/costs?tz=UTC', key);
    await shoot('costs-tenant-02');

    expect(await page.textContent('[data-testid=who]')).toBe('tenant tenant-02');
    const [own] = await queryRows(
      store,
      "SELECT sum(cost_usd) AS cost FROM llm_calls WHERE tenant_id = 'tenant-02'",
    );
    expect(scaled(await figure('[data-testid=card-range]'))).toBe(scaled(own!.cost!));
    await open('/analytics/tenants?tz=UTC', key);
    expect(await page.textContent('h1')).toBe('Tenant tenant-02');
    expect(scaled(await figure('[data-testid=tenant-total]'))).toBe(scaled(own!.cost!));
    expect(browser.pageErrors).toEqual([]);
    await page.evaluate('sessionStorage.clear()');
  });

  it('shows budgets with their spend in the current period, and their alerts', async () => {
    await open('/analytics/budgets');
    await shoot('budgets');
    const { quotas } = await api.json<{ quotas: Quota[] }>('/api/quota');
    const rows = page.locator('[data-testid=table-budgets] tbody tr');
    expect(await rows.count()).toBe(BUDGETS.length);

    for (const [index, quota] of quotas.entries()) {
      const budget = BUDGETS.find((b) => `${b.scope}|${b.period}` === quota.budgetId)!;
      const spent = await spendInPeriod(budget);
      const row = rows.nth(index);
      const [limit, spend] = await row
        .locator('.money')
        .evaluateAll((cells) => cells.map((cell) => cell.getAttribute('data-value')!));
      expect(await row.locator('td').first().textContent()).toBe(budget.scope);
      expect(limit).toBe(budget.limitUsd);
      expect(spend).toBe(quota.spendUsd);
      expect(scaled(spend!), budget.scope).toBe(scaled(spent));
      expect(await row.locator('.status').textContent()).toBe(statusOf(spent, budget.limitUsd));
    }

    await page.click(
      `[data-testid=table-budgets] a[href$="${encodeURIComponent('tenant=tenant-01')}"]`,
    );
    await page.waitForURL('**/analytics/alerts?scope=*');
    await page.waitForSelector('body[data-ready="true"]');
    await shoot('alerts-tenant-01');
    const scoped = await api.json<{ alerts: Alert[] }>(
      '/api/alerts?limit=100&scope=tenant%3Dtenant-01',
    );
    expect(await alertRows()).toEqual(
      scoped.alerts.map((a) => [a.type, a.scope, a.spendUsd ?? '']),
    );
    const dayBudget = BUDGETS[0]!;
    if (scaled(await spendInPeriod(dayBudget)) >= scaled(dayBudget.limitUsd)) {
      expect(scoped.alerts.map((a) => a.type)).toContain('budget.exceeded');
    }

    await open('/analytics/alerts');
    await shoot('alerts');
    const all = await api.json<{ alerts: Alert[] }>('/api/alerts?limit=100');
    const platform = BUDGETS[2]!;
    if (scaled(await spendInPeriod(platform)) >= scaled(platform.limitUsd)) {
      expect(all.alerts.map((a) => `${a.type} ${a.scope}`)).toContain('budget.exceeded platform');
    }
    expect(await alertRows()).toEqual(all.alerts.map((a) => [a.type, a.scope, a.spendUsd ?? '']));
    expect(browser.pageErrors).toEqual([]);
  });

  it("shows a tenant key its tenant's budgets and alerts only", async () => {
    const { key } = await api.keys.create({ tenantId: 'tenant-01', grants: [], label: '' });
    await page.evaluate('sessionStorage.clear()');
    await open('/analytics/budgets', key);
    await shoot('budgets-tenant-01');
    const scopes = await page
      .locator('[data-testid=table-budgets] tbody tr td:first-child')
      .allTextContents();
    expect(scopes).toEqual(['tenant=tenant-01']);

    await open('/analytics/alerts', key);
    const own = await api.json<{ alerts: Alert[] }>('/api/alerts?limit=100&tenantId=tenant-01');
    expect(await alertRows()).toEqual(own.alerts.map((a) => [a.type, a.scope, a.spendUsd ?? '']));
    expect((await alertRows()).every(([, scope]) => scope === 'tenant=tenant-01')).toBe(true);
    expect(browser.pageErrors).toEqual([]);
    await page.evaluate('sessionStorage.clear()');
  });

  /** Type, scope and spend of each alert shown, in the order shown. */
  async function alertRows(): Promise<string[][]> {
    const rows = page.locator('[data-testid=table-alerts] tbody tr:not(:has(td.empty))');
    return rows.evaluateAll((trs) =>
      trs.map((tr) => {
        const cells = tr.querySelectorAll('td');
        const spend = cells[4]?.querySelector('.money')?.getAttribute('data-value') ?? '';
        return [cells[1]!.textContent!, cells[2]!.textContent!, spend];
      }),
    );
  }

  /** A budget's spend so far in its current period, straight from llm_calls. */
  async function spendInPeriod(budget: (typeof BUDGETS)[number]): Promise<string> {
    const [row] = await queryRows(
      store,
      `SELECT toString(sum(cost_usd)) AS cost FROM llm_calls
       WHERE (empty({tenant:String}) OR tenant_id = {tenant:String})
         AND if({period:String} = 'day',
                toDate(occurred_at, {tz:String}) = toDate(now(), {tz:String}),
                toStartOfMonth(occurred_at, {tz:String}) = toStartOfMonth(now(), {tz:String}))`,
      {
        tenant: budget.scope.replace(/^tenant=|^platform$/, ''),
        period: budget.period,
        tz: budget.timeZone,
      },
    );
    return row!.cost!;
  }

  it('says so when the server has no budget or alert routes yet', async () => {
    const bare = await startTestApi(store);
    const bareBrowser = await launchBrowser(bare.url);
    try {
      const tab = await bareBrowser.newPage();
      await tab.goto(`${bare.url}/analytics/alerts`);
      await tab.fill('#api-key', bare.adminKey);
      await tab.click('.sign-in button[type=submit]');
      await tab.waitForSelector('body[data-ready="true"]');
      expect(await tab.textContent('main')).toContain('does not serve the alerts API yet');
      expect(bareBrowser.pageErrors.every((error) => error.includes('/api/alerts'))).toBe(true);
    } finally {
      await bareBrowser.close();
      await bare.close();
    }
  });

  it('is correct with no data in range', async () => {
    await open('/analytics/costs?tz=UTC&start=2001-01-01&end=2001-01-31');
    await shoot('costs-empty-range');
    expect(await figure('[data-testid=card-range]')).toBe('0');
    expect(await page.locator('[data-testid=chart-trend-empty]').count()).toBe(1);
    expect(await page.locator('[data-testid=table-models] td.empty').count()).toBe(1);
    expect(browser.pageErrors).toEqual([]);
  });

  it('stays readable with thousands of tenants', async () => {
    await store.client.command({
      query: `INSERT INTO llm_calls (event_id, kind, occurred_at, ingested_at, tenant_id, user_id,
                touchpoint, provider, model, service_tier, input_tokens, output_tokens,
                request_count, cost_usd, pricing_status)
              SELECT concat('many-', toString(number)), 'call', now64(3) - toIntervalSecond(number),
                now64(3), concat('org-', leftPad(toString(number), 4, '0')), 'u', 'main-chat',
                'openai', 'gpt-4o', 'standard', 1000 + number, 10, 1,
                toDecimal128(1 + number / 1000, 18), 'priced'
              FROM numbers(3000)`,
    });
    await open('/analytics/tenants?tz=UTC');
    await shoot('tenants-3000');
    expect(await page.textContent('.pager')).toContain('(3005 tenants)');
    expect(await page.locator('[data-testid=table-tenants] tbody tr').count()).toBe(50);

    await open('/analytics/costs?tz=UTC');
    await shoot('costs-3000-tenants');
    const [all] = await queryRows(store, 'SELECT sum(cost_usd) AS cost FROM llm_calls');
    expect(scaled(await figure('[data-testid=card-range]'))).toBe(scaled(all!.cost!));
    expect(browser.pageErrors).toEqual([]);
  });

  async function rangeOf(selector: string): Promise<[string, string]> {
    const element = page.locator(selector);
    return [(await element.getAttribute('data-start'))!, (await element.getAttribute('data-end'))!];
  }
});
