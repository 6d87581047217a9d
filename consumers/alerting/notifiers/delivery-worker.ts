import { errorMessage, isRetriable } from '../../../lib/errors.ts';
import type { Logger } from '../../../lib/logger.ts';
import type { Channel, ChannelName } from './channel.ts';
import type { Delivery, DeliveryOutbox } from './outbox.ts';
import { pipelineMetrics } from '../../../lib/metrics.ts';

export interface DeliveryWorkerOptions {
  outbox: DeliveryOutbox;
  channels: Channel[];
  logger: Logger;
  now?: () => number;
  /** Backoff between attempts of one delivery. @default 1 s doubling to 5 min, 12 attempts */
  retry?: { minDelayMs: number; maxDelayMs: number; maxAttempts: number };
  /** Consecutive failures after which a channel is reported as failing. @default 3 */
  failingAfter?: number;
  /** How often the outbox is read for work a crash or another instance left. @default 5000 */
  scanIntervalMs?: number;
  /** Told once per run of failures of a channel, so that people hear of it elsewhere. */
  onChannelFailing(channel: ChannelName, lastError: string, failures: number): void;
}

/** Finished deliveries remembered, so that an outbox read racing a delivery does not repeat it. */
const FINISHED_MEMORY = 10_000;

/**
 * Delivers the outbox in the background: each delivery is attempted when
 * due, retried with exponential backoff and jitter, and its every attempt
 * is written back to the outbox. Deliveries run independently, so a slow
 * or dead channel delays only its own deliveries and never the consumers.
 * After `maxAttempts` (or a permanent refusal) a delivery is marked failed
 * and logged as an error; a channel failing `failingAfter` times in a row
 * is reported through `onChannelFailing`. stop() waits for the attempts in
 * flight and records them, so a graceful restart repeats nothing.
 */
export class DeliveryWorker {
  readonly stats = { delivered: 0, failedAttempts: 0, gaveUp: 0 };
  private readonly queue = new Map<string, Delivery>();
  private readonly inFlight = new Map<string, Promise<void>>();
  private readonly finished = new Set<string>();
  private readonly unsaved = new Map<string, Delivery>();
  private readonly streaks = new Map<ChannelName, { failures: number; reported: boolean }>();
  private readonly channels: Map<ChannelName, Channel>;
  private readonly logger: Logger;
  private readonly now: () => number;
  private readonly retry;
  private scanTimer?: NodeJS.Timeout;
  private wakeTimer?: NodeJS.Timeout;
  private stopping = false;

  constructor(private readonly options: DeliveryWorkerOptions) {
    this.channels = new Map(options.channels.map((channel) => [channel.name, channel]));
    this.logger = options.logger.child({ component: 'notifier' });
    this.now = options.now ?? Date.now;
    this.retry = options.retry ?? { minDelayMs: 1_000, maxDelayMs: 300_000, maxAttempts: 12 };
  }

  /** Picks up what the outbox holds, then keeps reading it now and then. */
  async start(): Promise<void> {
    await this.scan();
    this.scanTimer = setInterval(() => {
      this.scan().catch((error: unknown) =>
        this.logger.warn({ err: errorMessage(error) }, 'reading the delivery outbox failed'),
      );
    }, this.options.scanIntervalMs ?? 5_000);
  }

  /** Stops taking new attempts and waits for those in flight to finish and be recorded. */
  async stop(): Promise<void> {
    this.stopping = true;
    clearInterval(this.scanTimer);
    clearTimeout(this.wakeTimer);
    await Promise.allSettled([...this.inFlight.values()]);
    await this.saveUnsaved();
  }

  /** Deliveries already written to the outbox, to attempt as soon as they are due. */
  add(deliveries: Delivery[]): void {
    for (const delivery of deliveries) {
      const key = keyOf(delivery);
      if (!this.inFlight.has(key) && !this.finished.has(key)) this.queue.set(key, delivery);
    }
    this.pump();
  }

  /** Deliveries waiting or in flight. */
  backlog(): number {
    return this.queue.size + this.inFlight.size;
  }

  private async scan(): Promise<void> {
    await this.saveUnsaved();
    const pending = await this.options.outbox.pending(this.now());
    this.add(pending.filter((delivery) => !this.queue.has(keyOf(delivery))));
  }

