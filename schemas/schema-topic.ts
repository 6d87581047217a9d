import crypto from 'node:crypto';
import { Partitioners, type Admin, type Kafka } from 'kafkajs';
import { errorMessage } from '../lib/errors.ts';
import type { Logger } from '../lib/logger.ts';
import type { SchemaRegistry } from './registry.ts';

/** Do not read the whole topic again for the same unknown id more often than this. */
const REFRESH_INTERVAL_MS = 30_000;
/** The schema topic is small; reading it never takes long unless its end is a gap. */
const READ_TIMEOUT_MS = 10_000;

/**
 * The compacted topic through which readers learn writer schemas they were
 * not shipped with. Every writer publishes the schemas it writes with (and
 * the ones they import) before its first message; a reader that meets an
 * unknown `llmcost-schema` header reads the topic and resolves the newer
 * writer's version to its own, as Avro allows, instead of dead-lettering.
 */
export class SchemaTopic {
  private readonly published = new Set<string>();
  private readonly lastRefresh = new Map<string, number>();

  constructor(
    private readonly kafka: Kafka,
    private readonly topic: string,
    private readonly registry: SchemaRegistry,
    private readonly logger: Logger,
  ) {}

  /**
   * Publishes schemas (and their imports) once per process, through a
   * producer of its own that gives up after a few tries: a missing schema
   * topic must not hold up the events themselves. A failure is logged.
   */
  async publish(ids: string[]): Promise<void> {
    const pending = this.withImports(ids).filter((id) => !this.published.has(id));
    if (pending.length === 0) return;

    const producer = this.kafka.producer({
      retry: { retries: 2 },
      createPartitioner: Partitioners.DefaultPartitioner,
    });
    try {
      await producer.connect();
      await producer.send({
        topic: this.topic,
        acks: -1,
        messages: pending.map((id) => ({ key: id, value: this.registry.source(id).text })),
      });
      for (const id of pending) this.published.add(id);
    } catch (error) {
      this.logger.warn(
        { topic: this.topic, schemas: pending, err: errorMessage(error) },
        'could not publish writer schemas; readers that lack them will dead-letter',
      );
    } finally {
      await producer.disconnect();
    }
  }

  /**
   * Reads the topic to its end when some of `ids` are unknown here, and
   * registers every schema found. Returns the ids still unknown.
   */
  async learn(ids: Iterable<string>): Promise<string[]> {
    const now = Date.now();
    const unknown = [...new Set(ids)].filter((id) => !this.registry.has(id));
    const due = unknown.filter((id) => now - (this.lastRefresh.get(id) ?? 0) > REFRESH_INTERVAL_MS);
    if (due.length === 0) return unknown;

    for (const id of due) this.lastRefresh.set(id, now);
    for (const [id, text] of await this.readAll()) {
      try {
        this.registry.add(id, text);
      } catch (error) {
        this.logger.warn(
          { topic: this.topic, schema: id, err: errorMessage(error) },
          'schema on the schema topic refused',
        );
      }
    }
    return unknown.filter((id) => !this.registry.has(id));
  }

  private withImports(ids: string[]): string[] {
    const all = new Set<string>();
    const visit = (id: string) => {
      if (all.has(id)) return;
      all.add(id);
      for (const dependency of this.registry.source(id).imports) visit(dependency);
    };
    ids.forEach(visit);
    return [...all];
  }

  /** Every key and value of the topic, read from the start to the current end. */
  private async readAll(): Promise<Map<string, string>> {
    const admin = this.kafka.admin();
    await admin.connect();
    const schemas = new Map<string, string>();
    try {
      const ends = await this.endOffsets(admin);
      if (ends.size === 0) return schemas;

      const groupId = `llmcost-schema-reader-${crypto.randomUUID()}`;
      const consumer = this.kafka.consumer({ groupId });
      await consumer.connect();
      try {
        await consumer.subscribe({ topic: this.topic, fromBeginning: true });
        await new Promise<void>((resolve) => {
          // A compacted log can end in offsets that hold no record any more.
          const giveUp = setTimeout(resolve, READ_TIMEOUT_MS);
          const done = () => {
            clearTimeout(giveUp);
            resolve();
          };
          void consumer.run({
            eachMessage: async ({ partition, message }) => {
              if (message.key && message.value) {
                schemas.set(message.key.toString(), message.value.toString());
              }
              const end = ends.get(partition);
              if (end !== undefined && BigInt(message.offset) + 1n >= end) ends.delete(partition);
              if (ends.size === 0) done();
            },
          });
        });
      } finally {
        await consumer.disconnect();
        await admin.deleteGroups([groupId]).catch(() => undefined);
      }
    } finally {
      await admin.disconnect();
    }
    return schemas;
  }

  private async endOffsets(admin: Admin): Promise<Map<number, bigint>> {
    const offsets = await admin.fetchTopicOffsets(this.topic);
    return new Map(
      offsets
        .filter((partition) => BigInt(partition.high) > BigInt(partition.low))
        .map((partition) => [partition.partition, BigInt(partition.high)]),
    );
  }
}
