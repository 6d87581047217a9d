import { Partitioners, type Kafka, type Producer } from 'kafkajs';
import { sendInChunks } from '../../infra/chunked-send.ts';
import { kafkaError } from '../../infra/kafka-errors.ts';
import type { TopicNames } from '../../infra/topics.ts';
import { AvroCodec } from '../../schemas/codec.ts';
import type { CostAlert } from '../../schemas/cost-alert.ts';
import type { QuotaState } from '../../schemas/quota-state.ts';
import { SchemaRegistry } from '../../schemas/registry.ts';

/**
 * Publishes alerts to cost.alerts.v1, keyed by scope (or by id when an alert
 * has none): the alerts of one scope stay in the order they were raised, and
 * repeats of one alert land on one partition, where the notifier drops
 * them. Quota states go to the compacted quota.state.v1, keyed by budget id,
 * so that the topic keeps the latest state of each budget.
 */
export class AlertPublisher {
  private readonly producer: Producer;
  private readonly registry = new SchemaRegistry();
  private readonly alertCodec = new AvroCodec<CostAlert>(this.registry, 'cost-alert');
  private readonly quotaCodec = new AvroCodec<QuotaState>(this.registry, 'quota-state');

  constructor(
    kafka: Kafka,
    private readonly topics: Pick<TopicNames, 'alerts' | 'quotaState'>,
  ) {
    this.producer = kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      createPartitioner: Partitioners.DefaultPartitioner,
      retry: { retries: 10, initialRetryTime: 200, maxRetryTime: 5_000 },
    });
  }

  /** The producer, shared with the consumers for their dead letters. */
  get kafkaProducer(): Producer {
    return this.producer;
  }

  connect(): Promise<void> {
    return this.producer.connect();
  }

  disconnect(): Promise<void> {
    return this.producer.disconnect();
  }

  async alerts(alerts: CostAlert[]): Promise<void> {
    if (alerts.length === 0) return;
    const messages = alerts.map((alert) => ({
      key: alert.scope || alert.alertId,
      ...this.alertCodec.encode(alert),
    }));
    await this.send(this.topics.alerts, messages);
  }

  async quota(states: QuotaState[]): Promise<void> {
    if (states.length === 0) return;
    const messages = states.map((state) => ({
      key: state.budgetId,
      ...this.quotaCodec.encode(state),
    }));
    await this.send(this.topics.quotaState, messages);
  }

  /** Removes a deleted budget's state from the compacted topic. */
  async quotaTombstone(budgetId: string): Promise<void> {
    await this.send(this.topics.quotaState, [{ key: budgetId, value: null }]);
  }

  private async send(
    topic: string,
    messages: { key: string; value: Buffer | null; headers?: Record<string, string> }[],
  ): Promise<void> {
    try {
      await sendInChunks(this.producer, topic, messages);
    } catch (error) {
      throw kafkaError(error, 'publishing alerts failed', { topic, batchSize: messages.length });
    }
  }
}
