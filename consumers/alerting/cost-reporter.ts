import type { ClickHouseClient } from '../../clickhouse/client.ts';
import { errorMessage } from '../../lib/errors.ts';
import type { Logger } from '../../lib/logger.ts';
import type { CostAlert } from '../../schemas/cost-alert.ts';
import { alertIdOf } from './alert-id.ts';
import type { AlertLog } from './alert-log.ts';
import type { AlertPublisher } from './alert-publisher.ts';
import { periodOf, previousPeriod, type PeriodKind, type PeriodWindow } from './period.ts';
import { selectRows } from './store-rows.ts';

export interface CostReporterOptions {
  client: ClickHouseClient;
  alertLog: AlertLog;
  publisher: AlertPublisher;
  logger: Logger;
  now: () => number;
  /** How often to look for a closed day or month not reported yet. @default 60000 */
  intervalMs?: number;
}

interface TenantTotal {
  tenant_id: string;
  total: string;
  request_count: string;
  unpriced: string;
}

/**
 * Sends each tenant's cost report for the last closed UTC day and calendar
 * month, from the daily rollup, as `cost.report.daily` / `cost.report.monthly`
 * alerts (routed to email and webhook unless configured otherwise). A
 * report is raised once per tenant and period, whichever instance sends it.
 */
export class CostReporter {
  private timer?: NodeJS.Timeout;
  private readonly logger: Logger;

  constructor(private readonly options: CostReporterOptions) {
    this.logger = options.logger.child({ component: 'reports' });
  }

  start(): void {
    const run = () =>
      this.runDue().catch((error: unknown) =>
        this.logger.warn({ err: errorMessage(error) }, 'cost reports failed; retried later'),
      );
    void run();
    this.timer = setInterval(run, this.options.intervalMs ?? 60_000);
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /** Raises the reports of the last closed day and month that were not raised yet. */
  async runDue(): Promise<CostAlert[]> {
    const now = this.options.now();
    const raised: CostAlert[] = [];
    for (const kind of ['day', 'month'] as const) {
      const window = previousPeriod(periodOf(now, kind, 'UTC'), kind, 'UTC');
      raised.push(...(await this.report(kind, window)));
    }
    return raised;
  }

  private async report(kind: PeriodKind, window: PeriodWindow): Promise<CostAlert[]> {
    const type = kind === 'day' ? 'cost.report.daily' : 'cost.report.monthly';
    const range = { from: dayText(window.start), to: dayText(window.end) };
    const totals = await selectRows<TenantTotal>(
      this.options.client,
      'cost_daily',
      `SELECT tenant_id, toString(sum(cost_usd)) AS total, sum(requests) AS request_count,
              sum(unpriced_requests) AS unpriced
       FROM cost_daily WHERE day >= {from:Date} AND day < {to:Date}
       GROUP BY tenant_id HAVING sum(requests) > 0 ORDER BY tenant_id`,
      range,
    );
    const drafts = totals.map((row) => ({
      row,
      dedupeKey: `${type}|${row.tenant_id}|${window.label}`,
    }));
    const done = await this.options.alertLog.raised(drafts.map((d) => alertIdOf(d.dedupeKey)));
    const due = drafts.filter((draft) => !done.has(alertIdOf(draft.dedupeKey)));
    if (due.length === 0) return [];

    const touchpoints = await this.top('touchpoint', range);
    const models = await this.top('model', range);
    const alerts = due.map(({ row, dedupeKey }): CostAlert => ({
      alertId: alertIdOf(dedupeKey),
      dedupeKey,
      type,
      severity: 'info',
      summary: `${row.tenant_id} spent ${row.total} USD in ${window.label} (UTC)`,
      scope: `tenant=${row.tenant_id}`,
      tenantId: row.tenant_id,
      budget: null,
      periodStart: window.start,
      periodEnd: window.end,
      spendUsd: row.total,
      projectedUsd: null,
      incomplete: Number(row.unpriced) > 0,
      unpricedRequests: Number(row.unpriced),
      triggeredBy: null,
      spike: null,
      details: {
        requests: String(row.request_count),
        'top touchpoints': touchpoints.get(row.tenant_id) ?? '',
        'top models': models.get(row.tenant_id) ?? '',
      },
      raisedAt: this.options.now(),
    }));
    await this.options.publisher.alerts(alerts);
    await this.options.alertLog.record(alerts);
    this.logger.info({ type, period: window.label, reports: alerts.length }, 'cost reports sent');
    return alerts;
  }

  /** The three largest values of a column per tenant, as `name (cost USD)` text. */
  private async top(column: 'touchpoint' | 'model', range: { from: string; to: string }) {
    const rows = await selectRows<{ tenant_id: string; value: string; cost: string }>(
      this.options.client,
      'cost_daily',
      `SELECT tenant_id, ${column} AS value, toString(sum(cost_usd)) AS cost
       FROM cost_daily WHERE day >= {from:Date} AND day < {to:Date}
       GROUP BY tenant_id, value ORDER BY tenant_id, sum(cost_usd) DESC, value
       LIMIT 3 BY tenant_id`,
      range,
    );
    const lines = new Map<string, string[]>();
    for (const row of rows) {
      lines.set(row.tenant_id, [
        ...(lines.get(row.tenant_id) ?? []),
        `${row.value} (${row.cost} USD)`,
      ]);
    }
    return new Map([...lines].map(([tenant, parts]) => [tenant, parts.join(', ')]));
  }
}

function dayText(instant: number): string {
  return new Date(instant).toISOString().slice(0, 10);
}
