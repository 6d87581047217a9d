export type QuotaStatus = 'ok' | 'warning' | 'exceeded';

/**
 * Where one budget stands in its current period (the Avro record of
 * schemas/quota-state.v1.avsc), keyed by budget id on quota.state.v1.
 */
export interface QuotaState {
  budgetId: string;
  scope: string;
  period: string;
  timeZone: string;
  status: QuotaStatus;
  /** Some calls of the period could not be priced: the real spend is higher than spendUsd. */
  incomplete: boolean;
  unpricedRequests: number;
  spendUsd: string;
  limitUsd: string;
  periodStart: number;
  /** Exclusive. */
  periodEnd: number;
  updatedAt: number;
}
