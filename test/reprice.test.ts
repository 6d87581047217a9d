import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPriceBook } from '../consumers/pricing/create-price-book.ts';
import { LlmCallsSink } from '../consumers/pricing/llm-calls-sink.ts';
import { PricedCallPublisher } from '../consumers/pricing/priced-call-publisher.ts';
import type { PricingConsumer } from '../consumers/pricing/pricing-consumer.ts';
import { Repricer } from '../consumers/pricing/repricer.ts';
import type { TopicNames } from '../infra/topics.ts';
import { CostEventProducer } from '../producers/cost-event-producer.ts';
import { SchemaRegistry } from '../schemas/registry.ts';
import { scaled, tokenCost } from './helpers/decimal.ts';
import {
  freshStore,
  freshTopics,
  queryRows,
  testKafka,
  testLogger,
  waitFor,
} from './helpers/infra.ts';
import { startPricingConsumer } from './helpers/pipeline.ts';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'llmcost-reprice-'));
const pricesFile = path.join(dir, 'prices.json');
const O3_HISTORY = [
  {
    provider: 'openai',
    model: 'o3',
    validFrom: '2025-04-16T00:00:00Z',
    validTo: '2025-06-10T00:00:00Z',
    prices: { input: '10.00', cacheRead: '2.50', output: '40.00' },
  },
  {
    provider: 'openai',
    model: 'o3',
    validFrom: '2025-06-10T00:00:00Z',
    prices: { input: '2.00', cacheRead: '0.50', output: '8.00' },
  },
];
const LLAMA = {
  provider: 'self-hosted',
  model: 'llama-3.3-70b',
  prices: { input: '0.20', output: '0.60' },
};

