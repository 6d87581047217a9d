import { z } from 'zod';
import { parseParams } from '../costs/query-params.ts';
import { sendJson } from '../http.ts';
import type { Route } from '../router.ts';
import { quotaStateSchema } from './alerting-schemas.ts';
import type { QuotaReader } from './quota-reader.ts';
import { tenantOf } from '../tenant-access.ts';

/** `GET /api/quota`: where every budget stands now; a tenant key gets its tenant's budgets. */
export function quotaRoute(reader: QuotaReader): Route {
  return {
    method: 'GET',
    path: '/api/quota',
    access: 'tenant',
    doc: {
      tag: 'budgets',
      summary: 'Where each budget stands in its current period',
      description:
        'One state per budget, ordered by budget id: spend and limit (exact decimals), ok, ' +
        'warning (from the lowest threshold) or exceeded, incomplete when some calls could ' +
        'not be priced, and the period in milliseconds since the epoch (end exclusive). ' +
        'Read from the rollups at the time of the request. A tenant key gets the budgets ' +
        'of its own tenant only.',
      params: {},
      response: z.object({ quotas: z.array(quotaStateSchema) }).strict(),
    },
    async handle({ response, principal, url }) {
      parseParams(url.searchParams, {});
      sendJson(response, 200, { quotas: await reader.read(tenantOf(principal)) });
    },
  };
}
