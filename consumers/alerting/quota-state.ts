import type { QuotaState } from '../../schemas/quota-state.ts';
import { statusOf, type ScopeSpend } from './budget-check.ts';
import type { Budget } from './budget.ts';
import type { PeriodWindow } from './period.ts';

/**
 * Where a budget stands in a period with this spend: what quota.state.v1
 * carries and what GET /api/quota answers, built in one place so that the
 * two always agree.
 */
export function quotaStateOf(
  budget: Budget,
  window: PeriodWindow,
  spend: ScopeSpend,
  now: number,
): QuotaState {
  return {
    budgetId: budget.id,
    scope: budget.scopeKey,
    period: budget.period,
    timeZone: budget.timeZone,
    status: statusOf(budget, spend.spendUsd),
    incomplete: spend.unpricedRequests > 0,
    unpricedRequests: spend.unpricedRequests,
    spendUsd: spend.spendUsd.toFixed(),
    limitUsd: budget.limitUsd.toFixed(),
    periodStart: window.start,
    periodEnd: window.end,
    updatedAt: now,
  };
}
