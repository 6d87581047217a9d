import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alertRoutes } from '../api/alerting/alert-routes.ts';
import { Authenticator } from '../api/auth.ts';
import { budgetRoutes } from '../api/alerting/budget-routes.ts';
import { startApiServer, type ApiServer } from '../api/server.ts';
import type { AlertingService } from '../consumers/alerting/alerting-service.ts';
import { alertingFixture, type AlertingFixture } from './alerting-fixture.ts';
import { mailHeader } from './alerting-receivers.ts';
import { tokenCost, unscaled } from './helpers/decimal.ts';
import { testLogger, waitFor } from './helpers/infra.ts';

const PRICE = '1000';
const DAY_MS = 86_400_000;

describe('cost reports and the budget API', () => {
  const adminKey = 'test-admin-key';
  let f: AlertingFixture;
  let service: AlertingService;
  let api: ApiServer;

  const call = (tenantId: string, occurredAt: number, tokens: number) => ({
    eventId: crypto.randomUUID(),
    occurredAt,
    tenantId,
    userId: 'u1',
    touchpoint: 'compliance-engine',
    provider: 'openai',
    model: 'report-test',
    usage: { inputTokens: tokens },
  });

  const request = async (method: string, url: string, body?: unknown) => {
    const response = await fetch(`${api.url}${url}`, {
      method,
      headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };

  beforeAll(async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'llmcost-budgets-'));
    const budgetsFile = path.join(dir, 'budgets.yaml');
    fs.writeFileSync(
      budgetsFile,
      '- scope: tenant=r1\n  period: month\n  limitUsd: "500"\n  warnAt: [0.5, 0.9]\n',
    );

    const prices = [{ provider: 'openai', model: 'report-test', prices: { input: PRICE } }];
    f = await alertingFixture({ groupPrefix: 'reports-test.', prices });
    service = await f.startService({ budgetsFile });
    const digest = crypto.createHash('sha256').update(adminKey).digest();
    api = await startApiServer({
      port: 0,
      logger: testLogger,
      readiness: () => ({}),
      auth: new Authenticator(digest, crypto.randomUUID()),
      routes: [
        ...budgetRoutes(service.budgets, () => service.budgetsChanged()),
        ...alertRoutes(service.alertLog, service.outbox),
      ],
    });
  });

  afterAll(async () => {
    await api?.close();
    await f?.close();
  });

  it('sends each tenant its report of yesterday by email and webhook, once', async () => {
    const startOfToday = Math.floor(Date.now() / DAY_MS) * DAY_MS;
    const yesterday = startOfToday - DAY_MS + 3_600_000;
    await f.producer.recordMany([
      call('r1', yesterday, 1_500),
      call('r1', yesterday + 60_000, 2_250),
      call('r2', yesterday, 700),
      call('r2', startOfToday + 60_000, 9_000),
    ]);
    await f.idle();

    const raised = await service.reporter.runDue();
    expect(
      raised.filter((a) => a.type === 'cost.report.daily').map((a) => [a.tenantId, a.spendUsd]),
    ).toEqual([
      ['r1', unscaled(tokenCost(3_750n, PRICE))],
      ['r2', unscaled(tokenCost(700n, PRICE))],
    ]);
    expect(await service.reporter.runDue()).toEqual([]);

    const reports = (types: string[]) => types.filter((type) => type === 'cost.report.daily');
    await waitFor('two daily reports by webhook and email', async () =>
      reports(f.receivers.webhook.received.map((r) => String(r.json.type))).length === 2 &&
      reports(f.receivers.smtp.received.map((m) => mailHeader(m.raw, 'X-Llmcost-Alert-Type') ?? ''))
        .length === 2
        ? true
        : undefined,
    );
    expect(f.receivers.slack.received.filter((r) => r.body.includes('cost.report'))).toEqual([]);
    expect(f.receivers.pagerduty.received).toEqual([]);
  });

  it('lists the budgets of the budgets file and changes them through the API', async () => {
    const listed = await request('GET', '/api/budgets');
    expect(listed.body.budgets).toEqual([
      {
        id: 'tenant=r1|month',
        scope: 'tenant=r1',
        period: 'month',
        timeZone: 'UTC',
        limitUsd: '500',
        warnAt: ['0.5', '0.9'],
      },
    ]);

    const refused = await request('PUT', '/api/budgets', {
      scope: 'user=u1',
      period: 'day',
      limitUsd: 1,
    });
    expect(refused.status).toBe(400);

    const set = await request('PUT', '/api/budgets', {
      scope: 'tenant=r2',
      period: 'day',
      limitUsd: '5',
      timeZone: 'Europe/Dublin',
    });
    expect(set.status).toBe(200);
    const state = await waitFor('quota state of the new budget', async () => {
      const check = await f.producer.checkQuota('tenant=r2');
      return check.budgets.length > 0 ? check.budgets[0] : undefined;
    });
    expect(state).toMatchObject({
      budgetId: 'tenant=r2|day',
      limitUsd: '5',
      timeZone: 'Europe/Dublin',
    });

    const deleted = await request('DELETE', `/api/budgets/${encodeURIComponent('tenant=r2|day')}`);
    expect(deleted.status).toBe(200);
    await waitFor('the quota state to be removed', async () =>
      (await f.producer.checkQuota('tenant=r2')).status === 'unknown' ? true : undefined,
    );
    expect((await request('DELETE', '/api/budgets/nothing')).status).toBe(404);
  });

  it('lists the alerts raised', async () => {
    const { body } = await request('GET', '/api/alerts?tenantId=r1');
    const alerts = body.alerts as { type: string; tenantId: string }[];
    // On the first of a month yesterday's spend also makes a monthly report.
    expect(alerts.map((a) => `${a.type} ${a.tenantId}`)).toContain('cost.report.daily r1');
    expect(alerts.every((a) => a.tenantId === 'r1')).toBe(true);
  });
});
