import type { ServerResponse } from 'node:http';
import { DIMENSION_COLUMNS, normalizeDimensions, type Dimension } from './cost-fields.ts';
import type { CostReader } from './cost-reader.ts';
import type { CostRequest } from './cost-request.ts';
import {
  costColumns,
  summaryOf,
  SummaryAccumulator,
  toCostRow,
  type CostSummary,
} from './cost-rows.ts';
import { buildCostQuery } from './cost-sql.ts';
import { AnswerStream } from './answer-stream.ts';

/** How to group and cut one cost answer. */
export interface CostAnswerOptions {
  dimensions: readonly Dimension[];
  limit?: number;
  /** Adds cost per request and per 1k tokens to each row. */
  efficiency?: boolean;
  /** Names the CSV download: `<name>_<start>_<end>.csv`. */
  name: string;
}

/**
 * Answers one grouped cost question: rows streamed from the rollup as they
 * come, then the summary of the whole range (summed exactly from the rows,
 * or read separately when `limit` keeps some rows back).
 */
export async function answerCostQuery(
  response: ServerResponse,
  reader: CostReader,
  request: CostRequest,
  options: CostAnswerOptions,
): Promise<void> {
  const dimensions = normalizeDimensions(options.dimensions);
  await reader.assertQuarterHourDays(request.startDate, request.endDate, request.tz);

  const query = buildCostQuery({ ...request, dimensions, limit: options.limit });
  const separateTotal =
    options.limit === undefined ? undefined : await readSummary(reader, request);

  const textColumns = new Set(dimensions.map((dimension) => DIMENSION_COLUMNS[dimension]));
  const stream = new AnswerStream(
    response,
    request.format,
    costColumns(dimensions, options.efficiency),
    textColumns,
  );
  stream.start(
    { query: describeQuery(request, dimensions, options.limit, query.source) },
    `${options.name}_${request.startDate}_${request.endDate}`,
  );

  const accumulator = new SummaryAccumulator();
  for await (const raw of reader.rows(query)) {
    const row = toCostRow(raw, dimensions, options.efficiency);
    accumulator.add(row);
    await stream.row(row);
  }
  await stream.end({ summary: separateTotal ?? accumulator.summary() });
}

/** The summary of a whole range, read as one total row. */
export async function readSummary(reader: CostReader, request: CostRequest): Promise<CostSummary> {
  const [raw] = await reader.all(buildCostQuery({ ...request, dimensions: [] }));
  return summaryOf(raw ? toCostRow(raw, []) : undefined);
}

/** What the answer is about, echoed at the top of a JSON answer. */
export function describeQuery(
  request: CostRequest,
  dimensions: readonly Dimension[],
  limit: number | undefined,
  source: string,
): Record<string, unknown> {
  return {
    startDate: request.startDate,
    endDate: request.endDate,
    tz: request.tz,
    groupBy: dimensions,
    ...request.filter,
    ...(limit === undefined ? {} : { limit }),
    source,
  };
}
