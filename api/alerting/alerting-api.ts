import type { ClickHouseClient } from '../../clickhouse/client.ts';
import { AlertLog } from '../../consumers/alerting/alert-log.ts';
import { BudgetStore } from '../../consumers/alerting/budget-store.ts';
import { DeliveryOutbox } from '../../consumers/alerting/notifiers/outbox.ts';
import type { Logger } from '../../lib/logger.ts';
import type { Route } from '../router.ts';
import { alertRoutes } from './alert-routes.ts';
import { budgetRoutes } from './budget-routes.ts';
import { QuotaReader } from './quota-reader.ts';
import { quotaRoute } from './quota-route.ts';

/** What the budget, quota and alert routes read and write: the alerting part's stores. */
export interface AlertingApiParts {
  client: ClickHouseClient;
  budgets: BudgetStore;
  alertLog: AlertLog;
  outbox: Pick<DeliveryOutbox, 'failed'>;
  /** Tells a running alerting consumer that budgets changed; none in `llmcost api`. */
  budgetsChanged?: () => void;
}

/** The budget, quota and alert endpoints over the alerting part's tables. */
export function alertingApiRoutes(parts: AlertingApiParts): Route[] {
  return [
    ...budgetRoutes(parts.budgets, parts.budgetsChanged),
    quotaRoute(new QuotaReader(parts.client, parts.budgets)),
    ...alertRoutes(parts.alertLog, parts.outbox),
  ];
}

/**
 * The alerting stores opened on their own, for a process that serves the
 * API without running the alerting consumer: every instance shares these
 * tables, so such a process answers the same, and a budget changed through
 * it reaches the consumers at their next refresh. Its outbox only reads
 * failed deliveries and never claims one, so its owner and lease are unused.
 */
export function storeAlertingParts(client: ClickHouseClient, logger: Logger): AlertingApiParts {
  return {
    client,
    budgets: new BudgetStore(client, logger.child({ component: 'budgets' })),
    alertLog: new AlertLog(client),
    outbox: new DeliveryOutbox(client, 'llmcost-api', 0),
  };
}
