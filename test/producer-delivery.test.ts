import { afterAll, describe, expect, it } from 'vitest';
import { CostEventProducer } from '../producers/cost-event-producer.ts';
import { AvroCodec } from '../schemas/codec.ts';
import type { LlmCall } from '../schemas/llm-call.ts';
import { SchemaRegistry } from '../schemas/registry.ts';
import { freshTopics, testKafka, testLogger, waitFor } from './helpers/infra.ts';

const kafka = testKafka('producer-delivery');

/** The event ids on a topic so far, read from its beginning by a group of their own. */
async function follow(topic: string) {
  const seen = new Set<string>();
  const codec = new AvroCodec<LlmCall>(new SchemaRegistry(), 'llm-call');
  const consumer = kafka.consumer({ groupId: `${topic}.reader` });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ message }) => {
      seen.add(codec.decode(message.value, message.headers).eventId);
    },
  });
  return { seen, stop: () => consumer.disconnect() };
}

describe('the producer at a trickle', () => {
  const cleanup: (() => Promise<unknown>)[] = [];
  afterAll(async () => {
    for (const step of cleanup.reverse()) await step();
  });

  it('sends each call without a flush and without waiting for a full batch', async () => {
    // A service that records a call now and then must not hold it until a
    // thousand more have come (the batch size) or until it shuts down.
    const topics = await freshTopics(kafka, 3);
    const reader = await follow(topics.calls);
    cleanup.push(reader.stop);
    const producer = new CostEventProducer({ kafka, topics, logger: testLogger });
    cleanup.push(() => producer.close());

    for (let i = 0; i < 3; i++) {
      const { eventId } = await producer.record({
        tenantId: 'acme',
        touchpoint: 'support-chat',
        provider: 'openai',
        model: 'gpt-4o',
        usage: { inputTokens: 10 + i, outputTokens: 1 },
      });
      await waitFor(`call ${i + 1} on ${topics.calls}`, async () =>
        reader.seen.has(eventId) ? true : undefined,
      );
    }

    expect(reader.seen.size).toBe(3);
    expect(producer.stats.delivered).toBe(3);
  });
});
