import { checkAnalystQuery } from '../clickhouse/analyst-sql.ts';
import { classifyClickHouseError } from '../clickhouse/errors.ts';
import { postToOwner, storeOwner } from './owner-client.ts';
import { openStore, type Runtime } from './runtime.ts';

export interface SqlResult {
  columns: string[];
  rows: Record<string, unknown>[];
}

/**
 * Runs one read-only query: through the process that owns the embedded
 * store when one runs (its internal API), else against the store directly.
 */
export async function runReadonlySql(runtime: Runtime, sql: string): Promise<SqlResult> {
  const query = checkAnalystQuery(sql);
  const owner = storeOwner(runtime);
  if (owner) {
    const body = await postToOwner<{ columns: { name: string }[]; rows: SqlResult['rows'] }>(
      owner,
      '/api/sql',
      { query },
    );
    return { columns: body.columns.map((column) => column.name), rows: body.rows };
  }

  const store = await openStore(runtime);
  try {
    const result = await store.readonly.query({ query, format: 'JSON' });
    const body = (await result.json()) as unknown as {
      meta: { name: string }[];
      data: Record<string, unknown>[];
    };
    return { columns: body.meta.map((column) => column.name), rows: body.data };
  } catch (error) {
    throw classifyClickHouseError(error, {});
  } finally {
    await store.close();
  }
}
