/** The kinds of alert on cost.alerts.v1. */
export const ALERT_TYPES = [
  'budget.warning',
  'budget.exceeded',
  'budget.projected',
  'budget.incomplete',
  'cost.spike',
  'cost.report.daily',
  'cost.report.monthly',
  'notifier.channel_failing',
] as const;

export type AlertType = (typeof ALERT_TYPES)[number];
export type AlertSeverity = 'info' | 'warning' | 'critical';

export interface SpikeContributor {
  dimension: 'model' | 'touchpoint' | 'user' | 'tenant';
  value: string;
  costUsd: string;
}

/** An alert as it travels on cost.alerts.v1 (the Avro record of schemas/cost-alert.v1.avsc). */
export interface CostAlert {
  /** UUID derived from dedupeKey; the idempotency key every channel receives. */
  alertId: string;
  dedupeKey: string;
  type: AlertType;
  severity: AlertSeverity;
  summary: string;
  scope: string;
  tenantId: string | null;
  budget: {
    budgetId: string;
    period: string;
    timeZone: string;
    limitUsd: string;
    threshold: string | null;
  } | null;
  periodStart: number | null;
  periodEnd: number | null;
  spendUsd: string | null;
  projectedUsd: string | null;
  incomplete: boolean;
  unpricedRequests: number;
  triggeredBy: string | null;
  spike: {
    hourStart: number;
    observedUsd: string;
    expectedLowUsd: string;
    expectedHighUsd: string;
    baselineUsd: string;
    baselineHours: number;
    seasonal: boolean;
    topContributors: SpikeContributor[];
  } | null;
  details: Record<string, string>;
  raisedAt: number;
}
