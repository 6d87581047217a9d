import type { ClickHouseClient } from '../../clickhouse/client.ts';
import { errorMessage } from '../../lib/errors.ts';
import type { Logger } from '../../lib/logger.ts';
import { Money, ZERO } from '../../lib/money.ts';
import { Mutex } from '../../lib/mutex.ts';
import type { CostAlert, SpikeContributor } from '../../schemas/cost-alert.ts';
import type { PricedCall } from '../../schemas/priced-call.ts';
import { alertIdOf } from './alert-id.ts';
import type { AlertLog } from './alert-log.ts';
import type { AlertPublisher } from './alert-publisher.ts';
import { detectSpike, HOUR_MS, type SpikeSettings } from './spike-detector.ts';
import { formatScope, scopeCondition, type Scope } from './scope.ts';
import { selectRows } from './store-rows.ts';

export interface SpikeMonitorOptions {
  client: ClickHouseClient;
  alertLog: AlertLog;
  publisher: AlertPublisher;
  logger: Logger;
  settings: SpikeSettings;
  now: () => number;
  /** How often the hours marked by new calls are checked. @default 1000 */
  intervalMs?: number;
}

/** Which contributions a subject's spike names, by the rollup column they come from. */
const CONTRIBUTORS = {
  tenant: { model: 'model', touchpoint: 'touchpoint', user: 'user_id' },
  touchpoint: { model: 'model', tenant: 'tenant_id' },
} as const;

type SubjectKind = keyof typeof CONTRIBUTORS;

interface Mark {
  kind: SubjectKind;
  value: string;
  hourStart: number;
}

/**
 * Watches hourly spend per tenant and per touchpoint for spikes. Each batch
 * of calls marks the hours it added to; a background pass checks the
 * marked hours against their baseline in the rollups (see detectSpike), so
 * spike detection never slows the budget path. Only the current and the
 * previous hour are checked: replayed history builds the baseline but does
 * not page anyone about a day long gone. A spike is raised once per subject
 * and hour.
 */
export class SpikeMonitor {
  readonly stats = { checks: 0, spikes: 0 };
  private readonly marked = new Map<string, Mark>();
  private readonly mutex = new Mutex();
  private readonly logger: Logger;
  private timer?: NodeJS.Timeout;
  private passing = false;

  constructor(private readonly options: SpikeMonitorOptions) {
    this.logger = options.logger.child({ component: 'spikes' });
  }

  start(): void {
    this.timer = setInterval(() => {
      // A slow store must not stack passes up behind each other.
      if (this.passing) return;
      this.passing = true;
      this.checkMarked()
        .catch((error: unknown) =>
          this.logger.warn({ err: errorMessage(error) }, 'spike check failed; retried next pass'),
        )
        .finally(() => (this.passing = false));
    }, this.options.intervalMs ?? 1_000);
  }

  /** Stops the background pass after the check in progress. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.mutex.run(async () => undefined);
  }

  /** Marks the live hours these calls spent in. */
  mark(calls: PricedCall[]): void {
    const liveFrom = hourOf(this.options.now()) - HOUR_MS;
    for (const { call } of calls) {
      const hourStart = hourOf(call.occurredAt);
      if (hourStart < liveFrom) continue;
      for (const [kind, value] of [
        ['tenant', call.tenantId],
        ['touchpoint', call.touchpoint],
      ] as const) {
        this.marked.set(`${kind}=${value}|${hourStart}`, { kind, value, hourStart });
      }
    }
  }

  /** Checks each marked hour once; marks left unchecked by a failure wait for the next pass. */
  checkMarked(): Promise<void> {
    return this.mutex.run(async () => {
      const pending = [...this.marked];
      this.marked.clear();
      for (let index = 0; index < pending.length; index++) {
        try {
          await this.check(pending[index]![1]);
        } catch (error) {
          for (const [key, mark] of pending.slice(index)) {
            if (!this.marked.has(key)) this.marked.set(key, mark);
          }
          throw error;
        }
      }
    });
  }

