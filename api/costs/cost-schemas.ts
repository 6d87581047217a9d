import { z } from 'zod';
import { MEASURES } from './cost-fields.ts';
import { EFFICIENCY_COLUMNS } from './cost-rows.ts';

/** The response schemas of the cost endpoints, for the OpenAPI document and its tests. */
const decimal = z
  .string()
  .regex(/^-?\d+(\.\d+)?$/)
  .meta({ description: 'An exact decimal number of US dollars, as a string.' });
const nullableDecimal = decimal.nullable();
const date = z.iso.date();

const measures = Object.fromEntries(
  MEASURES.map((measure) => [
    measure.column,
    measure.kind === 'money' ? decimal : z.int().meta({ description: 'A sum of counts.' }),
  ]),
);

/** A row: the requested dimensions (only those), then every measure. */
export const costRowSchema = z
  .object({
    day: date.optional(),
    week: date.optional().meta({ description: 'The Monday of the ISO week.' }),
    month: date.optional().meta({ description: 'The first day of the month.' }),
    tenantId: z.string().optional(),
    userId: z.string().optional(),
    provider: z.string().optional(),
    model: z.string().optional(),
    touchpoint: z.string().optional(),
    ...measures,
    ...Object.fromEntries(EFFICIENCY_COLUMNS.map((column) => [column, nullableDecimal.optional()])),
  })
  .strict();

/** The summary of every cost answer. */
export const costSummarySchema = z
  .object({
    totalCostUsd: decimal,
    totalRequests: z.int(),
    averageCostPerRequestUsd: nullableDecimal,
    unpricedRequests: z.int(),
    unpricedTokens: z.int(),
    complete: z.boolean().meta({
      description: 'False when some requests could not be priced: costs are then lower bounds.',
    }),
  })
  .strict();

const queryEcho = z
  .object({
    startDate: date,
    endDate: date,
    tz: z.string(),
    groupBy: z.array(z.string()),
    tenantId: z.string().optional(),
    userId: z.string().optional(),
    provider: z.string().optional(),
    model: z.string().optional(),
    touchpoint: z.string().optional(),
    limit: z.int().optional(),
    granularity: z.string().optional(),
    source: z.enum(['cost_daily', 'cost_15m']).meta({ description: 'The rollup that answered.' }),
  })
  .strict();

/** The answer of aggregate and the by-* routes. */
export const costAnswerSchema = z
  .object({ query: queryEcho, rows: z.array(costRowSchema), summary: costSummarySchema })
  .strict();

/** One period of a trend. */
export const trendPointSchema = z
  .object({
    period: date,
    startDate: date,
    endDate: date,
    partial: z.boolean(),
    ...measures,
    changeUsd: nullableDecimal,
    changePercent: nullableDecimal,
  })
  .strict();

/** The answer of trends: the points and a summary compared with the range before. */
export const trendAnswerSchema = z
  .object({
    query: queryEcho,
    rows: z.array(trendPointSchema),
    summary: costSummarySchema
      .extend({
        previousPeriod: z
          .object({ startDate: date, endDate: date, totalCostUsd: decimal, totalRequests: z.int() })
          .strict(),
        changeUsd: decimal,
        changePercent: nullableDecimal,
      })
      .strict(),
  })
  .strict();

/** The answer of /api/time-zones. */
export const timeZonesSchema = z.object({ timeZones: z.array(z.string()) }).strict();
