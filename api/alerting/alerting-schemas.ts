import { z } from 'zod';
import { ALERT_TYPES } from '../../schemas/cost-alert.ts';

/** The answers of the budget, quota and alert routes, for the OpenAPI document and its tests. */
const decimal = z
  .string()
  .regex(/^-?\d+(\.\d+)?$/)
  .meta({ description: 'An exact decimal number, as a string.' });
const epochMs = z.int().meta({ description: 'Milliseconds since 1970-01-01 UTC.' });

/** A budget as people write it, with its id (`<scope>|<period>`). */
export const budgetViewSchema = z
  .object({
    id: z.string(),
    scope: z.string(),
    period: z.enum(['day', 'month']),
    timeZone: z.string(),
    limitUsd: decimal,
    warnAt: z.array(decimal),
  })
  .strict();

/** Where one budget stands in its current period (schemas/quota-state.ts). */
export const quotaStateSchema = z
  .object({
    budgetId: z.string(),
    scope: z.string(),
    period: z.enum(['day', 'month']),
    timeZone: z.string(),
    status: z.enum(['ok', 'warning', 'exceeded']),
    incomplete: z.boolean().meta({
      description: 'Some calls of the period could not be priced: spendUsd is a lower bound.',
    }),
    unpricedRequests: z.int(),
    spendUsd: decimal,
    limitUsd: decimal,
    periodStart: epochMs,
    periodEnd: epochMs.meta({ description: 'Exclusive; milliseconds since 1970-01-01 UTC.' }),
    updatedAt: epochMs,
  })
  .strict();

const contributor = z
  .object({
    dimension: z.enum(['model', 'touchpoint', 'user', 'tenant']),
    value: z.string(),
    costUsd: decimal,
  })
  .strict();

/** An alert as raised on cost.alerts.v1 (schemas/cost-alert.ts). */
export const costAlertSchema = z
  .object({
    alertId: z.string(),
    dedupeKey: z.string(),
    type: z.enum(ALERT_TYPES),
    severity: z.enum(['info', 'warning', 'critical']),
    summary: z.string(),
    scope: z.string(),
    tenantId: z.string().nullable(),
    budget: z
      .object({
        budgetId: z.string(),
        period: z.string(),
        timeZone: z.string(),
        limitUsd: decimal,
        threshold: decimal.nullable(),
      })
      .strict()
      .nullable(),
    periodStart: epochMs.nullable(),
    periodEnd: epochMs.nullable(),
    spendUsd: decimal.nullable(),
    projectedUsd: decimal.nullable(),
    incomplete: z.boolean(),
    unpricedRequests: z.int(),
    triggeredBy: z.string().nullable(),
    spike: z
      .object({
        hourStart: epochMs,
        observedUsd: decimal,
        expectedLowUsd: decimal,
        expectedHighUsd: decimal,
        baselineUsd: decimal,
        baselineHours: z.int(),
        seasonal: z.boolean(),
        topContributors: z.array(contributor),
      })
      .strict()
      .nullable(),
    details: z.record(z.string(), z.string()),
    raisedAt: epochMs,
  })
  .strict();

/** A delivery that gave up, with the channel's last error. */
export const failedDeliverySchema = z
  .object({
    alertId: z.string(),
    type: z.enum(ALERT_TYPES),
    channel: z.string(),
    attempts: z.int(),
    lastError: z.string(),
  })
  .strict();
