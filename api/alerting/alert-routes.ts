import { z } from 'zod';
import type { AlertLog } from '../../consumers/alerting/alert-log.ts';
import type { DeliveryOutbox } from '../../consumers/alerting/notifiers/outbox.ts';
import { formatScope, parseScope, type Scope } from '../../consumers/alerting/scope.ts';
import { ALERT_TYPES } from '../../schemas/cost-alert.ts';
import type { Principal } from '../auth.ts';
import { param, parseParams, type ParamSpecs } from '../costs/query-params.ts';
import { HttpError, sendJson } from '../http.ts';
import type { Route } from '../router.ts';
import { costAlertSchema, failedDeliverySchema } from './alerting-schemas.ts';
import { checkScopeAccess } from '../tenant-access.ts';

const MAX_LIMIT = 1_000;

/** A scope as budgets write it, checked and in its one canonical spelling. */
const scopeText = z.string().transform((text, context) => {
  try {
    return parseScope(text);
  } catch (error) {
    context.addIssue({ code: 'custom', message: String(error) });
    return z.NEVER;
  }
});

const alertParams = {
  scope: param({
    schema: scopeText.optional(),
    description:
      'Only alerts raised for exactly this scope (`platform`, `tenant=acme`, ' +
      '`tenant=acme,user=u7`, `touchpoint=main-chat` …); keys may come in any order.',
    expects: 'platform, or key=value pairs of tenant, user, touchpoint, model (tenant=acme)',
    documentAs: { type: 'string', examples: ['tenant=acme', 'touchpoint=main-chat'] },
  }),
  tenantId: param({
    schema: z.string().min(1).max(128).optional(),
    description: 'Only alerts about this tenant, whatever their scope within it.',
    expects: 'a tenant id of 1 to 128 characters',
  }),
  type: param({
    schema: z.enum(ALERT_TYPES).optional(),
    description: 'Only alerts of this type.',
    expects: `one of ${ALERT_TYPES.join(', ')}`,
  }),
  limit: param({
    schema: z.coerce.number().int().min(1).max(MAX_LIMIT).default(100),
    description: 'At most this many alerts, the newest; 100 unless given.',
    expects: `a whole number from 1 to ${MAX_LIMIT}`,
    documentAs: { type: 'integer', minimum: 1, maximum: MAX_LIMIT, default: 100 },
  }),
} satisfies ParamSpecs;

/**
 * GET /api/alerts: the latest alerts raised, newest first, by scope, tenant
 * and type; a tenant key sees its tenant's alerts only, by a condition of
 * the query. GET /api/alerts/failed-deliveries (admin): deliveries that
 * gave up, with the channel's last error, so a failing channel is visible.
 */
export function alertRoutes(log: AlertLog, outbox: Pick<DeliveryOutbox, 'failed'>): Route[] {
  return [recentRoute(log), failedRoute(outbox)];
}

function recentRoute(log: AlertLog): Route {
  return {
    method: 'GET',
    path: '/api/alerts',
    access: 'tenant',
    doc: {
      tag: 'alerts',
      summary: 'The latest alerts raised, newest first',
      description:
        'Budget warnings, exceeded and projected budgets, incomplete spend, spikes, cost ' +
        'reports and failing channels. A tenant key sees the alerts about its own tenant ' +
        'only (not those of the platform or of a touchpoint or model across tenants); ' +
        'asking for another tenant or scope is refused with 403.',
      params: alertParams,
      response: z.object({ alerts: z.array(costAlertSchema) }).strict(),
    },
    async handle({ response, principal, url }) {
      const parsed = parseParams(url.searchParams, alertParams);
      const tenantId = visibleTenant(principal, parsed.tenantId, parsed.scope);

      const alerts = await log.recent({
        limit: parsed.limit,
        tenantId,
        scope: parsed.scope && formatScope(parsed.scope),
        type: parsed.type,
      });
      sendJson(response, 200, { alerts });
    },
  };
}

/** The tenant the query is limited to: the key's own for a tenant key, else the one asked. */
function visibleTenant(
  principal: Principal,
  tenantId: string | undefined,
  scope: Scope | undefined,
): string | undefined {
  if (principal.role === 'admin') return tenantId;

  if (tenantId !== undefined && tenantId !== principal.tenantId) {
    throw new HttpError(403, 'FORBIDDEN', 'a tenant key sees only its own tenant');
  }
  if (scope) checkScopeAccess(principal, scope, 'alerts');
  return principal.tenantId;
}

function failedRoute(outbox: Pick<DeliveryOutbox, 'failed'>): Route {
  return {
    method: 'GET',
    path: '/api/alerts/failed-deliveries',
    access: 'admin',
    doc: {
      tag: 'alerts',
      summary: 'Deliveries that gave up, newest first, with the last error',
      params: {},
      response: z.object({ deliveries: z.array(failedDeliverySchema) }).strict(),
    },
    async handle({ response, url }) {
      parseParams(url.searchParams, {});
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
  };
}
