import type { ClickHouseClient } from '../../clickhouse/client.ts';
import { Money } from '../../lib/money.ts';
import type { Crossing } from './budget-check.ts';
import type { PeriodWindow } from './period.ts';
import { scopeCondition, type Scope } from './scope.ts';
import { selectPerQuestion } from './store-rows.ts';

/** Questions per query: the text stays far below ClickHouse's max_query_size (256 KiB). */
const QUESTIONS_PER_QUERY = 20;

export interface CrossingQuestion {
  scope: Scope;
  window: PeriodWindow;
  level: Money;
}

/**
 * For each question, the call whose spend, added up in order of occurrence
 * within the window, first reached `level`, and the spend right after it.
 * Read from llm_calls, which holds each eventId once, so the answer does not
 * depend on how the stream batched, repeated or spread the calls over
 * instances. Ties in time are broken by event id. Asked only when alerts are
 * raised, which is rare; but many budgets may cross at once, so they are
 * asked together.
 */
export async function crossingsOf(
  client: ClickHouseClient,
  questions: CrossingQuestion[],
): Promise<(Crossing | undefined)[]> {
  const rows = await selectPerQuestion<
    CrossingQuestion,
    { question: number; event_id: string; spend: string }
  >(client, 'llm_calls', questions, QUESTIONS_PER_QUERY, ({ scope, window, level }, index) => {
    const condition = scopeCondition(scope, `s${index}`);
    return {
      sql: `SELECT * FROM (
       SELECT ${index} AS question, event_id, toString(running) AS spend FROM (
         SELECT event_id, occurred_at,
                sum(cost_usd) OVER (ORDER BY occurred_at, event_id
                                    ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS running
         FROM llm_calls
         WHERE occurred_at >= fromUnixTimestamp64Milli({start${index}:Int64}, 'UTC')
           AND occurred_at < fromUnixTimestamp64Milli({end${index}:Int64}, 'UTC')
           AND ${condition.sql})
       WHERE running >= toDecimal128({level${index}:String}, 18)
       ORDER BY occurred_at, event_id LIMIT 1)`,
      params: {
        ...condition.params,
        [`start${index}`]: window.start,
        [`end${index}`]: window.end,
        [`level${index}`]: level.toFixed(18),
      },
    };
  });
  return rows.map((row) =>
    row ? { eventId: row.event_id, spendUsd: new Money(row.spend) } : undefined,
  );
}
