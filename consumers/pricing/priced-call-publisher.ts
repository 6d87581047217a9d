import { Partitioners, type Kafka, type Producer } from 'kafkajs';
import { sendInChunks } from '../../infra/chunked-send.ts';
import { kafkaError } from '../../infra/kafka-errors.ts';
import { AvroCodec } from '../../schemas/codec.ts';
import type { PricedCall } from '../../schemas/priced-call.ts';
import type { SchemaRegistry } from '../../schemas/registry.ts';
import type { SchemaTopic } from '../../schemas/schema-topic.ts';

/** Publishes priced calls and corrections to llm.costs.v1, keyed by tenant. */
export class PricedCallPublisher {
  readonly producer: Producer;
  private readonly codec: AvroCodec<PricedCall>;

  constructor(
    kafka: Kafka,
    registry: SchemaRegistry,
    private readonly topic: string,
    private readonly schemas?: SchemaTopic,
  ) {
    this.codec = new AvroCodec<PricedCall>(registry, 'priced-call');
    this.producer = kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      createPartitioner: Partitioners.DefaultPartitioner,
      // Retried until Kafka answers; the caller's batch waits uncommitted meanwhile.
      retry: { retries: Number.MAX_SAFE_INTEGER, initialRetryTime: 200, maxRetryTime: 5_000 },
    });
  }

  connect(): Promise<void> {
    return this.producer.connect();
  }

  disconnect(): Promise<void> {
    return this.producer.disconnect();
  }

  /** `headers[i]`, when given, go with `priced[i]` (its trace context). */
  async publish(priced: PricedCall[], headers: Record<string, string>[] = []): Promise<void> {
    if (priced.length === 0) return;
    await this.schemas?.publish([this.codec.schemaId]);
    const messages = priced.map((p, i) => {
      const encoded = this.codec.encode(p);
      return {
        key: p.call.tenantId,
        value: encoded.value,
        headers: { ...encoded.headers, ...headers[i] },
      };
    });
    try {
      await sendInChunks(this.producer, this.topic, messages);
    } catch (error) {
      throw kafkaError(error, 'publishing priced calls failed', { topic: this.topic });
    }
  }
}
