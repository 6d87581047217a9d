import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPriceBook } from '../consumers/pricing/create-price-book.ts';
import { priceCall } from '../consumers/pricing/pricer.ts';
import type { PricingConsumer } from '../consumers/pricing/pricing-consumer.ts';
import { CostEventProducer } from '../producers/cost-event-producer.ts';
import {
  usageFromAny,
  usageFromAnthropicStream,
  type MappedUsage,
} from '../producers/usage/index.ts';
import { parseLlmCall, totalInputTokens, type LlmCall } from '../schemas/llm-call.ts';
import type { TopicNames } from '../infra/topics.ts';
import { spawnCli } from './helpers/cli.ts';
import { scaled } from './helpers/decimal.ts';
import {
  freshStore,
  freshTopics,
  queryRows,
  testKafka,
  testLogger,
  waitFor,
} from './helpers/infra.ts';
import { startPricingConsumer } from './helpers/pipeline.ts';
import { casePricesFile, pricingCaseEvents, type CaseEvent } from './helpers/pricing-cases.ts';

const events = pricingCaseEvents();
const pricesFile = casePricesFile();

/** A streamed Anthropic call as its events arrive; without the delta, the usage never came. */
function anthropicStream(
  event: CaseEvent,
  withFinalUsage: boolean,
): MappedUsage & { status: string } {
  const usage = event.usage as { input_tokens: number; output_tokens: number };
  const chunks = [
    {
      type: 'message_start',
      message: {
        model: event.model,
        usage: { input_tokens: usage.input_tokens, output_tokens: 1 },
      },
    },
    { type: 'content_block_delta', delta: { type: 'text_delta', text: 'hello' } },
    ...(withFinalUsage
      ? [{ type: 'message_delta', usage: { output_tokens: usage.output_tokens } }]
      : []),
  ];
  return usageFromAnthropicStream(chunks);
}

function callOf(event: CaseEvent, withFinalUsage = true): LlmCall {
  const mapped = event.stream ? anthropicStream(event, withFinalUsage) : usageFromAny(event.usage);
  return parseLlmCall({
    eventId: crypto.randomUUID(),
    tenantId: event.caseId,
    touchpoint: 'cases',
    provider: event.provider,
    model: event.model,
    occurredAt: event.occurredAt,
    usage: mapped.usage,
    usageStatus: 'status' in mapped ? (mapped.status as 'reported' | 'missing') : 'reported',
    unmappedUsage: mapped.unmapped,
  });
}

describe('pricing cases from public bug reports', () => {
  const book = createPriceBook(pricesFile, testLogger);

  it.each(events.map((event) => [`${event.caseId} @ ${event.occurredAt}`, event] as const))(
    '%s: priced right by the pricing code',
    (_, event) => {
      const call = callOf(event);
      const priced = priceCall(call, book, Date.now());
      expect(priced.pricingStatus).toBe('priced');
      expect(scaled(priced.cost.totalUsd)).toBe(scaled(event.expected.costUsd));
      if (event.expected.totalInputTokens !== undefined) {
        expect(totalInputTokens(call.usage)).toBe(event.expected.totalInputTokens);
      }
      if (event.expected.reasoningTokens !== undefined) {
        expect(call.usage.reasoningTokens).toBe(event.expected.reasoningTokens);
      }
      if (event.expected.tier === 'base') expect(priced.priceVersion).not.toContain('above=');
    },
  );

  it('records a stream whose final usage never arrived as usage missing, not as free', () => {
    const event = events.find((e) => e.stream)!;
    const priced = priceCall(callOf(event, false), book, Date.now());
    expect(priced.pricingStatus).toBe('usage_missing');
    expect(priced.unpricedReason).toMatch(/never arrived/);
  });

  it('gives the same answers through `llmcost price`', async () => {
    const answers = [];
    for (const event of events.filter((e) => !e.stream)) {
      const cli = spawnCli(
        [
          'price',
          '--provider',
          event.provider,
          '--model',
          event.model,
          '--usage',
          JSON.stringify(event.usage),
          '--at',
          event.occurredAt,
          '--prices',
          pricesFile,
          '--tenant',
          event.caseId,
          '--format',
          'json',
        ],
        {},
      );
      expect(await cli.exited, cli.output()).toBe(0);
      const result = JSON.parse(cli.output()) as { costUsd: string; pricingStatus: string };
      answers.push({
        id: event.caseId,
        status: result.pricingStatus,
        cost: scaled(result.costUsd),
        expected: scaled(event.expected.costUsd),
      });
    }
    for (const answer of answers) {
      expect(answer, answer.id).toMatchObject({ status: 'priced', cost: answer.expected });
    }
  });
});

describe('pricing cases through the pipeline', () => {
  const kafka = testKafka();
  let store: Awaited<ReturnType<typeof freshStore>>;
  let topics: TopicNames;
  let consumer: PricingConsumer;

  beforeAll(async () => {
    // The cases happened in 2025; keep them inside the raw-call retention.
    store = await freshStore(3650);
    topics = await freshTopics(kafka, 2);
    consumer = await startPricingConsumer(kafka, store, topics, {
      pricesFile,
      retentionDays: 3650,
    });
  });

  afterAll(async () => {
    await consumer?.stop();
    await store?.close();
  });

  it('stores each case call at the same cost as `llmcost price`', async () => {
    const calls = events.map((event) => ({ event, call: callOf(event) }));
    const missing = callOf(
      events.find((e) => e.stream)!,
      false,
    );
    const producer = new CostEventProducer({ kafka, topics, logger: testLogger });
    await producer.recordMany([...calls.map((c) => c.call), missing]);
    await producer.close();

    const rows = await waitFor('all case calls', async () => {
      const found = await queryRows(
        store,
        'SELECT event_id, cost_usd, pricing_status, ' + 'unpriced_requests FROM llm_calls',
      );
      return found.length === calls.length + 1 ? found : undefined;
    });
    const byId = new Map(rows.map((row) => [row.event_id, row]));
    for (const { event, call } of calls) {
      const row = byId.get(call.eventId)!;
      expect({ id: event.caseId, status: row.pricing_status, cost: scaled(row.cost_usd!) }).toEqual(
        { id: event.caseId, status: 'priced', cost: scaled(event.expected.costUsd) },
      );
    }
    expect(byId.get(missing.eventId)).toMatchObject({ pricing_status: 'usage_missing' });
    expect(Number(byId.get(missing.eventId)!.unpriced_requests)).toBe(1);
  });
});
