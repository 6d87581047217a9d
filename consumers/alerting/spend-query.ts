import type { ClickHouseClient } from '../../clickhouse/client.ts';
import { Money } from '../../lib/money.ts';
import type { ScopeSpend } from './budget-check.ts';
import type { PeriodWindow } from './period.ts';
import { scopeCondition, type Scope } from './scope.ts';
import { selectRows } from './store-rows.ts';

/** Keeps the query text far below ClickHouse's max_query_size (256 KiB) whatever the scopes. */
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
  const spends: ScopeSpend[] = [];
  for (let start = 0; start < questions.length; start += QUESTIONS_PER_QUERY) {
    spends.push(...(await askSpends(client, questions.slice(start, start + QUESTIONS_PER_QUERY))));
  }
  return spends;
}

async function askSpends(
  client: ClickHouseClient,
  questions: SpendQuestion[],
): Promise<ScopeSpend[]> {
  const params: Record<string, string | number> = {};
  const selects = questions.map(({ scope, window }, index) => {
    const condition = scopeCondition(scope, `s${index}`);
    Object.assign(params, condition.params, {
      [`start${index}`]: Math.floor(window.start / 1000),
      [`end${index}`]: Math.ceil(window.end / 1000),
    });
    return `SELECT ${index} AS question, toString(sum(cost_usd)) AS spend,
              sum(unpriced_requests) AS unpriced
       FROM cost_15m
       WHERE bucket >= toDateTime({start${index}:Int64}, 'UTC')
         AND bucket < toDateTime({end${index}:Int64}, 'UTC')
         AND ${condition.sql}`;
  });
  const rows = await selectRows<{ question: number; spend: string; unpriced: string | number }>(
    client,
    'cost_15m',
    selects.join('\nUNION ALL\n'),
    params,
  );

  const byQuestion = new Map(rows.map((row) => [Number(row.question), row]));
  return questions.map((_, index) => {
    const row = byQuestion.get(index);
    return {
      spendUsd: new Money(row?.spend ?? '0'),
      unpricedRequests: Number(row?.unpriced ?? 0),
    };
  });
}
