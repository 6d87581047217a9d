import type { ClickHouseClient } from '../../clickhouse/client.ts';
import type { Logger } from '../../lib/logger.ts';
import { Mutex } from '../../lib/mutex.ts';
import type { CostAlert } from '../../schemas/cost-alert.ts';
import type { PricedCall } from '../../schemas/priced-call.ts';
import type { QuotaState } from '../../schemas/quota-state.ts';
import type { AlertLog } from './alert-log.ts';
import type { AlertPublisher } from './alert-publisher.ts';
import { checkBudget, withCrossing } from './budget-check.ts';
import { crossingOf } from './crossing-query.ts';
import type { Budget } from './budget.ts';
import type { BudgetStore } from './budget-store.ts';
import { periodOf, type PeriodWindow } from './period.ts';
import { quotaStateOf } from './quota-state.ts';
import { scopeMatches } from './scope.ts';
import { scopeSpend } from './spend-query.ts';

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
      for (const budget of budgets) {
        const window = periodOf(now, budget.period, budget.timeZone);
        await this.evaluate({ budget, window });
      }
    });
  }

  /** Resolves once the evaluation in progress, if any, has finished. */
  settled(): Promise<void> {
    return this.mutex.run(async () => undefined);
  }

  /** Evaluates the budgets whose open period the calls fall into. */
  onCalls(calls: PricedCall[]): Promise<void> {
    return this.mutex.run(async () => {
      for (const touched of this.touchedBy(calls)) await this.evaluate(touched);
    });
  }

  private touchedBy(calls: PricedCall[]): Touched[] {
    const now = this.options.now();
    const touched = new Map<string, Touched>();
    for (const { call } of calls) {
      for (const budget of this.budgets) {
        if (!scopeMatches(budget.scope, call)) continue;
        const window = periodOf(call.occurredAt, budget.period, budget.timeZone);
        // Only the open period counts: a closed one is history nobody acts on,
        // and a call stamped in a period not begun yet (a skewed clock) is
        // counted by the refresh that opens that period.
        if (window.end <= now || window.start > now) continue;

        touched.set(`${budget.id}|${window.label}`, { budget, window });
      }
    }
    return [...touched.values()];
  }

  private async evaluate({ budget, window }: Touched): Promise<void> {
    const spend = await scopeSpend(this.options.client, budget.scope, window);
    const now = this.options.now();
    const check = checkBudget({
      budget,
      window,
      spend,
      now,
      minProjectionElapsed: this.options.minProjectionElapsed,
    });
    this.stats.evaluations += 1;

    const raised = await this.options.alertLog.raised(check.alerts.map((alert) => alert.alertId));
    const unraised = check.alerts.filter((alert) => !raised.has(alert.alertId));
    const fresh = await this.withCrossings(unraised, { budget, window });
    this.stats.alertsAlreadyRaised += check.alerts.length - fresh.length;
    if (fresh.length > 0) {
      await this.options.publisher.alerts(fresh);
      await this.options.alertLog.record(fresh);
      this.stats.alertsRaised += fresh.length;
      for (const alert of fresh) {
        this.logger.info(
          {
            alertId: alert.alertId,
            type: alert.type,
            scope: alert.scope,
            spendUsd: alert.spendUsd,
          },
          'alert raised',
        );
      }
    }

    await this.publishQuota(quotaStateOf(budget, window, spend, now));
  }

  /** Names the call that crossed each threshold alert's level, and the spend right after it. */
  private async withCrossings(alerts: CostAlert[], { budget, window }: Touched) {
    const told: CostAlert[] = [];
    for (const alert of alerts) {
      const threshold = alert.budget?.threshold;
      if (threshold === null || threshold === undefined) {
        told.push(alert);
        continue;
      }
      const level = budget.limitUsd.times(threshold);
      const crossing = await crossingOf(this.options.client, budget.scope, window, level);
      told.push(crossing ? withCrossing(alert, budget, window, crossing) : alert);
    }
    return told;
  }

  /** Publishes a quota state unless it says what the last one of the budget said. */
  private async publishQuota(state: QuotaState): Promise<void> {
    const signature = JSON.stringify({ ...state, updatedAt: 0 });
    if (this.published.get(state.budgetId) === signature) return;

    await this.options.publisher.quota([state]);
    this.published.set(state.budgetId, signature);
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
