import type { ClickHouseClient } from '../../clickhouse/client.ts';
import { Money } from '../../lib/money.ts';
import type { ScopeSpend } from './budget-check.ts';
import type { PeriodWindow } from './period.ts';
import { scopeCondition, type Scope } from './scope.ts';
import { selectPerQuestion } from './store-rows.ts';

/** Questions per query: the text stays far below ClickHouse's max_query_size (256 KiB). */
const QUESTIONS_PER_QUERY = 50;

export interface SpendQuestion {
  scope: Scope;
  window: PeriodWindow;
}

/**
 * The spend of each scope in its window, summed from the 15-minute rollup,
 * in as few queries as the text limit allows: a store busy with inserts
 * answers one query sooner than twenty in a row. The pricing consumer
 * stores a call before it publishes it, and stores each eventId once, so
 * the sums already hold every call the stream has shown and count a
 * redelivered call once; and because every instance reads the same store, a
 * scope spanning tenants (and so partitions and instances) is summed whole.
 * Windows of local days and months start on 15-minute boundaries in every
 * time zone in use, so the bucket sums are exact.
 */
export async function scopeSpends(
  client: ClickHouseClient,
  questions: SpendQuestion[],
): Promise<ScopeSpend[]> {
  const rows = await selectPerQuestion<
    SpendQuestion,
    { question: number; spend: string; unpriced: string | number }
  >(client, 'cost_15m', questions, QUESTIONS_PER_QUERY, ({ scope, window }, index) => {
    const condition = scopeCondition(scope, `s${index}`);
    return {
      sql: `SELECT ${index} AS question, toString(sum(cost_usd)) AS spend,
              sum(unpriced_requests) AS unpriced
       FROM cost_15m
       WHERE bucket >= toDateTime({start${index}:Int64}, 'UTC')
         AND bucket < toDateTime({end${index}:Int64}, 'UTC')
         AND ${condition.sql}`,
      params: {
        ...condition.params,
        [`start${index}`]: Math.floor(window.start / 1000),
        [`end${index}`]: Math.ceil(window.end / 1000),
      },
    };
  });
  return rows.map((row) => ({
    spendUsd: new Money(row?.spend ?? '0'),
    unpricedRequests: Number(row?.unpriced ?? 0),
  }));
}
