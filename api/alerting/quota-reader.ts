import type { ClickHouseClient } from '../../clickhouse/client.ts';
import type { BudgetStore } from '../../consumers/alerting/budget-store.ts';
import { periodOf } from '../../consumers/alerting/period.ts';
import { quotaStateOf } from '../../consumers/alerting/quota-state.ts';
import { scopeSpends } from '../../consumers/alerting/spend-query.ts';
import type { QuotaState } from '../../schemas/quota-state.ts';

/**
 * The quota state of budgets as of now, read from the store the way the
 * alerting consumer reads it (the scope's spend in the budget's current
 * period, summed from cost_15m), so that the answer is the one the consumer
 * publishes on quota.state.v1, and is right in a process that runs no
 * consumer (`llmcost api`) too.
 */
export class QuotaReader {
  constructor(
    private readonly client: ClickHouseClient,
    private readonly budgets: BudgetStore,
    private readonly now: () => number = Date.now,
  ) {}

  /** Every budget's state, or one tenant's budgets' (chosen by the query), ordered by id. */
  async read(tenantId?: string): Promise<QuotaState[]> {
    const budgets = await this.budgets.list({ tenantId });
    const now = this.now();

    const windows = budgets.map((budget) => periodOf(now, budget.period, budget.timeZone));
    const spends = await scopeSpends(
      this.client,
      budgets.map((budget, index) => ({ scope: budget.scope, window: windows[index]! })),
    );
    return budgets.map((budget, index) =>
      quotaStateOf(budget, windows[index]!, spends[index]!, now),
    );
  }
}
