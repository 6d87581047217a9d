import type { ClickHouseStore } from '../clickhouse/client.ts';
import type { Logger } from '../lib/logger.ts';
import { CostReader } from './costs/cost-reader.ts';
import { costRoutes } from './costs/cost-routes.ts';
import { TimeZones } from './costs/time-zones.ts';
import { dashboardHandler } from './dashboard/dashboard-handler.ts';
import type { Route } from './router.ts';
import type { PublicHandler } from './server.ts';

/** What `llmcost api` and `llmcost up` serve beyond the internal API: costs and the dashboard. */
export interface CostApi {
  routes: Route[];
  publicHandler: PublicHandler;
}

/**
 * The cost endpoints over the store's rollups and the dashboard pages. The
 * zone list is read once from the store, so `tz` accepts what it can convert.
 */
export async function createCostApi(store: ClickHouseStore, logger: Logger): Promise<CostApi> {
  const zones = await TimeZones.load(store.client);
  const reader = new CostReader(store.client, logger.child({ component: 'costs' }));
  return {
    routes: costRoutes({ reader, zones }),
    publicHandler: dashboardHandler(),
  };
}
