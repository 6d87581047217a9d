import type { Kafka } from 'kafkajs';
import type { ClickHouseClient } from '../../clickhouse/client.ts';
import type { AlertingConfig } from '../../lib/config.ts';
import { errorMessage } from '../../lib/errors.ts';
import type { Logger } from '../../lib/logger.ts';
import { Money } from '../../lib/money.ts';
import type { TopicNames } from '../../infra/topics.ts';
import type { CostAlert } from '../../schemas/cost-alert.ts';
import { alertIdOf } from './alert-id.ts';
import { AlertLog } from './alert-log.ts';
import { AlertPublisher } from './alert-publisher.ts';
import { loadBudgetsFile } from './budget-file.ts';
import { BudgetMonitor } from './budget-monitor.ts';
import { BudgetStore } from './budget-store.ts';
import { CostReporter } from './cost-reporter.ts';
import { CostsConsumer } from './costs-consumer.ts';
import type { ChannelName } from './notifiers/channel.ts';
import { channelSettings, type ChannelSettings } from './notifiers/channel-settings.ts';
import { DeliveryWorker, type DeliveryWorkerOptions } from './notifiers/delivery-worker.ts';
import { NotifyConsumer } from './notifiers/notify-consumer.ts';
import { DeliveryOutbox } from './notifiers/outbox.ts';
import { DEFAULT_SPIKE_SETTINGS, type SpikeSettings } from './spike-detector.ts';
import { SpikeMonitor } from './spike-monitor.ts';

export interface AlertingServiceOptions {
  kafka: Kafka;
  clickhouse: ClickHouseClient;
  topics: TopicNames;
  logger: Logger;
  /** Channels and spike thresholds from the environment. */
  config: AlertingConfig;
  /** Budgets loaded (created or replaced) at start. */
  budgetsFile?: string;
  /** Prefix of the consumer groups (`<prefix>llmcost-alerting`, `<prefix>llmcost-notify`). */
  groupPrefix?: string;
  /** Names this instance in the delivery outbox; stable across restarts of the same instance. */
  instanceId: string;
  /** Milliseconds since the epoch; a parameter so that tests can fix "now". */
  now?: () => number;
  /** How often every budget is re-read and re-evaluated. @default 30000 */
  refreshIntervalMs?: number;
  /** Spike settings beyond those of the environment (tests use tighter ones). */
  spikes?: Partial<SpikeSettings> & { intervalMs?: number };
  /** Daily and monthly cost reports. @default true */
  reports?: boolean;
  delivery?: Pick<DeliveryWorkerOptions, 'retry' | 'failingAfter' | 'scanIntervalMs'>;
  /** See BudgetCheckInput. */
  minProjectionElapsed?: number;
}

/** A pending delivery is taken over by another instance once its lease has run out this long. */
const DELIVERY_LEASE_MS = 60_000;

/**
 * The alerting consumer: budgets, spikes, reports and their delivery. It
 * reads llm.costs.v1, raises alerts to cost.alerts.v1 and quota states to
 * quota.state.v1, and reads cost.alerts.v1 back to deliver each alert to
 * the channels its type is routed to.
 */
export class AlertingService {
  readonly budgets: BudgetStore;
  readonly alertLog: AlertLog;
  readonly outbox: DeliveryOutbox;
  readonly monitor: BudgetMonitor;
  readonly spikes: SpikeMonitor;
  readonly worker: DeliveryWorker;
  readonly reporter: CostReporter;
  readonly channels: ChannelSettings;
  private readonly publisher: AlertPublisher;
  private readonly costs: CostsConsumer;
  private readonly notify: NotifyConsumer;
  private readonly logger: Logger;
  private readonly now: () => number;
  private refreshTimer?: NodeJS.Timeout;
  private refreshing?: Promise<void>;
  private refreshAgain = false;
  private stopped = false;

