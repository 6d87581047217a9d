import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Partitioners } from 'kafkajs';
import type { PricingConsumer } from '../consumers/pricing/pricing-consumer.ts';
import { AvroCodec } from '../schemas/codec.ts';
import { parseLlmCall, type LlmCall } from '../schemas/llm-call.ts';
import { SchemaRegistry } from '../schemas/registry.ts';
import type { TopicNames } from '../infra/topics.ts';
import { freshStore, freshTopics, queryRows, testKafka, waitFor } from './helpers/infra.ts';
import { startPricingConsumer } from './helpers/pipeline.ts';

describe('bad events go to the dead-letter topic and the consumer goes on', () => {
  const kafka = testKafka();
  const codec = new AvroCodec<LlmCall>(new SchemaRegistry(), 'llm-call');
  let store: Awaited<ReturnType<typeof freshStore>>;
  let topics: TopicNames;
  let consumer: PricingConsumer;

  beforeAll(async () => {
    store = await freshStore();
    topics = await freshTopics(kafka, 1);
    consumer = await startPricingConsumer(kafka, store, topics);
  });

  afterAll(async () => {
    await consumer?.stop();
    await store?.close();
  });

  it('routes undecodable and invalid events with their reason, stores the good ones', async () => {
    const good = parseLlmCall({
      tenantId: 't1',
      touchpoint: 'main-chat',
      provider: 'openai',
      model: 'gpt-4o',
      usage: { inputTokens: 1_000, outputTokens: 100 },
    });
    // Valid Avro, but a field the validator refuses: a negative token count.
    const invalid = {
      ...good,
      eventId: crypto.randomUUID(),
      usage: { ...good.usage, outputTokens: -5 },
    };
    const future = { ...good, eventId: crypto.randomUUID(), occurredAt: Date.now() + 86_400_000 };
    const ancient = {
      ...good,
      eventId: crypto.randomUUID(),
      occurredAt: Date.parse('2023-11-16T18:15:46Z'),
    };
    const absurd = {
      ...good,
      eventId: crypto.randomUUID(),
      usage: { ...good.usage, inputTokens: 900_000_000 },
    };

    const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
    const garbage = {
      value: Buffer.from('not avro at all'),
      headers: { 'llmcost-schema': 'llm-call.v1' },
    };
    const unknownVersion = {
      value: codec.encode(good).value,
      headers: { 'llmcost-schema': 'llm-call.v9' },
    };
    await producer.send({
      topic: topics.calls,
      messages: [
        garbage,
        { value: Buffer.from('no header') },
        codec.encode(invalid),
        codec.encode(future),
        codec.encode(ancient),
        codec.encode(absurd),
        unknownVersion,
        codec.encode(good),
        codec.encode(good),
      ].map((message) => ({ key: 't1', ...message })),
    });
    await producer.disconnect();

    const letters = await readDeadLetters(topics, 7);
    expect(letters.map((l) => l.reason).sort()).toEqual([
      'future-timestamp',
      'invalid-field',
      'invalid-field',
      'missing-schema-header',
      'older-than-retention',
      'undecodable',
      'unknown-schema',
    ]);
    const invalidErrors = letters.filter((l) => l.reason === 'invalid-field').map((l) => l.error);
    expect(invalidErrors).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/usage\.outputTokens/),
        expect.stringMatching(/usage: 900000100 tokens for 1 request/),
      ]),
    );
    expect(letters.every((l) => l.source.startsWith(`${topics.calls}/0/`))).toBe(true);

    const rows = await waitFor('the good call', async () => {
      const found = await queryRows(store, 'SELECT event_id FROM llm_calls');
      return found.length > 0 ? found : undefined;
    });
    expect(rows).toEqual([{ event_id: good.eventId }]);

    // Counted once each batch is committed, just after its effects are visible.
    await waitFor('the counts', async () =>
      consumer.consumerStats.deadLetters === 7 && consumer.stats.duplicates === 1
        ? true
        : undefined,
    );
    expect(consumer.consumerStats.deadLettersByReason).toEqual({
      'invalid-field': 2,
      'unknown-schema': 1,
      'older-than-retention': 1,
      'future-timestamp': 1,
      'missing-schema-header': 1,
      undecodable: 1,
    });
  });

  async function readDeadLetters(names: TopicNames, count: number) {
    const letters: { reason: string; error: string; source: string }[] = [];
    const reader = kafka.consumer({ groupId: `${names.callsDlq}.reader` });
    await reader.connect();
    await reader.subscribe({ topic: names.callsDlq, fromBeginning: true });
    await reader.run({
      eachMessage: async ({ message }) => {
        const header = (name: string) => message.headers?.[name]?.toString() ?? '';
        letters.push({
          reason: header('llmcost-dlq-reason'),
          error: header('llmcost-dlq-error'),
          source: header('llmcost-dlq-source'),
        });
      },
    });
    await waitFor('dead letters', async () => (letters.length >= count ? true : undefined));
    await reader.disconnect();
    return letters;
  }
});
