import type { ClickHouseClient } from '../../clickhouse/client.ts';
import { Money } from '../../lib/money.ts';
import type { ScopeSpend } from './budget-check.ts';
import type { PeriodWindow } from './period.ts';
import { scopeCondition, type Scope } from './scope.ts';
import { selectRows } from './store-rows.ts';

/**
 * The spend of a scope in a window, summed from the 15-minute rollup. The
 * pricing consumer stores a call before it publishes it, and stores each
 * eventId once, so the sum already holds every call the stream has shown
 * and counts a redelivered call once; and because every instance reads the
 * same store, a scope spanning tenants (and so partitions and instances)
 * is summed whole. Windows of local days and months start on 15-minute
 * boundaries in every time zone in use, so the bucket sum is exact.
 */
export async function scopeSpend(
  client: ClickHouseClient,
  scope: Scope,
  window: PeriodWindow,
): Promise<ScopeSpend> {
  const condition = scopeCondition(scope);
  const [row] = await selectRows<{ spend: string; unpriced: string | number }>(
    client,
    'cost_15m',
    `SELECT toString(sum(cost_usd)) AS spend, sum(unpriced_requests) AS unpriced
     FROM cost_15m
     WHERE bucket >= toDateTime({start:Int64}, 'UTC')
       AND bucket < toDateTime({end:Int64}, 'UTC')
       AND ${condition.sql}`,
    {
      ...condition.params,
      start: Math.floor(window.start / 1000),
      end: Math.ceil(window.end / 1000),
    },
  );
  return {
    spendUsd: new Money(row?.spend ?? '0'),
    unpricedRequests: Number(row?.unpriced ?? 0),
  };
}
