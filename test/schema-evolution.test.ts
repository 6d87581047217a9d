import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Partitioners } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PricingConsumer } from '../consumers/pricing/pricing-consumer.ts';
import type { TopicNames } from '../infra/topics.ts';
import { packageRoot } from '../lib/config.ts';
import { AvroCodec } from '../schemas/codec.ts';
import { parseLlmCall } from '../schemas/llm-call.ts';
import { SchemaRegistry } from '../schemas/registry.ts';
import { SchemaTopic } from '../schemas/schema-topic.ts';
import {
  freshStore,
  freshTopics,
  queryRows,
  testKafka,
  testLogger,
  waitFor,
} from './helpers/infra.ts';
import { startPricingConsumer } from './helpers/pipeline.ts';
import { scaled, tokenCost } from './helpers/decimal.ts';

/** A newer producer's schema: v1 plus an optional field this consumer has never seen. */
function writeV2Schema(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'llmcost-v2-'));
  const v1 = JSON.parse(
    fs.readFileSync(path.join(packageRoot, 'schemas/llm-call.v1.avsc'), 'utf8'),
  );
  const v2 = { ...v1, fields: [...v1.fields, { name: 'region', type: 'string', default: 'eu' }] };
  fs.writeFileSync(path.join(dir, 'llm-call.v2.avsc'), JSON.stringify(v2));
  return dir;
}

describe('schema evolution through the topics', () => {
  const kafka = testKafka();
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

  it('a consumer shipped with v1 reads events a newer producer wrote with v2', async () => {
    const v2 = new SchemaRegistry([path.join(packageRoot, 'schemas'), writeV2Schema()]);
    const codec = new AvroCodec(v2, 'llm-call', 2);
    await new SchemaTopic(kafka, topics.schemas, v2, testLogger).publish(['llm-call.v2']);
    const call = parseLlmCall({
      tenantId: 'evolved',
      touchpoint: 'main-chat',
      provider: 'openai',
      model: 'gpt-4o',
      usage: { inputTokens: 1_000, outputTokens: 100 },
    });

    const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
    await producer.send({
      topic: topics.calls,
      messages: [{ key: 'evolved', ...codec.encode({ ...call, region: 'us' }) }],
    });
    await producer.disconnect();

    const [row] = await waitFor('the v2 event stored', async () => {
      const rows = await queryRows(store, 'SELECT event_id, cost_usd, input_tokens FROM llm_calls');
      return rows.length > 0 ? rows : undefined;
    });
    expect(row!.event_id).toBe(call.eventId);
    expect(scaled(row!.cost_usd!)).toBe(tokenCost(1_000n, '2.5') + tokenCost(100n, '10'));
    expect(consumer.consumerStats.deadLetters).toBe(0);
  });
});
