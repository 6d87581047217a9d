import { SpanKind } from '@opentelemetry/api';
import type { Kafka, Producer } from 'kafkajs';
import { contextFromHeaders, startSpan } from '../../lib/trace-context.ts';
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
      // Every partition's batch of a fetch at once, so that they share one evaluation pass.
      partitionsConsumedConcurrently: 6,
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
    const unique = new Map<string, ConsumedMessage<PricedCall>>();
    for (const item of items) {
      if (!unique.has(item.value.call.eventId)) unique.set(item.value.call.eventId, item);
    }
    const calls = [...unique.values()].map((item) => item.value);
    // Each call's trace goes on from pricing: this is where its spend meets the budgets.
    const spans = [...unique.values()].map((item) =>
      startSpan('llmcost.alerting.evaluate', {
        kind: SpanKind.CONSUMER,
        parent: contextFromHeaders(item.message.headers),
        attributes: { 'llmcost.event_id': item.value.call.eventId },
      }),
    );

    try {
      await this.options.budgets.onCalls(calls);
      this.options.spikes.mark(calls);
    } finally {
      for (const span of spans) span?.end();
    }
  }
}
