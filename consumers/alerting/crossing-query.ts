import type { ClickHouseClient } from '../../clickhouse/client.ts';
import { Money } from '../../lib/money.ts';
import type { Crossing } from './budget-check.ts';
import type { PeriodWindow } from './period.ts';
import { scopeCondition, type Scope } from './scope.ts';
import { selectRows } from './store-rows.ts';

/** Keeps the query text far below ClickHouse's max_query_size (256 KiB) whatever the scopes. */
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
  const crossings: (Crossing | undefined)[] = [];
  for (let start = 0; start < questions.length; start += QUESTIONS_PER_QUERY) {
    const chunk = questions.slice(start, start + QUESTIONS_PER_QUERY);
    crossings.push(...(await askCrossings(client, chunk)));
  }
  return crossings;
}

async function askCrossings(
  client: ClickHouseClient,
  questions: CrossingQuestion[],
): Promise<(Crossing | undefined)[]> {
  const params: Record<string, string | number> = {};
  const selects = questions.map(({ scope, window, level }, index) => {
    const condition = scopeCondition(scope, `s${index}`);
    Object.assign(params, condition.params, {
      [`start${index}`]: window.start,
      [`end${index}`]: window.end,
      [`level${index}`]: level.toFixed(18),
    });
    return `SELECT * FROM (
       SELECT ${index} AS question, event_id, toString(running) AS spend FROM (
         SELECT event_id, occurred_at,
                sum(cost_usd) OVER (ORDER BY occurred_at, event_id
                                    ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS running
         FROM llm_calls
         WHERE occurred_at >= fromUnixTimestamp64Milli({start${index}:Int64}, 'UTC')
           AND occurred_at < fromUnixTimestamp64Milli({end${index}:Int64}, 'UTC')
           AND ${condition.sql})
       WHERE running >= toDecimal128({level${index}:String}, 18)
       ORDER BY occurred_at, event_id LIMIT 1)`;
  });
  const rows = await selectRows<{ question: number; event_id: string; spend: string }>(
    client,
    'llm_calls',
    selects.join('\nUNION ALL\n'),
    params,
  );

  const byQuestion = new Map(rows.map((row) => [Number(row.question), row]));
  return questions.map((_, index) => {
    const row = byQuestion.get(index);
    return row ? { eventId: row.event_id, spendUsd: new Money(row.spend) } : undefined;
  });
}
