import crypto from 'node:crypto';
import { Authenticator } from '../api/auth.ts';
import { baseRoutes } from '../api/base-routes.ts';
import { createCostApi } from '../api/cost-api.ts';
import { digestOf } from '../api/keys/api-key.ts';
import { ApiKeyStore } from '../api/keys/api-key-store.ts';
import { startApiServer, type ApiServer } from '../api/server.ts';
import type { Route } from '../api/router.ts';
import type { ClickHouseStore } from '../clickhouse/client.ts';
import { testLogger } from './helpers/infra.ts';

/** The API as `llmcost up` serves it, on a free port of 127.0.0.1, over a test's store. */
export interface TestApi {
  url: string;
  adminKey: string;
  keys: ApiKeyStore;
  /** GET with a key (the admin key unless another is given). */
  get(path: string, options?: { key?: string | null; accept?: string }): Promise<Response>;
  /** GET that must succeed, as JSON. */
  json<T = Record<string, unknown>>(path: string, key?: string): Promise<T>;
  /** Any method with a JSON body, with a key (the admin key unless another is given). */
  send(
    method: string,
    path: string,
    options?: { key?: string | null; body?: unknown },
  ): Promise<{ status: number; body: Record<string, unknown> }>;
  close(): Promise<void>;
}

/**
 * `extraRoutes` are the routes of the other parts that a test runs (budgets,
 * quota and alerts over an alerting service, compaction over a worker).
 */
export async function startTestApi(
  store: ClickHouseStore,
  extraRoutes: Route[] = [],
): Promise<TestApi> {
  const adminKey = `lck_admin_${crypto.randomBytes(24).toString('base64url')}`;
  const keys = new ApiKeyStore(store.client);
  const costs = await createCostApi(store, testLogger);
  const server: ApiServer = await startApiServer({
    port: 0,
    routes: [...baseRoutes(store, keys), ...costs.routes, ...extraRoutes],
    publicHandler: costs.publicHandler,
    logger: testLogger,
    readiness: () => ({ store: true }),
    auth: new Authenticator(digestOf(adminKey), crypto.randomBytes(24).toString('base64url'), keys),
  });

  const get: TestApi['get'] = (path, options = {}) => {
    const key = options.key === undefined ? adminKey : options.key;
    const headers: Record<string, string> = { accept: options.accept ?? 'application/json' };
    if (key !== null) headers.authorization = `Bearer ${key}`;
    return fetch(`${server.url}${path}`, { headers });
  };
  return {
    url: server.url,
    adminKey,
    keys,
    get,
    async json(path, key) {
      const response = await get(path, { key });
      const body = await response.text();
      if (!response.ok) throw new Error(`GET ${path}: ${response.status} ${body}`);
      return JSON.parse(body);
    },
    async send(method, path, options = {}) {
      const key = options.key === undefined ? adminKey : options.key;
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (key !== null) headers.authorization = `Bearer ${key}`;
      const body = options.body === undefined ? undefined : JSON.stringify(options.body);
      const response = await fetch(`${server.url}${path}`, { method, headers, body });
      return { status: response.status, body: (await response.json()) as Record<string, unknown> };
    },
    close: () => server.close(),
  };
}
