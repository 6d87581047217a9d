import { Money } from '../../lib/money.ts';
import type { CostAlert } from '../../schemas/cost-alert.ts';
import type { QuotaStatus } from '../../schemas/quota-state.ts';
import { alertIdOf } from './alert-id.ts';
import type { Budget } from './budget.ts';
import type { PeriodWindow } from './period.ts';

/** The spend of a scope in a window, as the rollups hold it (each eventId once). */
export interface ScopeSpend {
  spendUsd: Money;
  unpricedRequests: number;
}

export interface BudgetCheckInput {
  budget: Budget;
  window: PeriodWindow;
  spend: ScopeSpend;
  now: number;
  /**
   * A projection needs this share of the period behind it, so that the first
   * minutes of a day do not extrapolate one call into a breach. @default 0.25
   */
  minProjectionElapsed?: number;
}

export interface BudgetCheck {
  /** Every alert the spend justifies; the caller drops those already raised. */
  alerts: CostAlert[];
}

const ONE = new Money(1);

/**
 * Decides which alerts a budget's spend justifies: a
 * warning per threshold reached, exceeded at 100%, a projected breach, and
 * incompleteness when calls could not be priced. The dedupe key of each
 * alert names the budget, its limit, the period and the threshold, so it is
 * raised once per period whoever spent and whichever instance counted, and
 * a new period (or a changed limit) re-arms it.
 */
export function checkBudget(input: BudgetCheckInput): BudgetCheck {
  const { budget, spend, now } = input;
  const alerts: AlertDraft[] = [];

  for (const threshold of [...budget.warnAt, ONE]) {
    const level = budget.limitUsd.times(threshold);
    if (spend.spendUsd.gte(level)) alerts.push(thresholdAlert(input, threshold));
  }

  const projected = projectedSpend(input);
  if (projected && spend.spendUsd.lt(budget.limitUsd) && projected.gt(budget.limitUsd)) {
    alerts.push(projectionAlert(input, projected));
  }
  if (spend.unpricedRequests > 0) alerts.push(incompleteAlert(input));

  return { alerts: alerts.map(withTime(now)) };
}

/** ok, warning from the lowest threshold on, exceeded from the limit on. */
export function statusOf(budget: Budget, spendUsd: Money): QuotaStatus {
  if (spendUsd.gte(budget.limitUsd)) return 'exceeded';
  const lowest = budget.warnAt[0];
  return lowest && spendUsd.gte(budget.limitUsd.times(lowest)) ? 'warning' : 'ok';
}

/** The call whose spend, in order of occurrence, first reached a threshold. */
export interface Crossing {
  eventId: string;
  spendUsd: Money;
}

/**
 * A warning or exceeded alert told the call that crossed its threshold and
 * the spend right after it, instead of the spend when it was evaluated.
 */
export function withCrossing(
  alert: CostAlert,
  budget: Budget,
  window: PeriodWindow,
  crossing: Crossing,
): CostAlert {
  const threshold = new Money(alert.budget?.threshold ?? 1);
  return {
    ...alert,
    summary: thresholdSummary(budget, window.label, threshold, crossing.spendUsd),
    spendUsd: crossing.spendUsd.toFixed(),
    triggeredBy: crossing.eventId,
  };
}

function projectedSpend(input: BudgetCheckInput): Money | undefined {
  const { window, spend, now } = input;
  const length = window.end - window.start;
  const elapsed = Math.min(now, window.end) - window.start;
  if (elapsed <= 0 || elapsed / length < (input.minProjectionElapsed ?? 0.25)) return undefined;
  return spend.spendUsd.times(length).dividedBy(elapsed).toDecimalPlaces(6, Money.ROUND_UP);
}

type AlertDraft = Omit<CostAlert, 'raisedAt'>;

function thresholdAlert(input: BudgetCheckInput, threshold: Money): AlertDraft {
  const exceeded = threshold.eq(ONE);
  const { budget, window, spend } = input;
  return {
    ...base(input, exceeded ? 'budget.exceeded' : 'budget.warning', threshold.toFixed()),
    severity: exceeded ? 'critical' : 'warning',
    summary: thresholdSummary(budget, window.label, threshold, spend.spendUsd),
    spendUsd: spend.spendUsd.toFixed(),
  };
}

function thresholdSummary(budget: Budget, label: string, threshold: Money, spend: Money): string {
  const reached = threshold.eq(ONE) ? 'exceeded' : `reached ${threshold.times(100).toFixed()}% of`;
  return (
    `${budget.scopeKey} ${reached} its ${budget.period} budget of ` +
    `${budget.limitUsd.toFixed()} USD for ${label}: ${spend.toFixed()} USD spent`
  );
}

function projectionAlert(input: BudgetCheckInput, projected: Money): AlertDraft {
  const { budget, window, spend } = input;
  return {
    ...base(input, 'budget.projected', null),
    severity: 'warning',
    summary:
      `${budget.scopeKey} is on course to spend ${projected.toFixed()} USD in ${window.label}, ` +
      `over its ${budget.period} budget of ${budget.limitUsd.toFixed()} USD ` +
      `(${spend.spendUsd.toFixed()} USD so far)`,
    spendUsd: spend.spendUsd.toFixed(),
    projectedUsd: projected.toFixed(),
  };
}

function incompleteAlert(input: BudgetCheckInput): AlertDraft {
  const { budget, window, spend } = input;
  return {
    ...base(input, 'budget.incomplete', null),
    severity: 'warning',
    summary:
      `${budget.scopeKey}: ${spend.unpricedRequests} request(s) in ${window.label} could not ` +
      `be priced, so its spend of ${spend.spendUsd.toFixed()} USD is a lower bound`,
    spendUsd: spend.spendUsd.toFixed(),
  };
}

function base(input: BudgetCheckInput, type: CostAlert['type'], threshold: string | null) {
  const { budget, window, spend } = input;
  const dedupeKey = [
    type,
    budget.id,
    budget.timeZone,
    window.label,
    budget.limitUsd.toFixed(),
    threshold ?? '',
  ].join('|');
  return {
    alertId: alertIdOf(dedupeKey),
    dedupeKey,
    type,
    scope: budget.scopeKey,
    tenantId: budget.scope.tenant ?? null,
    budget: {
      budgetId: budget.id,
      period: budget.period,
      timeZone: budget.timeZone,
      limitUsd: budget.limitUsd.toFixed(),
      threshold,
    },
    periodStart: window.start,
    periodEnd: window.end,
    projectedUsd: null,
    incomplete: spend.unpricedRequests > 0,
    unpricedRequests: spend.unpricedRequests,
    triggeredBy: null,
    spike: null,
    details: {},
  } satisfies Partial<CostAlert>;
}

function withTime(now: number) {
  return (draft: AlertDraft): CostAlert => ({ ...draft, raisedAt: now });
}
