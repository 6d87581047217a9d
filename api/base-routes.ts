import type { ClickHouseStore } from '../clickhouse/client.ts';
import type { ApiKeyStore } from './keys/api-key-store.ts';
import { keyRoutes } from './keys/key-routes.ts';
import { whoamiRoute } from './keys/whoami-route.ts';
import type { Route } from './router.ts';
import { sqlRoute } from './sql-route.ts';

/**
 * The routes every long-running command serves, whatever else it runs:
 * analysts' read-only SQL, tenant keys (so that `llmcost keys` works through
 * any owner of the store) and who-am-I.
 */
export function baseRoutes(store: ClickHouseStore, keys: ApiKeyStore): Route[] {
  return [sqlRoute(store.readonly), ...keyRoutes(keys), whoamiRoute()];
}