describe('repricing stored calls', () => {
  const kafka = testKafka();
  let store: Awaited<ReturnType<typeof freshStore>>;
  let topics: TopicNames;
  let consumer: PricingConsumer;
  let publisher: PricedCallPublisher;
  let repricer: Repricer;

  beforeAll(async () => {
    fs.writeFileSync(pricesFile, JSON.stringify(O3_HISTORY));
    store = await freshStore(3650);
    topics = await freshTopics(kafka, 2);
    consumer = await startPricingConsumer(kafka, store, topics, {
      pricesFile,
      retentionDays: 3650,
    });
    publisher = new PricedCallPublisher(kafka, new SchemaRegistry(), topics.costs);
    await publisher.connect();
    repricer = new Repricer({
      client: store.client,
      sink: new LlmCallsSink(store.client),
      book: () => createPriceBook(pricesFile, testLogger),
      publish: (corrections) => publisher.publish(corrections),
      logger: testLogger,
    });

    const producer = new CostEventProducer({ kafka, topics, logger: testLogger });
    const call = (
      model: string,
      provider: string,
      occurredAt: string,
      input: number,
      output: number,
    ) => ({
      tenantId: 'acme',
      touchpoint: 'main-chat',
      provider,
      model,
      occurredAt,
      usage: { inputTokens: input, outputTokens: output },
    });
    await producer.recordMany([
      call('o3', 'openai', '2025-06-09T12:00:00Z', 1_000_000, 100_000),
      call('o3', 'openai', '2025-06-11T12:00:00Z', 1_000_000, 100_000),
      call('o3', 'openai', '2025-06-09T23:59:00Z', 1_000_000, 100_000),
      call('llama-3.3-70b', 'self-hosted', '2025-06-10T08:00:00Z', 500_000, 20_000),
      call('llama-3.3-70b', 'self-hosted', '2025-06-10T09:00:00Z', 300_000, 10_000),
    ]);
    await producer.close();
    await waitFor('the five calls', async () => {
      const [row] = await queryRows(store, 'SELECT count() AS n FROM llm_calls');
      return Number(row!.n) === 5 ? true : undefined;
    });
  });

  afterAll(async () => {
    await consumer?.stop();
    await publisher?.disconnect();
    await store?.close();
  });

  const range = {
    from: Date.parse('2025-06-01T00:00:00Z'),
    to: Date.parse('2025-07-01T00:00:00Z'),
  };
  const o3Cost =
    tokenCost(1_000_000n, '10') +
    tokenCost(100_000n, '40') +
    tokenCost(1_000_000n, '2') +
    tokenCost(100_000n, '8') +
    tokenCost(1_000_000n, '10') +
    tokenCost(100_000n, '40');
  const llamaCost = tokenCost(800_000n, '0.20') + tokenCost(30_000n, '0.60');

  async function totals() {
    const [raw] = await queryRows(
      store,
      'SELECT sum(cost_usd) AS cost, sum(request_count) AS n, ' +
        'sum(input_tokens) AS input, sum(unpriced_requests) AS unpriced FROM llm_calls',
    );
    const [daily] = await queryRows(
      store,
      'SELECT sum(cost_usd) AS cost, sum(requests) AS n, ' +
        'sum(input_tokens) AS input, sum(unpriced_requests) AS unpriced FROM cost_daily',
    );
    return { raw: raw!, daily: daily! };
  }

  it('leaves the self-hosted calls unpriced and counted as such until a price exists', async () => {
    const { raw, daily } = await totals();
    expect(scaled(raw.cost!)).toBe(o3Cost);
    expect(scaled(daily.cost!)).toBe(o3Cost);
    expect([Number(raw.unpriced), Number(daily.unpriced)]).toEqual([2, 2]);
  });

  it('prices them with corrections once a price is added, keeping every sum additive', async () => {
    fs.writeFileSync(pricesFile, JSON.stringify([...O3_HISTORY, LLAMA]));
    const dry = await repricer.run({ ...range, dryRun: true });
    expect(dry).toMatchObject({ examined: 5, corrections: 2, newlyPriced: 2, dryRun: true });
    expect((await totals()).raw.unpriced).toBe(2);

    const result = await repricer.run(range);
    expect(result).toMatchObject({ corrections: 2, newlyPriced: 2 });
    expect(scaled(result.changeUsd)).toBe(llamaCost);
    const { raw, daily } = await totals();
    for (const t of [raw, daily]) {
      expect(scaled(t.cost!)).toBe(o3Cost + llamaCost);
      expect([Number(t.n), Number(t.unpriced), Number(t.input)]).toEqual([5, 0, 3_800_000]);
    }
    const history = await queryRows(
      store,
      "SELECT kind, corrects_event_id != '' AS corrects, " +
        "price_version FROM llm_calls WHERE provider = 'self-hosted' ORDER BY kind, occurred_at",
    );
    expect(history.map((row) => row.kind)).toEqual(['call', 'call', 'correction', 'correction']);
    expect(history[2]!.price_version).toContain('overrides:prices.json#2');
  });

  it('adds nothing when run again, nor when a newer price row starts after the calls', async () => {
    expect((await repricer.run(range)).corrections).toBe(0);
    fs.writeFileSync(
      pricesFile,
      JSON.stringify([
        ...O3_HISTORY,
        LLAMA,
        {
          provider: 'openai',
          model: 'o3',
          validFrom: '2025-08-01T00:00:00Z',
          prices: { input: '1', output: '4' },
        },
      ]),
    );
    expect((await repricer.run(range)).corrections).toBe(0);
    expect(scaled((await totals()).daily.cost!)).toBe(o3Cost + llamaCost);
  });

  it('stays right when a price changes, goes away and comes back', async () => {
    // Runs after the cases above, on the same store: o3's three calls and llama's two.
    const dearer = { ...LLAMA, prices: { input: '0.40', output: '0.60' } };
    const llamaAt = (input: string) => tokenCost(800_000n, input) + tokenCost(30_000n, '0.60');
    const steps: [unknown[], bigint, number][] = [
      [[...O3_HISTORY, dearer], o3Cost + llamaAt('0.40'), 0],
      [O3_HISTORY, o3Cost, 2],
      [[...O3_HISTORY, dearer], o3Cost + llamaAt('0.40'), 0],
      [[...O3_HISTORY, LLAMA], o3Cost + llamaAt('0.20'), 0],
    ];
    for (const [prices, expected, unpriced] of steps) {
      fs.writeFileSync(pricesFile, JSON.stringify(prices));
      const result = await repricer.run(range);
      expect(result.corrections).toBe(2);
      const { raw, daily } = await totals();
      expect([scaled(raw.cost!), scaled(daily.cost!)]).toEqual([expected, expected]);
      expect([Number(raw.unpriced), Number(daily.unpriced)]).toEqual([unpriced, unpriced]);
    }
  });
});