  constructor(private readonly options: AlertingServiceOptions) {
    const { kafka, clickhouse, topics } = options;
    this.logger = options.logger.child({ component: 'alerting' });
    this.now = options.now ?? Date.now;
    this.channels = channelSettings(options.config);
    this.publisher = new AlertPublisher(kafka, topics);
    this.budgets = new BudgetStore(clickhouse, this.logger);
    this.alertLog = new AlertLog(clickhouse);
    this.outbox = new DeliveryOutbox(clickhouse, options.instanceId, DELIVERY_LEASE_MS);

    const shared = { client: clickhouse, alertLog: this.alertLog, publisher: this.publisher };
    const common = { ...shared, logger: this.logger, now: this.now };
    this.monitor = new BudgetMonitor({
      ...common,
      store: this.budgets,
      minProjectionElapsed: options.minProjectionElapsed,
    });
    this.spikes = new SpikeMonitor({
      ...common,
      settings: spikeSettings(options),
      intervalMs: options.spikes?.intervalMs,
    });
    this.reporter = new CostReporter(common);
    this.worker = new DeliveryWorker({
      ...options.delivery,
      outbox: this.outbox,
      channels: this.channels.channels,
      logger: this.logger,
      now: this.now,
      onChannelFailing: (channel, lastError, failures) =>
        this.reportFailingChannel(channel, lastError, failures),
    });

    const prefix = options.groupPrefix ?? '';
    const producer = this.publisher.kafkaProducer;
    this.notify = new NotifyConsumer({
      kafka,
      producer,
      topics,
      groupId: `${prefix}llmcost-notify`,
      outbox: this.outbox,
      worker: this.worker,
      settings: this.channels,
      logger: this.logger,
      now: this.now,
    });
    this.costs = new CostsConsumer({
      kafka,
      producer,
      topics,
      groupId: `${prefix}llmcost-alerting`,
      budgets: this.monitor,
      spikes: this.spikes,
      logger: this.logger,
    });
  }

  /**
   * Loads the budgets file, evaluates every budget's open period from the
   * rollups (so a restart forgets nothing and raises nothing twice), then
   * starts delivering and follows the streams.
   */
  async start(): Promise<void> {
    await this.publisher.connect();
    if (this.options.budgetsFile) {
      const budgets = loadBudgetsFile(this.options.budgetsFile);
      for (const budget of budgets) await this.budgets.set(budget, this.now());
      this.logger.info(
        { file: this.options.budgetsFile, budgets: budgets.length },
        'budgets loaded',
      );
    }
    await this.monitor.refresh();

    await this.worker.start();
    await this.notify.start();
    await this.costs.start();
    this.spikes.start();
    if (this.options.reports ?? true) this.reporter.start();
    this.refreshTimer = setInterval(
      () => this.budgetsChanged(),
      this.options.refreshIntervalMs ?? 30_000,
    );
    this.logger.info(
      { channels: this.channels.channels.map((channel) => channel.name) },
      'alerting started',
    );
  }

  /** Stops reading, lets deliveries in flight finish and be recorded, then disconnects. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.refreshTimer);
    this.reporter.stop();
    await this.costs.stop();
    await this.refreshing;
    await this.monitor.settled();
    await this.spikes.stop();
    await this.notify.stop();
    await this.worker.stop();
    await Promise.all(this.channels.channels.map((channel) => channel.close()));
    await this.publisher.disconnect();
  }

  isReady(): boolean {
    return this.costs.isReady() && this.notify.isReady();
  }

  /** Re-reads the budgets now (after a change through the API), not at the next refresh. */
  budgetsChanged(): void {
    // One refresh at a time, and one more after it when a change came meanwhile,
    // so that a slow store does not stack refreshes up.
    if (this.stopped) return;
    if (this.refreshing) {
      this.refreshAgain = true;
      return;
    }
    this.refreshing = this.monitor
      .refresh()
      .catch((error: unknown) =>
        this.logger.warn({ err: errorMessage(error) }, 'budget refresh failed; retried later'),
      )
      .finally(() => {
        this.refreshing = undefined;
        if (!this.refreshAgain) return;
        this.refreshAgain = false;
        this.budgetsChanged();
      });
  }

  private reportFailingChannel(channel: ChannelName, lastError: string, failures: number): void {
    const raisedAt = this.now();
    const dedupeKey = `notifier.channel_failing|${channel}|${raisedAt}`;
    const alert: CostAlert = {
      alertId: alertIdOf(dedupeKey),
      dedupeKey,
      type: 'notifier.channel_failing',
      severity: 'critical',
      summary: `alert channel ${channel} has failed ${failures} deliveries in a row: ${lastError}`,
      scope: '',
      tenantId: null,
      budget: null,
      periodStart: null,
      periodEnd: null,
      spendUsd: null,
      projectedUsd: null,
      incomplete: false,
      unpricedRequests: 0,
      triggeredBy: null,
      spike: null,
      details: { channel, lastError: lastError.slice(0, 500), failures: String(failures) },
      raisedAt,
    };
    this.publisher
      .alerts([alert])
      .then(() => this.alertLog.record([alert]))
      .catch((error: unknown) =>
        this.logger.error(
          { channel, err: errorMessage(error) },
          'reporting a failing channel failed',
        ),
      );
  }
}

function spikeSettings(options: AlertingServiceOptions): SpikeSettings {
  const { spike } = options.config;
  const overrides: Partial<SpikeSettings> & { intervalMs?: number } = { ...options.spikes };
  delete overrides.intervalMs;
  return {
    ...DEFAULT_SPIKE_SETTINGS,
    threshold: new Money(spike.threshold),
    minImpactUsd: new Money(spike.minImpactUsd),
    minHistoryHours: spike.minHistoryHours,
    ...overrides,
  };
}
