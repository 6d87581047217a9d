import type { ClickHouseClient } from '../../clickhouse/client.ts';
import type { Logger } from '../../lib/logger.ts';
import { Mutex } from '../../lib/mutex.ts';
import type { CostAlert } from '../../schemas/cost-alert.ts';
import type { PricedCall } from '../../schemas/priced-call.ts';
import type { QuotaState } from '../../schemas/quota-state.ts';
import type { AlertLog } from './alert-log.ts';
import type { AlertPublisher } from './alert-publisher.ts';
import { checkBudget, withCrossing } from './budget-check.ts';
import { crossingsOf } from './crossing-query.ts';
import type { Budget } from './budget.ts';
import type { BudgetStore } from './budget-store.ts';
import { periodOf, type PeriodWindow } from './period.ts';
import { quotaStateOf } from './quota-state.ts';
import { scopeMatches } from './scope.ts';
import { scopeSpends } from './spend-query.ts';

export interface BudgetMonitorOptions {
  client: ClickHouseClient;
  store: BudgetStore;
  alertLog: AlertLog;
  publisher: AlertPublisher;
  logger: Logger;
  now: () => number;
  /** See BudgetCheckInput. @default 0.25 */
  minProjectionElapsed?: number;
}

export interface BudgetMonitorStats {
  evaluations: number;
  alertsRaised: number;
  alertsAlreadyRaised: number;
}

interface Touched {
  budget: Budget;
  window: PeriodWindow;
}

/** An alert a budget's check produced, with the budget period it is about. */
interface BudgetAlert extends Touched {
  alert: CostAlert;
}

/**
 * Keeps every budget's current period evaluated: after each batch of priced
 * calls it re-reads the spend of the touched budgets from the rollups,
 * raises the alerts not raised before (by id, in the shared alert log) and
 * publishes the budget's quota state. `refresh()` does the same for every
 * budget, which rebuilds all open periods on start, opens new periods as
 * time passes, and picks up budgets changed by another process.
 */
export class BudgetMonitor {
  readonly stats: BudgetMonitorStats = { evaluations: 0, alertsRaised: 0, alertsAlreadyRaised: 0 };
  private budgets: Budget[] = [];
  private readonly published = new Map<string, string>();
  private readonly mutex = new Mutex();
  private readonly logger: Logger;
  /** Budget periods touched by batches that wait for the next evaluation pass. */
  private readonly waiting = new Map<string, Touched>();
  private nextPass: Promise<void> | undefined;

  constructor(private readonly options: BudgetMonitorOptions) {
    this.logger = options.logger.child({ component: 'budgets' });
  }

  /** The budgets in force, as last loaded. */
  current(): Budget[] {
    return this.budgets;
  }

  /** Reloads the budgets and evaluates each one's current period. */
  refresh(): Promise<void> {
    return this.mutex.run(async () => {
      const budgets = await this.options.store.list();
      await this.dropRemoved(budgets);
      this.budgets = budgets;

      const now = this.options.now();
      await this.evaluateAll(
        budgets.map((budget) => ({
          budget,
          window: periodOf(now, budget.period, budget.timeZone),
        })),
      );
    });
  }

  /** Resolves once the evaluation in progress, if any, has finished. */
  settled(): Promise<void> {
    return this.mutex.run(async () => undefined);
  }

  /**
   * Evaluates the budgets whose open period the calls fall into. Batches that
   * arrive while a pass runs (one per partition) share the next pass, so
   * that a budget all of them touch is read once, not once per batch.
   */
  onCalls(calls: PricedCall[]): Promise<void> {
    this.markTouched(calls);
    this.nextPass ??= this.mutex.run(async () => {
      this.nextPass = undefined;
      const touched = [...this.waiting.values()];
      this.waiting.clear();
      await this.evaluateAll(touched);
    });
    return this.nextPass;
  }

