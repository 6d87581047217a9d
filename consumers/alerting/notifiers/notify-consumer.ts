import type { Kafka, Producer } from 'kafkajs';
import type { TopicNames } from '../../../infra/topics.ts';
import type { Logger } from '../../../lib/logger.ts';
import { AvroCodec } from '../../../schemas/codec.ts';
import type { CostAlert } from '../../../schemas/cost-alert.ts';
import { SchemaRegistry } from '../../../schemas/registry.ts';
import { BatchConsumer, type ConsumedMessage } from '../../kit/batch-consumer.ts';
import { decodeWith } from '../decode.ts';
import type { ChannelName } from './channel.ts';
import type { ChannelSettings } from './channel-settings.ts';
import type { DeliveryWorker } from './delivery-worker.ts';
import type { Delivery, DeliveryOutbox } from './outbox.ts';

export interface NotifyConsumerOptions {
  kafka: Kafka;
  producer: Producer;
  topics: Pick<TopicNames, 'alerts' | 'alertsDlq'>;
  groupId: string;
  outbox: DeliveryOutbox;
  worker: DeliveryWorker;
  settings: ChannelSettings;
  logger: Logger;
  now: () => number;
}

/**
 * Reads cost.alerts.v1 and turns each alert into one delivery per channel
 * its type is routed to, written to the outbox before the offset is
 * committed, then handed to the delivery worker. An alert id that has
 * deliveries already (an alert raised twice by racing instances, or read
 * again after a crash) is skipped, so each channel gets it once.
 */
export class NotifyConsumer {
  readonly stats = { alerts: 0, repeats: 0, deliveries: 0 };
  private readonly consumer: BatchConsumer<CostAlert>;
  private readonly codec = new AvroCodec<CostAlert>(new SchemaRegistry(), 'cost-alert');

  constructor(private readonly options: NotifyConsumerOptions) {
    this.consumer = new BatchConsumer<CostAlert>({
      kafka: options.kafka,
      producer: options.producer,
      groupId: options.groupId,
      topic: options.topics.alerts,
      dlqTopic: options.topics.alertsDlq,
      logger: options.logger.child({ component: 'notify' }),
      decode: (message) => decodeWith(this.codec, message),
      handle: (items) => this.handle(items),
    });
  }

  isReady(): boolean {
    return this.consumer.isReady();
  }

  start(): Promise<void> {
    return this.consumer.start();
  }

  stop(): Promise<void> {
    return this.consumer.stop();
  }

  private async handle(items: ConsumedMessage<CostAlert>[]): Promise<void> {
    const alerts = new Map<string, CostAlert>();
    for (const { value } of items) alerts.set(value.alertId, value);
    const known = await this.options.outbox.known([...alerts.keys()]);

    const now = this.options.now();
    const deliveries: Delivery[] = [];
    for (const alert of alerts.values()) {
      if (known.has(alert.alertId)) continue;
      for (const channel of routeOf(alert, this.options.settings)) {
        deliveries.push({
          alert,
          channel,
          status: 'pending',
          attempts: 0,
          nextAttemptAt: now,
          lastError: '',
        });
      }
    }
    await this.options.outbox.save(deliveries, now);
    this.options.worker.add(deliveries);

    this.stats.alerts += alerts.size - known.size;
    this.stats.repeats += items.length - alerts.size + known.size;
    this.stats.deliveries += deliveries.length;
  }
}

/** The channels an alert goes to; a failing channel's own report skips that channel. */
export function routeOf(alert: CostAlert, settings: ChannelSettings): ChannelName[] {
  const channels = settings.routes[alert.type] ?? [];
  if (alert.type !== 'notifier.channel_failing') return channels;
  return channels.filter((channel) => channel !== alert.details.channel);
}
