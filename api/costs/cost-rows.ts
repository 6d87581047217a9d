import { COST_SCALE, formatMoney, Money, ZERO } from '../../lib/money.ts';
import { PipelineError } from '../../lib/errors.ts';
import { DIMENSION_COLUMNS, MEASURES, TOKEN_COLUMNS, type Dimension } from './cost-fields.ts';

/** A row as the API answers it: dimension values, decimal-string money, integer counts. */
export type CostRow = Record<string, string | number | boolean | null>;

/** Columns that cost per request and per 1k tokens add to a row (by-model). */
export const EFFICIENCY_COLUMNS = ['costPerRequestUsd', 'costPer1kTokensUsd'] as const;

/** The columns of rows with these dimensions, in order: the CSV header. */
export function costColumns(dimensions: Dimension[], efficiency = false): string[] {
  return [
    ...dimensions.map((dimension) => DIMENSION_COLUMNS[dimension]),
    ...MEASURES.map((measure) => measure.column),
    ...(efficiency ? EFFICIENCY_COLUMNS : []),
  ];
}

/** A money value from ClickHouse ('14.000000000000000000') as its plain decimal ('14'). */
export function plainDecimal(text: string): string {
  return formatMoney(new Money(text));
}

/** A count from ClickHouse (Int64 arrives as a string) as a JSON number. */
function count(text: unknown, column: string): number {
  const value = Number(text);
  if (!Number.isSafeInteger(value)) {
    throw new PipelineError(`${column} ${String(text)} is not a count JSON can carry exactly`, {
      code: 'COUNT_OVERFLOW',
      context: { column },
    });
  }
  return value;
}

/** `dividend / divisor` to COST_SCALE decimals (half-even), or null when divisor is 0. */
export function ratio(dividend: Money, divisor: Money): string | null {
  if (divisor.isZero()) return null;
  return formatMoney(dividend.div(divisor).toDecimalPlaces(COST_SCALE));
}

/** Turns one ClickHouse row of a cost query into an API row. */
export function toCostRow(
  raw: Record<string, unknown>,
  dimensions: Dimension[],
  efficiency = false,
): CostRow {
  const row: CostRow = {};
  for (const dimension of dimensions) {
    const column = DIMENSION_COLUMNS[dimension];
    row[column] = String(raw[column]);
  }
  for (const measure of MEASURES) {
    const value = raw[measure.column];
    row[measure.column] =
      measure.kind === 'money' ? plainDecimal(String(value)) : count(value, measure.column);
  }
  if (efficiency) addEfficiency(row);
  return row;
}

function addEfficiency(row: CostRow): void {
  const cost = new Money(String(row.totalCostUsd));
  const tokens = TOKEN_COLUMNS.reduce((sum, column) => sum.add(Number(row[column])), ZERO);
  row.costPerRequestUsd = ratio(cost, new Money(Number(row.requestCount)));
  row.costPer1kTokensUsd = ratio(cost.mul(1000), tokens);
}

/** What every cost answer ends with. */
export interface CostSummary {
  totalCostUsd: string;
  totalRequests: number;
  /** Null when there were no requests. */
  averageCostPerRequestUsd: string | null;
  unpricedRequests: number;
  unpricedTokens: number;
  /** False when some requests could not be priced: the costs are then lower bounds. */
  complete: boolean;
}

/** Adds up rows exactly, for the summary of an answer streamed row by row. */
export class SummaryAccumulator {
  private cost = ZERO;
  private requests = 0;
  private unpricedRequests = 0;
  private unpricedTokens = 0;

  add(row: CostRow): void {
    this.cost = this.cost.add(String(row.totalCostUsd));
    this.requests += Number(row.requestCount);
    this.unpricedRequests += Number(row.unpricedRequests);
    this.unpricedTokens += Number(row.unpricedTokens);
  }

  summary(): CostSummary {
    return {
      totalCostUsd: formatMoney(this.cost),
      totalRequests: this.requests,
      averageCostPerRequestUsd: ratio(this.cost, new Money(this.requests)),
      unpricedRequests: this.unpricedRequests,
      unpricedTokens: this.unpricedTokens,
      complete: this.unpricedRequests === 0,
    };
  }
}

/** The summary of a total row (a cost query without dimensions). */
export function summaryOf(total: CostRow | undefined): CostSummary {
  const accumulator = new SummaryAccumulator();
  if (total) accumulator.add(total);
  return accumulator.summary();
}
