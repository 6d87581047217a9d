import type { ClickHouseClient } from '../../clickhouse/client.ts';
import { classifyClickHouseError } from '../../clickhouse/errors.ts';

/**
 * Runs a SELECT with bound parameters and returns its rows as objects
 * (decimals as strings); a failure is classified by its ClickHouse code and
 * names the table read.
 */
export async function selectRows<T>(
  client: ClickHouseClient,
  table: string,
  query: string,
  params: Record<string, unknown> = {},
): Promise<T[]> {
  try {
    const result = await client.query({ query, query_params: params, format: 'JSONEachRow' });
    return await result.json<T>();
  } catch (error) {
    throw classifyClickHouseError(error, { table });
  }
}

/** Inserts rows as JSONEachRow; a failure names the table and how many rows it held. */
export async function insertRows(
  client: ClickHouseClient,
  table: string,
  values: Record<string, unknown>[],
): Promise<void> {
  try {
    await client.insert({ table, values, format: 'JSONEachRow' });
  } catch (error) {
    throw classifyClickHouseError(error, { table, batchSize: values.length });
  }
}

/** One question's SELECT: it returns the column `question` and names its parameters apart. */
export interface QuestionSelect {
  sql: string;
  params: Record<string, unknown>;
}

/**
 * Asks many questions of one shape in few queries: the SELECTs of up to
 * `perQuery` questions joined by UNION ALL (a store busy with inserts
 * answers one query sooner than twenty in a row, and the text stays far
 * below max_query_size). `select` gets the question's position in its
 * query, to name its parameters and its `question` column by. Returns each
 * question's row, in order; undefined where a question found none.
 */
export async function selectPerQuestion<Q, R extends { question: number | string }>(
  client: ClickHouseClient,
  table: string,
  questions: Q[],
  perQuery: number,
  select: (question: Q, index: number) => QuestionSelect,
): Promise<(R | undefined)[]> {
  const answers: (R | undefined)[] = [];
  for (let start = 0; start < questions.length; start += perQuery) {
    const selects = questions.slice(start, start + perQuery).map(select);
    const rows = await selectRows<R>(
      client,
      table,
      selects.map((s) => s.sql).join('\nUNION ALL\n'),
      Object.assign({}, ...selects.map((s) => s.params)) as Record<string, unknown>,
    );
    const byQuestion = new Map(rows.map((row) => [Number(row.question), row]));
    answers.push(...selects.map((_, index) => byQuestion.get(index)));
  }
  return answers;
}
