import type { ClickHouseClient } from '../../clickhouse/client.ts';
import type { Logger } from '../../lib/logger.ts';
import { parseBudget, type Budget } from './budget.ts';
import { insertRows, selectRows } from './store-rows.ts';

/** A budget's latest version; aliases differ from column names, as older ClickHouse needs. */
interface BudgetRow {
  id: string;
  latest_scope: string;
  latest_period: string;
  latest_time_zone: string;
  latest_limit_usd: string;
  latest_warn_at: string[];
}

/**
 * The budgets every alerting instance shares, in the ClickHouse table
 * `budgets`. A change is a new version of the row; the newest wins.
 */
export class BudgetStore {
  constructor(
    private readonly client: ClickHouseClient,
    private readonly logger: Logger,
  ) {}

  /**
   * Every budget in force, ordered by id; with `tenantId`, only the budgets
   * inside that tenant (a scope of `tenant=<id>`, alone or with more keys),
   * chosen by the query. A row that no longer parses is logged and left out.
   */
  async list(filter: { tenantId?: string } = {}): Promise<Budget[]> {
    const within = filter.tenantId === undefined ? undefined : tenantCondition(filter.tenantId);
    if (within === null) return [];

    const rows = await selectRows<BudgetRow>(
      this.client,
      'budgets',
      `SELECT id, argMax(scope, version) AS latest_scope, argMax(period, version) AS latest_period,
              argMax(time_zone, version) AS latest_time_zone,
              argMax(limit_usd, version) AS latest_limit_usd,
              argMax(warn_at, version) AS latest_warn_at
       FROM budgets GROUP BY id HAVING argMax(deleted, version) = 0 ${within?.sql ?? ''}
       ORDER BY id`,
      within?.params,
    );
    const budgets: Budget[] = [];
    for (const row of rows) {
      try {
        budgets.push(fromRow(row));
      } catch (error) {
        this.logger.error({ budgetId: row.id, err: String(error) }, 'stored budget is invalid');
      }
    }
    return budgets;
  }

  /** Creates or replaces the budget of the same scope and period. */
  async set(budget: Budget, now = Date.now()): Promise<void> {
    await this.write([
      {
        id: budget.id,
        scope: budget.scopeKey,
        period: budget.period,
        time_zone: budget.timeZone,
        limit_usd: budget.limitUsd.toFixed(),
        warn_at: budget.warnAt.map((value) => value.toFixed()),
        deleted: 0,
        version: now,
        updated_at: now,
      },
    ]);
  }

  /** Deletes a budget by id; false when there was none. */
  async delete(id: string, now = Date.now()): Promise<boolean> {
    const existing = (await this.list()).find((budget) => budget.id === id);
    if (!existing) return false;

    await this.write([
      {
        id,
        scope: existing.scopeKey,
        period: existing.period,
        time_zone: existing.timeZone,
        limit_usd: existing.limitUsd.toFixed(),
        warn_at: [],
        deleted: 1,
        version: now,
        updated_at: now,
      },
    ]);
    return true;
  }

  private write(values: Record<string, unknown>[]): Promise<void> {
    return insertRows(this.client, 'budgets', values);
  }
}

/**
 * The HAVING condition of one tenant's budgets. Canonical scopes name the
 * tenant first, so its budgets are `tenant=<id>` and `tenant=<id>,…`. An id
 * that no scope can hold (empty, or with `,` `=` or outer spaces) has no
 * budgets: null, and nothing is asked.
 */
function tenantCondition(tenantId: string) {
  if (!tenantId || /[,=]/.test(tenantId) || tenantId.trim() !== tenantId) return null;
  return {
    sql: 'AND (latest_scope = {whole:String} OR startsWith(latest_scope, {within:String}))',
    params: { whole: `tenant=${tenantId}`, within: `tenant=${tenantId},` },
  };
}

function fromRow(row: BudgetRow): Budget {
  return parseBudget({
    scope: row.latest_scope,
    period: row.latest_period,
    timeZone: row.latest_time_zone,
    limitUsd: row.latest_limit_usd,
    warnAt: row.latest_warn_at,
  });
}
