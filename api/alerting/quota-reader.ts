import type { ClickHouseClient } from '../../clickhouse/client.ts';
import type { BudgetStore } from '../../consumers/alerting/budget-store.ts';
import { periodOf } from '../../consumers/alerting/period.ts';
import { quotaStateOf } from '../../consumers/alerting/quota-state.ts';
import { scopeSpend } from '../../consumers/alerting/spend-query.ts';
import type { QuotaState } from '../../schemas/quota-state.ts';

/** Budgets whose spend is read at once; more would only queue up in ClickHouse. */
const CONCURRENT_READS = 4;

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

    const states: QuotaState[] = [];
    for (let start = 0; start < budgets.length; start += CONCURRENT_READS) {
      const batch = budgets.slice(start, start + CONCURRENT_READS);
      const read = batch.map(async (budget) => {
        const window = periodOf(now, budget.period, budget.timeZone);
        const spend = await scopeSpend(this.client, budget.scope, window);
        return quotaStateOf(budget, window, spend, now);
      });
      states.push(...(await Promise.all(read)));
    }
    return states;
  }
}
