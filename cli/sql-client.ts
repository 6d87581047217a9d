import { readOwner } from '../api/owner-file.ts';
import { classifyClickHouseError } from '../clickhouse/errors.ts';
import { PipelineError } from '../lib/errors.ts';
import { openStore, type Runtime } from './runtime.ts';

export interface SqlResult {
  columns: string[];
  rows: Record<string, unknown>[];
}

/**
 * Runs one read-only query: through the process that owns the embedded
 * store when one runs (its internal API), else against the store directly.
 */
export async function runReadonlySql(runtime: Runtime, query: string): Promise<SqlResult> {
  const owner = runtime.config.clickhouse.url ? undefined : readOwner(runtime.paths.ownerFile);
  if (owner) return viaOwner(owner.url, owner.token, query);

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

async function viaOwner(url: string, token: string, query: string): Promise<SqlResult> {
  const response = await fetch(`${url}/api/sql`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ query }),
  });
  const body = (await response.json()) as {
    columns?: { name: string }[];
    rows?: Record<string, unknown>[];
    error?: { message: string; code: string };
  };
  if (!response.ok || !body.columns || !body.rows) {
    throw new PipelineError(body.error?.message ?? `HTTP ${response.status}`, {
      code: body.error?.code ?? 'SQL',
      context: { via: url },
    });
  }
  return { columns: body.columns.map((column) => column.name), rows: body.rows };
}
