import type { ClickHouseClient } from '../../clickhouse/client.ts';
import { Money } from '../../lib/money.ts';
import type { Crossing } from './budget-check.ts';
import type { PeriodWindow } from './period.ts';
import { scopeCondition, type Scope } from './scope.ts';
import { selectRows } from './store-rows.ts';

/**
 * The call whose spend, added up in order of occurrence within the window,
 * first reached `level`, and the spend right after it. Read from llm_calls,
 * which holds each eventId once, so the answer does not depend on how the
 * stream batched, repeated or spread the calls over instances. Ties in time
 * are broken by event id. Asked only when an alert is raised, which is rare.
 */
export async function crossingOf(
  client: ClickHouseClient,
  scope: Scope,
  window: PeriodWindow,
  level: Money,
): Promise<Crossing | undefined> {
  const condition = scopeCondition(scope);
  const [row] = await selectRows<{ event_id: string; spend: string }>(
    client,
    'llm_calls',
    `SELECT event_id, toString(running) AS spend FROM (
       SELECT event_id, occurred_at,
              sum(cost_usd) OVER (ORDER BY occurred_at, event_id
                                  ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS running
       FROM llm_calls
       WHERE occurred_at >= fromUnixTimestamp64Milli({start:Int64}, 'UTC')
         AND occurred_at < fromUnixTimestamp64Milli({end:Int64}, 'UTC')
         AND ${condition.sql})
     WHERE running >= toDecimal128({level:String}, 18)
     ORDER BY occurred_at, event_id LIMIT 1`,
    { ...condition.params, start: window.start, end: window.end, level: level.toFixed(18) },
  );
  return row ? { eventId: row.event_id, spendUsd: new Money(row.spend) } : undefined;
}
