import type { IncomingMessage } from 'node:http';
import type { Principal } from '../auth.ts';
import { HttpError } from '../http.ts';
import { MAX_RANGE_DAYS, type SCOPES, type FORMATS } from './cost-params.ts';
import { daysInRange } from './local-dates.ts';
import { badParam } from './query-params.ts';

/**
 * The rows a request may read. For a tenant key `tenantId` is always the
 * key's tenant, whatever the request asked: the SQL filters on it, so other
 * tenants' rows never leave ClickHouse.
 */
export interface CostFilter {
  tenantId?: string;
  userId?: string;
  provider?: string;
  model?: string;
  touchpoint?: string;
}

/** A validated cost request: the range in its zone, the rows, the answer format. */
export interface CostRequest {
  startDate: string;
  endDate: string;
  tz: string;
  filter: CostFilter;
  format: 'json' | 'csv';
}

/** The parsed parameters every cost endpoint shares (see cost-params.ts). */
export interface CostFilterParams {
  scope?: (typeof SCOPES)[number];
  tenantId?: string;
  userId?: string;
  startDate: string;
  endDate: string;
  tz: string;
  provider?: string;
  model?: string;
  touchpoint?: string;
  format?: (typeof FORMATS)[number];
}

/**
 * Checks what the parameters mean together and what the key may see:
 * 400 for contradictions, 403 when a tenant key asks beyond its tenant.
 */
export function resolveCostRequest(
  params: CostFilterParams,
  principal: Principal,
  request: IncomingMessage,
): CostRequest {
  checkRange(params.startDate, params.endDate);
  const tenantId = scopedTenant(params, principal);

  const filter: CostFilter = {
    tenantId,
    userId: params.userId,
    provider: params.provider,
    model: params.model,
    touchpoint: params.touchpoint,
  };
  return {
    startDate: params.startDate,
    endDate: params.endDate,
    tz: params.tz,
    filter,
    format: params.format ?? (wantsCsv(request) ? 'csv' : 'json'),
  };
}

function checkRange(startDate: string, endDate: string): void {
  if (startDate > endDate) {
    throw badParam('endDate', `${endDate} is before startDate ${startDate}`);
  }
  const days = daysInRange(startDate, endDate);
  if (days > MAX_RANGE_DAYS) {
    throw badParam('endDate', `the range has ${days} days; at most ${MAX_RANGE_DAYS} are allowed`);
  }
}

/** The tenant the rows are limited to, or undefined for the whole platform. */
function scopedTenant(params: CostFilterParams, principal: Principal): string | undefined {
  const scope = params.scope ?? impliedScope(params, principal);
  if (principal.role === 'tenant') {
    const outside = params.tenantId !== undefined && params.tenantId !== principal.tenantId;
    if (scope === 'platform' || outside) {
      throw new HttpError(403, 'FORBIDDEN', 'a tenant key sees only its own tenant');
    }
  } else if (scope !== 'platform' && params.tenantId === undefined) {
    throw badParam('tenantId', `is required with scope ${scope}`);
  }

  if (scope === 'platform' && params.tenantId !== undefined) {
    throw badParam('tenantId', 'not allowed with scope platform');
  }
  if (scope === 'platform' && params.userId !== undefined) {
    throw badParam('userId', 'not allowed with scope platform');
  }
  if (scope === 'user' && params.userId === undefined) {
    throw badParam('userId', 'is required with scope user');
  }
  if (scope === 'tenant' && params.userId !== undefined) {
    throw badParam('userId', 'not allowed with scope tenant; use scope user');
  }

  if (principal.role === 'tenant') return principal.tenantId;
  return scope === 'platform' ? undefined : params.tenantId;
}

function impliedScope(params: CostFilterParams, principal: Principal): string {
  if (params.userId !== undefined) return 'user';
  if (params.tenantId !== undefined || principal.role === 'tenant') return 'tenant';
  return 'platform';
}

/** True when the Accept header asks for CSV (`text/csv`), which `format` overrides. */
function wantsCsv(request: IncomingMessage): boolean {
  return /(^|,)\s*text\/csv\s*(;|,|$)/i.test(request.headers.accept ?? '');
}