  private async check(mark: Mark): Promise<void> {
    const scope: Scope = { [mark.kind]: mark.value };
    const { settings } = this.options;
    const from = mark.hourStart - settings.baselineDays * 24 * HOUR_MS;
    const hours = await this.hourlySpend(scope, from, mark.hourStart + HOUR_MS);
    const observedUsd = hours.get(mark.hourStart) ?? ZERO;
    hours.delete(mark.hourStart);
    const spent = [...hours].filter(([, spend]) => spend.gt(0)).map(([hour]) => hour);

    const verdict = detectSpike({
      hourStart: mark.hourStart,
      observedUsd,
      history: hours,
      firstSeen: spent.length > 0 ? Math.min(...spent) : undefined,
      settings,
    });
    this.stats.checks += 1;
    if (verdict.kind !== 'spike') return;

    const scopeKey = formatScope(scope);
    const dedupeKey = `cost.spike|${scopeKey}|${new Date(mark.hourStart).toISOString()}`;
    const alertId = alertIdOf(dedupeKey);
    if ((await this.options.alertLog.raised([alertId])).has(alertId)) return;

    const contributors = await this.topContributors(mark.kind, scope, mark.hourStart);
    const top = contributors[0];
    const alert: CostAlert = {
      alertId,
      dedupeKey,
      type: 'cost.spike',
      severity: 'warning',
      summary:
        `${scopeKey} spent ${observedUsd.toFixed()} USD in the hour from ` +
        `${new Date(mark.hourStart).toISOString()}, expected ` +
        `${verdict.expectedLowUsd.toFixed()}–${verdict.expectedHighUsd.toFixed()} USD` +
        (top ? `; top ${top.dimension}: ${top.value} (${top.costUsd} USD)` : ''),
      scope: scopeKey,
      tenantId: scope.tenant ?? null,
      budget: null,
      periodStart: mark.hourStart,
      periodEnd: mark.hourStart + HOUR_MS,
      spendUsd: observedUsd.toFixed(),
      projectedUsd: null,
      incomplete: false,
      unpricedRequests: 0,
      triggeredBy: null,
      spike: {
        hourStart: mark.hourStart,
        observedUsd: observedUsd.toFixed(),
        expectedLowUsd: verdict.expectedLowUsd.toFixed(),
        expectedHighUsd: verdict.expectedHighUsd.toFixed(),
        baselineUsd: verdict.baselineUsd.toFixed(),
        baselineHours: verdict.baselineHours,
        seasonal: verdict.seasonal,
        topContributors: contributors,
      },
      details: {},
      raisedAt: this.options.now(),
    };
    await this.options.publisher.alerts([alert]);
    await this.options.alertLog.record([alert]);
    this.stats.spikes += 1;
    this.logger.info({ alertId, scope: scopeKey, observedUsd: alert.spendUsd }, 'spike raised');
  }

  private async hourlySpend(scope: Scope, from: number, to: number): Promise<Map<number, Money>> {
    const condition = scopeCondition(scope);
    const rows = await selectRows<{ hour: string; spend: string }>(
      this.options.client,
      'cost_15m',
      `SELECT toString(toUnixTimestamp(toStartOfHour(bucket))) AS hour,
              toString(sum(cost_usd)) AS spend
       FROM cost_15m
       WHERE bucket >= toDateTime({from:Int64}, 'UTC') AND bucket < toDateTime({to:Int64}, 'UTC')
         AND ${condition.sql}
       GROUP BY hour`,
      { ...condition.params, from: from / 1000, to: to / 1000 },
    );
    return new Map(rows.map((row) => [Number(row.hour) * 1000, new Money(row.spend)]));
  }

  /** The largest contributor of each dimension to the hour, largest first. */
  private async topContributors(
    kind: SubjectKind,
    scope: Scope,
    hourStart: number,
  ): Promise<SpikeContributor[]> {
    const condition = scopeCondition(scope);
    const contributors: SpikeContributor[] = [];
    for (const [dimension, column] of Object.entries(CONTRIBUTORS[kind])) {
      const [row] = await selectRows<{ value: string; spend: string }>(
        this.options.client,
        'cost_15m',
        `SELECT ${column} AS value, toString(sum(cost_usd)) AS spend FROM cost_15m
         WHERE bucket >= toDateTime({from:Int64}, 'UTC')
           AND bucket < toDateTime({to:Int64}, 'UTC') AND ${condition.sql}
         GROUP BY value ORDER BY sum(cost_usd) DESC, value LIMIT 1`,
        { ...condition.params, from: hourStart / 1000, to: (hourStart + HOUR_MS) / 1000 },
      );
      if (row) {
        const costUsd = new Money(row.spend).toFixed();
        contributors.push({
          dimension: dimension as SpikeContributor['dimension'],
          value: row.value,
          costUsd,
        });
      }
    }
    return contributors.sort((a, b) => new Money(b.costUsd).comparedTo(a.costUsd));
  }
}

function hourOf(instant: number): number {
  return Math.floor(instant / HOUR_MS) * HOUR_MS;
}
