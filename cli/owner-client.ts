import { readOwner } from '../api/owner-file.ts';
import { PipelineError } from '../lib/errors.ts';
import type { Runtime } from './runtime.ts';

/**
 * The running process that owns the embedded store, if any: commands go
 * through its HTTP API instead of opening the store themselves. With a
 * ClickHouse server configured there is no owner; every process connects.
 */
export function storeOwner(runtime: Runtime): { url: string; token: string } | undefined {
  if (runtime.config.clickhouse.url) return undefined;
  return readOwner(runtime.paths.ownerFile);
}

/** POSTs JSON to the owner's API with its local token; throws its error message on failure. */
export async function postToOwner<T>(
  owner: { url: string; token: string },
  path: string,
  body: unknown,
): Promise<T> {
  const response = await fetch(`${owner.url}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${owner.token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const payload = (await response.json()) as T & { error?: { message: string; code: string } };
  if (!response.ok) {
    throw new PipelineError(payload.error?.message ?? `HTTP ${response.status}`, {
      code: payload.error?.code ?? 'OWNER_API',
      context: { via: `${owner.url}${path}` },
    });
  }
  return payload;
}
