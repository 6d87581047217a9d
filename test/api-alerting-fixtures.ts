import { sendJson } from '../api/http.ts';
import type { Route } from '../api/router.ts';

/**
 * Budgets, quota states and alerts in the shapes of the alerting part
 * (schemas/quota-state.ts and schemas/cost-alert.ts on its branch), served
 * the way the dashboard's budget and alert pages expect to read them until
 * that part's routes are merged.
 */
export function alertingFixtureRoutes(now: number): Route[] {
  const day = { start: now - (now % 86_400_000), end: now - (now % 86_400_000) + 86_400_000 };
  const budgets = [
    {
      id: 'tenant=tenant-01|day',
      scope: 'tenant=tenant-01',
      period: 'day',
      timeZone: 'UTC',
      limitUsd: '10',
      warnAt: ['0.8'],
    },
    {
      id: 'platform|month',
      scope: 'platform',
      period: 'month',
      timeZone: 'Europe/Paris',
      limitUsd: '1000',
      warnAt: ['0.5', '0.9'],
    },
  ];
  const quotas = [
    {
      budgetId: budgets[0]!.id,
      scope: budgets[0]!.scope,
      period: 'day',
      timeZone: 'UTC',
      status: 'exceeded',
      incomplete: false,
      unpricedRequests: 0,
      spendUsd: '67.75',
      limitUsd: '10',
      periodStart: day.start,
      periodEnd: day.end,
      updatedAt: now,
    },
    {
      budgetId: budgets[1]!.id,
      scope: 'platform',
      period: 'month',
      timeZone: 'Europe/Paris',
      status: 'ok',
      incomplete: true,
      unpricedRequests: 1,
      spendUsd: '154.66',
      limitUsd: '1000',
      periodStart: day.start,
      periodEnd: day.end,
      updatedAt: now,
    },
  ];
  const alert = (
    type: string,
    severity: string,
    summary: string,
    minutesAgo: number,
    spendUsd: string | null,
    limitUsd: string | null,
  ) => ({
    alertId: `${type}-${minutesAgo}`,
    dedupeKey: `${type}|${minutesAgo}`,
    type,
    severity,
    summary,
    scope: 'tenant=tenant-01',
    tenantId: 'tenant-01',
    budget:
      limitUsd === null
        ? null
        : { budgetId: budgets[0]!.id, period: 'day', timeZone: 'UTC', limitUsd, threshold: null },
    spendUsd,
    raisedAt: now - minutesAgo * 60_000,
  });
  const alerts = [
    alert(
      'budget.exceeded',
      'critical',
      'tenant-01 spent $10.02 of its $10 daily budget',
      5,
      '10.02',
      '10',
    ),
    alert(
      'budget.warning',
      'warning',
      'tenant-01 passed 80% of its $10 daily budget',
      20,
      '8.01',
      '10',
    ),
    alert('cost.spike', 'warning', 'tenant-01 spends 6x its usual hourly cost', 45, null, null),
  ];

  const serve = (path: string, body: unknown): Route => ({
    method: 'GET',
    path,
    access: 'tenant',
    async handle({ response }) {
      sendJson(response, 200, body);
    },
  });
  return [
    serve('/api/budgets', { budgets }),
    serve('/api/quota', { quotas }),
    serve('/api/alerts', { alerts }),
  ];
}
