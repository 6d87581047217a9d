import type { Kafka, Producer } from 'kafkajs';
import type { TopicNames } from '../../infra/topics.ts';
import type { Logger } from '../../lib/logger.ts';
import { AvroCodec } from '../../schemas/codec.ts';
import type { PricedCall } from '../../schemas/priced-call.ts';
import { SchemaRegistry } from '../../schemas/registry.ts';
import { BatchConsumer, type ConsumedMessage } from '../kit/batch-consumer.ts';
import { decodeWith } from './decode.ts';
import type { BudgetMonitor } from './budget-monitor.ts';
import type { SpikeMonitor } from './spike-monitor.ts';

export interface CostsConsumerOptions {
  kafka: Kafka;
  producer: Producer;
  topics: Pick<TopicNames, 'costs' | 'costsDlq'>;
  groupId: string;
  budgets: BudgetMonitor;
  spikes: SpikeMonitor;
  logger: Logger;
}

/**
 * Reads llm.costs.v1 and hands each batch to the budget monitor (whose
 * alerts are published before the offsets are committed) and marks its
 * hours for the spike monitor. Repeats of an eventId, in a batch or across
 * batches, change nothing: spend is read back from the rollups, which hold
 * each eventId once.
 */
export class CostsConsumer {
  private readonly consumer: BatchConsumer<PricedCall>;
  private readonly codec = new AvroCodec<PricedCall>(new SchemaRegistry(), 'priced-call');

  constructor(private readonly options: CostsConsumerOptions) {
    this.consumer = new BatchConsumer<PricedCall>({
      kafka: options.kafka,
      producer: options.producer,
      groupId: options.groupId,
      topic: options.topics.costs,
      dlqTopic: options.topics.costsDlq,
      logger: options.logger.child({ component: 'alerting' }),
      partitionsConsumedConcurrently: 3,
      decode: (message) => decodeWith(this.codec, message),
      handle: (items) => this.handle(items),
    });
  }

  get stats() {
    return this.consumer.stats;
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

  private async handle(items: ConsumedMessage<PricedCall>[]): Promise<void> {
    const unique = new Map<string, PricedCall>();
    for (const { value } of items) {
      if (!unique.has(value.call.eventId)) unique.set(value.call.eventId, value);
    }
    const calls = [...unique.values()];
    await this.options.budgets.onCalls(calls);
    this.options.spikes.mark(calls);
  }
}
