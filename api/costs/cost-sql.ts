import type { CostFilter } from './cost-request.ts';
import { DIMENSION_COLUMNS, isGranularity, MEASURES, type Dimension } from './cost-fields.ts';
import { addDays } from './local-dates.ts';
import { TimeZones } from './time-zones.ts';

/** A statement and the values bound to its `{name:Type}` placeholders. */
export interface BoundQuery {
  sql: string;
  params: Record<string, unknown>;
  /** The rollup it reads. */
  source: 'cost_daily' | 'cost_15m';
}

/** A validated cost question, as the SQL builder takes it. */
export interface CostQuery {
  startDate: string;
  endDate: string;
  tz: string;
  filter: CostFilter;
  /** In column order (see normalizeDimensions). */
  dimensions: Dimension[];
  limit?: number;
}

/**
 * How each rollup computes a dimension. Local days, weeks and months come
 * from the 15-minute buckets converted to the zone; UTC ones are the days
 * of cost_daily. Only `{tz:String}` is ever placed in the SQL, never a value.
 */
const DIMENSION_SQL: Record<Dimension, { cost_daily: string; cost_15m: string }> = {
  day: { cost_daily: 'day', cost_15m: 'toDate(bucket, {tz:String})' },
  week: { cost_daily: 'toMonday(day)', cost_15m: 'toMonday(bucket, {tz:String})' },
  month: { cost_daily: 'toStartOfMonth(day)', cost_15m: 'toStartOfMonth(bucket, {tz:String})' },
  tenant: { cost_daily: 'tenant_id', cost_15m: 'tenant_id' },
  user: { cost_daily: 'user_id', cost_15m: 'user_id' },
  provider: { cost_daily: 'provider', cost_15m: 'provider' },
  model: { cost_daily: 'model', cost_15m: 'model' },
  touchpoint: { cost_daily: 'touchpoint', cost_15m: 'touchpoint' },
};

const FILTER_SQL: Record<keyof CostFilter, string> = {
  tenantId: 'tenant_id = {tenantId:String}',
  userId: 'user_id = {userId:String}',
  provider: 'provider = {provider:String}',
  model: 'model = {model:String}',
  touchpoint: 'touchpoint = {touchpoint:String}',
};

/**
 * The rollup query of a cost question: sums of every measure per group,
 * periods first, then the costliest groups. UTC questions read cost_daily;
 * any other zone reads cost_15m, whose buckets each fall in exactly one
 * local day, so that days add up to weeks, months and the range total.
 */
export function buildCostQuery(query: CostQuery): BoundQuery {
  const source = TimeZones.isAlwaysUtc(query.tz) ? 'cost_daily' : 'cost_15m';
  const { conditions, params } = whereClause(query, source);

  const keys = query.dimensions.map(
    (dimension) => `${DIMENSION_SQL[dimension][source]} AS ${DIMENSION_COLUMNS[dimension]}`,
  );
  const sums = MEASURES.map((measure) => `sum(${measure.rollup}) AS ${measure.column}`);
  const lines = [
    `SELECT ${[...keys, ...sums].join(', ')}`,
    `FROM ${source}`,
    `WHERE ${conditions.join(' AND ')}`,
  ];
  if (query.dimensions.length > 0) {
    lines.push(`GROUP BY ${query.dimensions.map((d) => DIMENSION_COLUMNS[d]).join(', ')}`);
    lines.push(`ORDER BY ${orderBy(query.dimensions).join(', ')}`);
  }
  if (query.limit !== undefined) {
    lines.push('LIMIT {limit:UInt32}');
    params.limit = query.limit;
  }
  return { sql: lines.join('\n'), params, source };
}

function whereClause(
  query: CostQuery,
  source: BoundQuery['source'],
): { conditions: string[]; params: Record<string, unknown> } {
  const filter = filterClause(query.filter);
  const params: Record<string, unknown> = {
    startDate: query.startDate,
    endDate: query.endDate,
    ...filter.params,
  };
  if (source === 'cost_daily') {
    return {
      conditions: ['day >= {startDate:Date}', 'day <= {endDate:Date}', ...filter.conditions],
      params,
    };
  }

  // The zone's days start within ±14 hours of UTC midnight: the wide UTC
  // bounds let ClickHouse skip partitions and granules, the local-date test
  // then keeps exactly the buckets of the requested days.
  Object.assign(params, scanBounds(query.startDate, query.endDate), { tz: query.tz });
  const conditions = [
    "bucket >= {scanFrom:DateTime('UTC')}",
    "bucket < {scanTo:DateTime('UTC')}",
    'toDate(bucket, {tz:String}) >= {startDate:Date}',
    'toDate(bucket, {tz:String}) <= {endDate:Date}',
    ...filter.conditions,
  ];
  return { conditions, params };
}

function filterClause(filter: CostFilter): {
  conditions: string[];
  params: Record<string, unknown>;
} {
  const conditions: string[] = [];
  const params: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(filter) as [keyof CostFilter, unknown][]) {
    if (value === undefined) continue;
    conditions.push(FILTER_SQL[key]);
    params[key] = value;
  }
  return { conditions, params };
}

/** UTC instants a day before the first and after the last local day, clamped at 1970. */
export function scanBounds(
  startDate: string,
  endDate: string,
): { scanFrom: number; scanTo: number } {
  const seconds = (date: string) => Math.max(0, Date.parse(`${date}T00:00:00Z`) / 1000);
  return { scanFrom: seconds(addDays(startDate, -1)), scanTo: seconds(addDays(endDate, 2)) };
}

function orderBy(dimensions: Dimension[]): string[] {
  const periods = dimensions.filter(isGranularity).map((d) => `${DIMENSION_COLUMNS[d]} ASC`);
  const others = dimensions.filter((d) => !isGranularity(d)).map((d) => DIMENSION_COLUMNS[d]);
  return [...periods, 'totalCostUsd DESC', ...others.map((column) => `${column} ASC`)];
}

/**
 * Counts the 15-minute buckets around a range whose two ends fall on
 * different local dates of `tz`: a local midnight inside a bucket. It is zero
 * for every zone since 1973 (whole, half and quarter-hour offsets); where it
 * is not (Africa/Monrovia's -0:44:30 before 1972, say) the rollup cannot
 * answer exactly, and the API says so instead of answering approximately.
 */
export function buildAlignmentCheck(startDate: string, endDate: string, tz: string): BoundQuery {
  const { scanFrom, scanTo } = scanBounds(startDate, endDate);
  return {
    sql:
      'SELECT count() AS misaligned FROM (' +
      "SELECT toDateTime({scanFrom:UInt32} + number * 900, 'UTC') AS bucket " +
      'FROM numbers({buckets:UInt32})) ' +
      'WHERE toDate(bucket, {tz:String}) != toDate(bucket + 899, {tz:String})',
    params: { scanFrom, buckets: Math.ceil((scanTo - scanFrom) / 900), tz },
    source: 'cost_15m',
  };
}
