import { z } from 'zod';
import { DIMENSIONS, GRANULARITIES } from './cost-fields.ts';
import { listOf, param, type ParamSpecs } from './query-params.ts';
import type { TimeZones } from './time-zones.ts';

/** Dates the rollups can hold: DateTime buckets run from 1970 to 2106. */
export const FIRST_DATE = '1970-01-01';
export const LAST_DATE = '2105-12-31';
/** The longest range one request may ask for, in days (about ten years). */
export const MAX_RANGE_DAYS = 3660;
/** The most rows one request may ask for with `limit`. */
export const MAX_LIMIT = 1_000_000;

/** Whose costs a request reads, and the formats it may answer in. */
export const SCOPES = ['platform', 'tenant', 'user'] as const;
export const FORMATS = ['json', 'csv'] as const;

const date = (which: string) =>
  param({
    schema: z.iso.date().refine((value) => value >= FIRST_DATE && value <= LAST_DATE),
    description:
      `${which} day of the range, a date in \`tz\`; both ends are included. ` +
      `Between ${FIRST_DATE} and ${LAST_DATE}.`,
    expects: `a date YYYY-MM-DD between ${FIRST_DATE} and ${LAST_DATE}`,
  });

const identifier = (what: string, max: number) =>
  param({
    schema: z.string().max(max).optional(),
    description: what,
    expects: `a string of at most ${max} characters`,
  });

/**
 * The parameters every cost endpoint takes: who (scope), when (dates of a
 * time zone), optional filters, and the answer's format.
 */
export function costFilterParams(zones: TimeZones) {
  return {
    scope: param({
      schema: z.enum(SCOPES).optional(),
      description:
        'Whose costs: the whole platform, one tenant (`tenantId`), or one user of a ' +
        'tenant (`tenantId` and `userId`). Defaults to `user` when `userId` is given, ' +
        '`tenant` when `tenantId` is given or the key is a tenant key, else `platform`.',
      expects: `one of ${SCOPES.join(', ')}`,
    }),
    tenantId: identifier('The tenant, for scope `tenant` or `user`.', 128),
    userId: identifier('The user within the tenant, for scope `user`.', 256),
    startDate: date('First'),
    endDate: date('Last'),
    tz: param({
      schema: z
        .string()
        .optional()
        .transform((value, context) => {
          const zone = zones.canonical(value ?? 'UTC');
          if (zone === undefined) context.addIssue({ code: 'custom', message: 'unknown zone' });
          return zone ?? 'UTC';
        }),
      description:
        'IANA time zone of the dates, days, weeks and months (e.g. `Asia/Kolkata`, ' +
        '`Asia/Kathmandu`); `GET /api/time-zones` lists them. Defaults to UTC.',
      expects: 'an IANA time zone name such as Europe/Paris (GET /api/time-zones lists them)',
      documentAs: { type: 'string', default: 'UTC', examples: ['UTC', 'America/New_York'] },
    }),
    provider: identifier('Only calls to this provider (e.g. `openai`).', 256),
    model: identifier('Only calls of this model (e.g. `gpt-4o`).', 256),
    touchpoint: identifier('Only calls from this touchpoint (e.g. `main-chat`).', 256),
    format: param({
      schema: z.enum(FORMATS).optional(),
      description: 'Answer format; `Accept: text/csv` also selects CSV. Defaults to json.',
      expects: `one of ${FORMATS.join(', ')}`,
    }),
  } satisfies ParamSpecs;
}

const limit = param({
  schema: z.coerce.number().int().min(1).max(MAX_LIMIT).optional(),
  description:
    'At most this many rows, the costliest first within each period. The summary ' +
    'still covers every row.',
  expects: `a whole number from 1 to ${MAX_LIMIT}`,
});

/** `GET /api/costs/aggregate`: the filters plus any grouping. */
export function aggregateParams(zones: TimeZones) {
  return {
    ...costFilterParams(zones),
    groupBy: param({
      schema: listOf(DIMENSIONS).optional(),
      description:
        'Comma-separated dimensions to group by, at most one of day, week and month. ' +
        'Grouping by user also groups by tenant (user ids are unique within a tenant). ' +
        'Without it the answer is one row: the range total.',
      expects: `a comma-separated list of distinct values from ${DIMENSIONS.join(', ')}`,
      list: DIMENSIONS,
    }),
    limit,
  } satisfies ParamSpecs;
}

/** `GET /api/costs/by-*`: the filters and a row limit; the grouping is the endpoint's. */
export function breakdownParams(zones: TimeZones) {
  return { ...costFilterParams(zones), limit } satisfies ParamSpecs;
}

/** `GET /api/costs/trends`: the filters and the length of each point of the series. */
export function trendParams(zones: TimeZones) {
  return {
    ...costFilterParams(zones),
    granularity: param({
      schema: z.enum(GRANULARITIES).default('day'),
      description: 'Length of each point of the series. Defaults to day.',
      expects: `one of ${GRANULARITIES.join(', ')}`,
    }),
  } satisfies ParamSpecs;
}
