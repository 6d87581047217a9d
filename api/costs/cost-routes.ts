import { sendJson } from '../http.ts';
import type { Route } from '../router.ts';
import { isGranularity, type Dimension } from './cost-fields.ts';
import { answerCostQuery } from './cost-answer.ts';
import { aggregateParams, breakdownParams } from './cost-params.ts';
import type { CostReader } from './cost-reader.ts';
import { resolveCostRequest } from './cost-request.ts';
import { costAnswerSchema, timeZonesSchema } from './cost-schemas.ts';
import { badParam, parseParams } from './query-params.ts';
import type { TimeZones } from './time-zones.ts';
import { trendsRoute } from './trends-route.ts';

/** What the cost routes read with: the rollups, and the zones `tz` may name. */
export interface CostRouteOptions {
  reader: CostReader;
  zones: TimeZones;
}

/** The cost endpoints under /api/costs, and the zone list they accept. */
export function costRoutes(options: CostRouteOptions): Route[] {
  return [
    aggregateRoute(options),
    breakdownRoute(options, 'tenant', ['tenant']),
    breakdownRoute(options, 'user', ['tenant', 'user']),
    breakdownRoute(options, 'touchpoint', ['touchpoint']),
    breakdownRoute(options, 'model', ['provider', 'model']),
    trendsRoute(options),
    timeZonesRoute(options.zones),
  ];
}

function aggregateRoute({ reader, zones }: CostRouteOptions): Route {
  const params = aggregateParams(zones);
  return {
    method: 'GET',
    path: '/api/costs/aggregate',
    access: 'tenant',
    doc: {
      tag: 'costs',
      summary: 'Costs, requests and tokens grouped by any dimensions',
      description:
        'Sums the rollups over a range of local dates. Rows come periods first, then the ' +
        'costliest groups; the summary covers the whole range. UTC questions read ' +
        '`cost_daily`, other zones sum `cost_15m`, exactly.',
      params,
      response: costAnswerSchema,
      csv: true,
    },
    async handle({ request, response, principal, url }) {
      const parsed = parseParams(url.searchParams, params);
      const costRequest = resolveCostRequest(parsed, principal, request);
      const groupBy = parsed.groupBy ?? [];
      const periods = groupBy.filter(isGranularity);
      if (periods.length > 1) {
        throw badParam('groupBy', `has ${periods.join(' and ')}; at most one of day, week, month`);
      }
      await answerCostQuery(response, reader, costRequest, {
        dimensions: groupBy,
        limit: parsed.limit,
        name: 'costs',
      });
    },
  };
}

/** `GET /api/costs/by-<what>`: the range grouped by one fixed dimension, costliest first. */
function breakdownRoute(
  { reader, zones }: CostRouteOptions,
  what: 'tenant' | 'user' | 'touchpoint' | 'model',
  dimensions: Dimension[],
): Route {
  const params = breakdownParams(zones);
  const efficiency = what === 'model';
  return {
    method: 'GET',
    path: `/api/costs/by-${what}`,
    access: 'tenant',
    doc: {
      tag: 'costs',
      summary: `Costs by ${what}, costliest first`,
      description:
        `The same as aggregate with groupBy=${dimensions.join(',')}.` +
        (efficiency ? ' Rows add cost per request and cost per 1,000 tokens.' : ''),
      params,
      response: costAnswerSchema,
      csv: true,
    },
    async handle({ request, response, principal, url }) {
      const parsed = parseParams(url.searchParams, params);
      const costRequest = resolveCostRequest(parsed, principal, request);
      await answerCostQuery(response, reader, costRequest, {
        dimensions,
        limit: parsed.limit,
        efficiency,
        name: `costs-by-${what}`,
      });
    },
  };
}

function timeZonesRoute(zones: TimeZones): Route {
  return {
    method: 'GET',
    path: '/api/time-zones',
    access: 'tenant',
    doc: {
      tag: 'costs',
      summary: 'The IANA time zones that `tz` accepts',
      response: timeZonesSchema,
    },
    async handle({ response, url }) {
      parseParams(url.searchParams, {});
      sendJson(response, 200, { timeZones: zones.names() });
    },
  };
}
