import { formatMoney, Money } from '../../lib/money.ts';
import type { Route } from '../router.ts';
import { AnswerStream } from './answer-stream.ts';
import { describeQuery, readSummary } from './cost-answer.ts';
import { DIMENSION_COLUMNS, MEASURES, type Granularity } from './cost-fields.ts';
import { FIRST_DATE, trendParams } from './cost-params.ts';
import type { CostRouteOptions } from './cost-routes.ts';
import { resolveCostRequest, type CostRequest } from './cost-request.ts';
import { summaryOf, toCostRow, type CostRow, type CostSummary } from './cost-rows.ts';
import { trendAnswerSchema } from './cost-schemas.ts';
import { buildCostQuery } from './cost-sql.ts';
import { periodsCovering, previousRange } from './local-dates.ts';
import { parseParams } from './query-params.ts';

const POINT_HEAD = ['period', 'startDate', 'endDate', 'partial'];
const POINT_COLUMNS = [
  ...POINT_HEAD,
  ...MEASURES.map((measure) => measure.column),
  'changeUsd',
  'changePercent',
];

/**
 * `GET /api/costs/trends`: one point per day, week or month of the range,
 * periods without calls included as zeros, each with its change against the
 * point before; the summary compares the range with the one just before it.
 */
export function trendsRoute({ reader, zones }: CostRouteOptions): Route {
  const params = trendParams(zones);
  return {
    method: 'GET',
    path: '/api/costs/trends',
    access: 'tenant',
    doc: {
      tag: 'costs',
      summary: 'A cost series by day, week or month, with changes',
      description:
        'Every period meeting the range appears, zero when nothing was spent; a period cut ' +
        'by the range is `partial`. `changeUsd`/`changePercent` compare a point with the one ' +
        'before it; the summary compares the range with the same number of days before it.',
      params,
      response: trendAnswerSchema,
      csv: true,
    },
    async handle({ request, response, principal, url }) {
      const parsed = parseParams(url.searchParams, params);
      const costRequest = resolveCostRequest(parsed, principal, request);
      const granularity = parsed.granularity;
      await reader.assertQuarterHourDays(costRequest.startDate, costRequest.endDate, parsed.tz);

      const query = buildCostQuery({ ...costRequest, dimensions: [granularity] });
      const byPeriod = new Map<string, CostRow>();
      for (const raw of await reader.all(query)) {
        const row = toCostRow(raw, [granularity]);
        byPeriod.set(String(row[DIMENSION_COLUMNS[granularity]]), row);
      }
      const current = summaryOf(sumRows([...byPeriod.values()]));
      const previous = await previousSummary(reader, costRequest);

      const stream = new AnswerStream(response, costRequest.format, POINT_COLUMNS, new Set());
      const echo = describeQuery(costRequest, [granularity], undefined, query.source);
      stream.start(
        { query: { ...echo, groupBy: [], granularity } },
        `cost-trend_${costRequest.startDate}_${costRequest.endDate}`,
      );
      for (const point of trendPoints(costRequest, granularity, byPeriod)) await stream.row(point);
      await stream.end({ summary: compareSummaries(current, previous) });
    },
  };
}

/** The series: each period's sums (zeros when absent) and its change against the previous. */
function trendPoints(
  request: CostRequest,
  granularity: Granularity,
  byPeriod: Map<string, CostRow>,
): CostRow[] {
  let before: Money | undefined;
  return periodsCovering(request.startDate, request.endDate, granularity).map((slot) => {
    const found = byPeriod.get(slot.period);
    const measures = Object.fromEntries(
      MEASURES.map((m) => [m.column, found?.[m.column] ?? (m.kind === 'money' ? '0' : 0)]),
    );
    const cost = new Money(String(measures.totalCostUsd));
    const change = before === undefined ? null : changeBetween(before, cost);
    before = cost;
    return {
      ...slot,
      ...measures,
      changeUsd: change?.usd ?? null,
      changePercent: change?.percent ?? null,
    };
  });
}

function changeBetween(from: Money, to: Money): { usd: string; percent: string | null } {
  const difference = to.sub(from);
  const percent = from.isZero() ? null : difference.div(from).mul(100).toDecimalPlaces(2);
  return { usd: formatMoney(difference), percent: percent === null ? null : percent.toFixed(2) };
}

function sumRows(rows: CostRow[]): CostRow | undefined {
  if (rows.length === 0) return undefined;
  const total: CostRow = {};
  for (const measure of MEASURES) {
    total[measure.column] =
      measure.kind === 'money'
        ? formatMoney(rows.reduce((sum, row) => sum.add(String(row[measure.column])), new Money(0)))
        : rows.reduce((sum, row) => sum + Number(row[measure.column]), 0);
  }
  return total;
}

interface PreviousPeriod {
  startDate: string;
  endDate: string;
  summary: CostSummary;
}

/** The range of equal length just before; nothing can precede 1970, so that part is zero. */
async function previousSummary(reader: CostRouteOptions['reader'], request: CostRequest) {
  const range = previousRange(request.startDate, request.endDate);
  const result: PreviousPeriod = { ...range, summary: summaryOf(undefined) };
  if (range.endDate < FIRST_DATE) return result;

  const startDate = range.startDate < FIRST_DATE ? FIRST_DATE : range.startDate;
  await reader.assertQuarterHourDays(startDate, range.endDate, request.tz);
  result.summary = await readSummary(reader, { ...request, startDate, endDate: range.endDate });
  return result;
}

function compareSummaries(current: CostSummary, previous: PreviousPeriod) {
  const change = changeBetween(
    new Money(previous.summary.totalCostUsd),
    new Money(current.totalCostUsd),
  );
  return {
    ...current,
    previousPeriod: {
      startDate: previous.startDate,
      endDate: previous.endDate,
      totalCostUsd: previous.summary.totalCostUsd,
      totalRequests: previous.summary.totalRequests,
    },
    changeUsd: change.usd,
    changePercent: change.percent,
  };
}
