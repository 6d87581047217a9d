import type { AlertLog } from '../consumers/alerting/alert-log.ts';
import type { DeliveryOutbox } from '../consumers/alerting/notifiers/outbox.ts';
import { sendJson } from './http.ts';
import type { Route } from './router.ts';

const MAX_LIMIT = 1_000;

/**
 * GET /api/alerts: the latest alerts raised, newest first (`?tenant=`,
 * `?type=`, `?limit=`). GET /api/alerts/failed-deliveries: deliveries that
 * gave up, with the channel's last error, so a failing channel is visible.
 */
export function alertRoutes(log: AlertLog, outbox: DeliveryOutbox): Route[] {
  return [
    {
      method: 'GET',
      path: '/api/alerts',
      access: 'admin',
      async handle({ response, url }) {
        const limit = Math.min(MAX_LIMIT, Number(url.searchParams.get('limit')) || 100);
        const alerts = await log.recent({
          limit,
          tenantId: url.searchParams.get('tenant') ?? undefined,
          type: url.searchParams.get('type') ?? undefined,
        });
        sendJson(response, 200, { alerts });
      },
    },
    {
      method: 'GET',
      path: '/api/alerts/failed-deliveries',
      access: 'admin',
      async handle({ response }) {
        const failed = await outbox.failed();
        sendJson(response, 200, {
          deliveries: failed.map((delivery) => ({
            alertId: delivery.alert.alertId,
            type: delivery.alert.type,
            channel: delivery.channel,
            attempts: delivery.attempts,
            lastError: delivery.lastError,
          })),
        });
      },
    },
  ];
}
