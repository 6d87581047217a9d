import { Money } from '../../lib/money.ts';
import type { CostAlert } from '../../schemas/cost-alert.ts';
import type { QuotaStatus } from '../../schemas/quota-state.ts';
import { alertIdOf } from './alert-id.ts';
import type { Budget } from './budget.ts';
import type { PeriodWindow } from './period.ts';

/** A call of the batch that counts towards the budget, in stream order. */
export interface CountedCall {
  eventId: string;
  costUsd: Money;
}

/** The spend of a scope in a window, as the rollups hold it (each eventId once). */
export interface ScopeSpend {
  spendUsd: Money;
  unpricedRequests: number;
}

export interface BudgetCheckInput {
  budget: Budget;
  window: PeriodWindow;
  spend: ScopeSpend;
  /** The calls of this batch inside the budget's scope and window, already in `spend`. */
  calls: CountedCall[];
  now: number;
  /**
   * A projection needs this share of the period behind it, so that the first
   * minutes of a day do not extrapolate one call into a breach. @default 0.25
   */
  minProjectionElapsed?: number;
}

export interface BudgetCheck {
  status: QuotaStatus;
  /** Every alert the spend justifies; the caller drops those already raised. */
  alerts: CostAlert[];
}

const ONE = new Money(1);

/**
 * Decides where a budget stands and which alerts its spend justifies: a
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
    if (spend.spendUsd.lt(level)) continue;
    const crossing = findCrossing(spend.spendUsd, input.calls, level);
    alerts.push(thresholdAlert(input, threshold, crossing));
  }

  const projected = projectedSpend(input);
  if (projected && spend.spendUsd.lt(budget.limitUsd) && projected.gt(budget.limitUsd)) {
    alerts.push(projectionAlert(input, projected));
  }
  if (spend.unpricedRequests > 0) alerts.push(incompleteAlert(input));

  return { status: statusOf(budget, spend.spendUsd), alerts: alerts.map(withTime(now)) };
}

export function statusOf(budget: Budget, spendUsd: Money): QuotaStatus {
  if (spendUsd.gte(budget.limitUsd)) return 'exceeded';
  const lowest = budget.warnAt[0];
  return lowest && spendUsd.gte(budget.limitUsd.times(lowest)) ? 'warning' : 'ok';
}

/**
 * Walks the batch's calls from the spend before them to find the call that
 * reached `level` and the spend at that moment. When the level was reached
 * before this batch (a budget set mid-period, a restart), the current spend
 * is reported and no call is named.
 */
function findCrossing(
  total: Money,
  calls: CountedCall[],
  level: Money,
): { spendUsd: Money; eventId: string | null } {
  let running = calls.reduce((sum, call) => sum.minus(call.costUsd), total);
  if (running.gte(level)) return { spendUsd: total, eventId: null };

  for (const call of calls) {
    running = running.plus(call.costUsd);
    if (running.gte(level)) return { spendUsd: running, eventId: call.eventId };
  }
  return { spendUsd: total, eventId: null };
}

function projectedSpend(input: BudgetCheckInput): Money | undefined {
  const { window, spend, now } = input;
  const length = window.end - window.start;
  const elapsed = Math.min(now, window.end) - window.start;
  if (elapsed <= 0 || elapsed / length < (input.minProjectionElapsed ?? 0.25)) return undefined;
  return spend.spendUsd.times(length).dividedBy(elapsed).toDecimalPlaces(6, Money.ROUND_UP);
}

type AlertDraft = Omit<CostAlert, 'raisedAt'>;

function thresholdAlert(
  input: BudgetCheckInput,
  threshold: Money,
  crossing: { spendUsd: Money; eventId: string | null },
): AlertDraft {
  const exceeded = threshold.eq(ONE);
  const type = exceeded ? 'budget.exceeded' : 'budget.warning';
  const percent = threshold.times(100).toFixed();
  const { budget, window } = input;
  return {
    ...base(input, type, threshold.toFixed()),
    severity: exceeded ? 'critical' : 'warning',
    summary:
      `${budget.scopeKey} ${exceeded ? 'exceeded' : `reached ${percent}% of`} its ` +
      `${budget.period} budget of ${budget.limitUsd.toFixed()} USD for ${window.label}: ` +
      `${crossing.spendUsd.toFixed()} USD spent`,
    spendUsd: crossing.spendUsd.toFixed(),
    triggeredBy: crossing.eventId,
  };
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