  /**
   * Evaluates budget periods together: their spends come in one query, the
   * alerts they raise in one send and one insert, their quota states in one
   * send; many budgets crossing at once do not wait for each other in turn.
   */
  private async evaluateAll(touched: Touched[]): Promise<void> {
    const now = this.options.now();
    const spends = await scopeSpends(
      this.options.client,
      touched.map(({ budget, window }) => ({ scope: budget.scope, window })),
    );
    const alerts = touched.flatMap(({ budget, window }, index) =>
      checkBudget({
        budget,
        window,
        spend: spends[index]!,
        now,
        minProjectionElapsed: this.options.minProjectionElapsed,
      }).alerts.map((alert) => ({ alert, budget, window })),
    );
    this.stats.evaluations += touched.length;

    await this.raise(alerts);
    await this.publishQuota(
      touched.map(({ budget, window }, index) => quotaStateOf(budget, window, spends[index]!, now)),
    );
  }

  /** Publishes, then records, the alerts not raised before, each told the call that crossed. */
  private async raise(alerts: BudgetAlert[]): Promise<void> {
    const raised = await this.options.alertLog.raised(alerts.map(({ alert }) => alert.alertId));
    const fresh = await this.withCrossings(
      alerts.filter(({ alert }) => !raised.has(alert.alertId)),
    );
    this.stats.alertsAlreadyRaised += alerts.length - fresh.length;
    if (fresh.length === 0) return;

    await this.options.publisher.alerts(fresh);
    await this.options.alertLog.record(fresh);
    this.stats.alertsRaised += fresh.length;
    for (const alert of fresh) {
      this.logger.info(
        { alertId: alert.alertId, type: alert.type, scope: alert.scope, spendUsd: alert.spendUsd },
        'alert raised',
      );
    }
  }

  /** Adds the budget periods the calls fall into to those waiting for the next pass. */
  private markTouched(calls: PricedCall[]): void {
    const now = this.options.now();
    for (const { call } of calls) {
      for (const budget of this.budgets) {
        if (!scopeMatches(budget.scope, call)) continue;
        const window = periodOf(call.occurredAt, budget.period, budget.timeZone);
        // Only the open period counts: a closed one is history nobody acts on,
        // and a call stamped in a period not begun yet (a skewed clock) is
        // counted by the refresh that opens that period.
        if (window.end <= now || window.start > now) continue;

        this.waiting.set(`${budget.id}|${window.label}`, { budget, window });
      }
    }
  }

  /** Names the call that crossed each threshold alert's level, and the spend right after it. */
  private async withCrossings(alerts: BudgetAlert[]): Promise<CostAlert[]> {
    const withLevel = alerts.filter(({ alert }) => alert.budget?.threshold != null);
    const crossings = await crossingsOf(
      this.options.client,
      withLevel.map(({ alert, budget, window }) => ({
        scope: budget.scope,
        window,
        level: budget.limitUsd.times(alert.budget!.threshold!),
      })),
    );
    const crossingOf = new Map(withLevel.map(({ alert }, index) => [alert, crossings[index]]));
    return alerts.map(({ alert, budget, window }) => {
      const crossing = crossingOf.get(alert);
      return crossing ? withCrossing(alert, budget, window, crossing) : alert;
    });
  }

  /** Publishes the quota states that say something else than the last one of their budget. */
  private async publishQuota(states: QuotaState[]): Promise<void> {
    const changed = states
      .map((state) => ({ state, signature: JSON.stringify({ ...state, updatedAt: 0 }) }))
      .filter(({ state, signature }) => this.published.get(state.budgetId) !== signature);
    if (changed.length === 0) return;

    await this.options.publisher.quota(changed.map(({ state }) => state));
    for (const { state, signature } of changed) this.published.set(state.budgetId, signature);
  }

  private async dropRemoved(budgets: Budget[]): Promise<void> {
    const ids = new Set(budgets.map((budget) => budget.id));
    for (const budget of this.budgets) {
      if (ids.has(budget.id)) continue;
      await this.options.publisher.quotaTombstone(budget.id);
      this.published.delete(budget.id);
      this.logger.info({ budgetId: budget.id }, 'budget removed');
    }
  }
}