  /** Starts every due delivery that is not in flight and sets a timer for the next one. */
  private pump(): void {
    if (this.stopping) return;
    clearTimeout(this.wakeTimer);
    const now = this.now();
    let nextDue = Infinity;

    for (const [key, delivery] of this.queue) {
      if (delivery.nextAttemptAt > now) {
        nextDue = Math.min(nextDue, delivery.nextAttemptAt);
        continue;
      }
      this.queue.delete(key);
      const attempt = this.attempt(delivery).finally(() => {
        this.inFlight.delete(key);
        this.pump();
      });
      this.inFlight.set(key, attempt);
    }

    if (nextDue < Infinity) {
      this.wakeTimer = setTimeout(() => this.pump(), Math.max(0, nextDue - now));
    }
  }

  private async attempt(delivery: Delivery): Promise<void> {
    const channel = this.channels.get(delivery.channel);
    const log = { alertId: delivery.alert.alertId, channel: delivery.channel };
    let next: Delivery;
    if (!channel) {
      next = { ...delivery, status: 'failed', lastError: 'channel is no longer configured' };
    } else {
      next = await this.send(channel, delivery);
    }

    if (next.status === 'pending') this.queue.set(keyOf(next), next);
    else this.remember(keyOf(next));
    if (next.status === 'failed') {
      this.stats.gaveUp += 1;
      this.logger.error(
        { ...log, attempts: next.attempts, err: next.lastError },
        'alert delivery gave up',
      );
    }

    try {
      await this.options.outbox.save([next], this.now());
    } catch (error) {
      this.unsaved.set(keyOf(next), next);
      this.logger.warn({ ...log, err: errorMessage(error) }, 'recording a delivery failed');
    }
  }

  private async send(channel: Channel, delivery: Delivery): Promise<Delivery> {
    const attempts = delivery.attempts + 1;
    try {
      await channel.send(delivery.alert);
      pipelineMetrics()?.alertDeliveries.add(1, { channel: channel.name, outcome: 'delivered' });
      this.stats.delivered += 1;
      this.succeeded(channel.name);
      return { ...delivery, status: 'delivered', attempts, lastError: '' };
    } catch (error) {
      this.stats.failedAttempts += 1;
      pipelineMetrics()?.alertDeliveries.add(1, { channel: channel.name, outcome: 'failed' });
      const lastError = errorMessage(error);
      this.failed(channel.name, lastError);
      const giveUp = !isRetriable(error) || attempts >= this.retry.maxAttempts;
      const delayMs = this.backoff(attempts);
      this.logger.warn(
        {
          alertId: delivery.alert.alertId,
          channel: channel.name,
          attempts,
          delayMs,
          err: lastError,
        },
        giveUp ? 'alert delivery failed' : 'alert delivery failed; retrying',
      );
      return {
        ...delivery,
        status: giveUp ? 'failed' : 'pending',
        attempts,
        lastError,
        nextAttemptAt: this.now() + delayMs,
      };
    }
  }

  /** Exponential backoff with jitter between half and the whole of the step. */
  private backoff(attempts: number): number {
    const { minDelayMs, maxDelayMs } = this.retry;
    const ceiling = Math.min(maxDelayMs, minDelayMs * 2 ** (attempts - 1));
    return Math.round(ceiling / 2 + (Math.random() * ceiling) / 2);
  }

  private succeeded(channel: ChannelName): void {
    const streak = this.streaks.get(channel);
    if (streak?.reported) this.logger.info({ channel }, 'alert channel recovered');
    this.streaks.delete(channel);
  }

  private failed(channel: ChannelName, lastError: string): void {
    const streak = this.streaks.get(channel) ?? { failures: 0, reported: false };
    streak.failures += 1;
    this.streaks.set(channel, streak);
    if (streak.reported || streak.failures < (this.options.failingAfter ?? 3)) return;

    streak.reported = true;
    this.logger.error(
      { channel, failures: streak.failures, err: lastError },
      'alert channel failing',
    );
    this.options.onChannelFailing(channel, lastError, streak.failures);
  }

  private async saveUnsaved(): Promise<void> {
    if (this.unsaved.size === 0) return;
    const deliveries = [...this.unsaved.values()];
    await this.options.outbox.save(deliveries, this.now());
    for (const delivery of deliveries) this.unsaved.delete(keyOf(delivery));
  }

  private remember(key: string): void {
    this.finished.add(key);
    if (this.finished.size > FINISHED_MEMORY) {
      this.finished.delete(this.finished.values().next().value!);
    }
  }
}

function keyOf(delivery: Delivery): string {
  return `${delivery.alert.alertId}|${delivery.channel}`;
}
