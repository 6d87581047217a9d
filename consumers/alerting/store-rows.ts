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
