import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PricingConsumer } from '../consumers/pricing/pricing-consumer.ts';
import { loadAllConversations } from '../compaction-worker/datasets/load-all.ts';
import { ModelBackend } from '../compaction-worker/llm/model-backend.ts';
import {
  startFakeChatServer,
  type FakeChatServer,
} from '../compaction-worker/testing/fake-chat-server.ts';
import { TokenCounting } from '../compaction-worker/tokens/token-counting.ts';
import type { CompactionWorker } from '../compaction-worker/worker/compaction-worker.ts';
import type { CompactionResult } from '../compaction-worker/worker/request.ts';
import type { TopicNames } from '../infra/topics.ts';
import {
  newRequest,
  resultReader,
  sendRequests,
  startWorker,
  type TopicReader,
} from './compaction-helpers.ts';
import { freshStore, freshTopics, queryRows, testKafka, waitFor } from './helpers/infra.ts';
import { startPricingConsumer } from './helpers/pipeline.ts';

const MODEL = 'gpt-4o-mini';
const kafka = testKafka('compaction-model-test');
const counting = new TokenCounting();
const conversation = loadAllConversations().find(
  (c) => c.source === 'tau-bench' && c.messages.length > 60,
)!;

describe('model calls of compactions are priced like any other call', () => {
  let server: FakeChatServer;
  let topics: TopicNames;
  let store: Awaited<ReturnType<typeof freshStore>>;
  let pricing: PricingConsumer;
  let worker: CompactionWorker;
  let results: TopicReader<CompactionResult>;

  beforeAll(async () => {
    server = await startFakeChatServer({ meter: counting.meter(MODEL) });
    topics = await freshTopics(kafka, 2);
    store = await freshStore();
    pricing = await startPricingConsumer(kafka, store, topics);
    const model = new ModelBackend(
      {
        url: server.url,
        model: MODEL,
        apiKey: undefined,
        provider: 'openai',
        contextTokens: 128_000,
        timeoutMs: 30_000,
      },
      counting,
    );
    worker = await startWorker(kafka, topics, counting, { model });
    results = await resultReader(kafka, topics).start();
  });

  afterAll(async () => {
    await results?.stop();
    await worker?.stop();
    await pricing?.stop();
    await store?.close();
    await server?.close();
  });

  it('stores each call in llm_calls under its tenant and touchpoint, with its usage', async () => {
    const semantic = newRequest({
      tenantId: 'tenant-sem',
      strategy: 'semantic',
      messages: conversation.messages,
      tokenBudget: 4_000,
    });
    const moderate = newRequest({
      tenantId: 'tenant-merge',
      strategy: 'merge-moderate',
      main: conversation.messages.slice(0, 30),
      branch: [
        ...conversation.messages.slice(0, 10),
        ...conversation.messages.slice(30).map((m, i) => ({ ...m, id: `b${i}` })),
      ],
      tokenBudget: 3_500,
    });
    await sendRequests(kafka, topics, [semantic, moderate]);

    const done = await results.waitFor(
      'both results',
      (r) => [semantic.requestId, moderate.requestId].includes(r.requestId),
      2,
    );
    expect(done.every((r) => r.status === 'ok' && r.method === 'model')).toBe(true);
    const calls = done.reduce((sum, r) => sum + r.modelCalls, 0);
    const promptTokens = server.requests.reduce((sum, r) => sum + r.promptTokens, 0);

    const rows = await waitFor('priced compaction calls', async () => {
      const found = await queryRows(
        store,
        `SELECT tenant_id, touchpoint, model, pricing_status, input_tokens,
                toString(cost_usd) AS cost
         FROM llm_calls WHERE touchpoint LIKE 'compaction:%' ORDER BY tenant_id`,
      );
      return found.length >= calls ? found : undefined;
    });
    expect(rows).toHaveLength(calls);
    expect(new Set(rows.map((row) => `${row.tenant_id} ${row.touchpoint}`))).toEqual(
      new Set(['tenant-merge compaction:merge-moderate', 'tenant-sem compaction:semantic']),
    );
    expect(rows.every((row) => row.model === MODEL && row.pricing_status === 'priced')).toBe(true);
    expect(rows.reduce((sum, row) => sum + Number(row.input_tokens), 0)).toBe(promptTokens);
    expect(rows.every((row) => Number(row.cost) > 0)).toBe(true);
    process.stdout.write(
      `\n${calls} compaction model calls priced, ${promptTokens} prompt tokens\n`,
    );
  });
});

describe('a slow request does not stall its partition', () => {
  it('keeps its place in the group while the model outlasts the session timeout', async () => {
    const slow = await startFakeChatServer({ meter: counting.meter(MODEL), delayMs: 9_000 });
    const topics = await freshTopics(kafka, 1);
    const model = new ModelBackend(
      {
        url: slow.url,
        model: MODEL,
        apiKey: undefined,
        provider: 'openai',
        contextTokens: 128_000,
        timeoutMs: 60_000,
      },
      counting,
    );
    const worker = await startWorker(kafka, topics, counting, { model, sessionTimeoutMs: 6_000 });
    const results = await resultReader(kafka, topics).start();
    try {
      const request = newRequest({
        strategy: 'semantic',
        messages: conversation.messages.slice(0, 30),
        tokenBudget: 2_500,
      });
      const after = newRequest({ messages: [{ role: 'user', content: 'next in line' }] });
      await sendRequests(kafka, topics, [request, after]);

      await results.waitFor(
        'the request after the slow one',
        (r) => r.requestId === after.requestId,
      );
      const [result] = results.items.filter((r) => r.requestId === request.requestId);
      expect(result?.method).toBe('model');
      expect(results.items.filter((r) => r.requestId === request.requestId)).toHaveLength(1);
      expect(slow.requests).toHaveLength(result!.modelCalls);
      expect(worker.consumerStats.retries).toBe(0);
    } finally {
      await results.stop();
      await worker.stop();
      await slow.close();
    }
  });
});

afterAll(() => counting.close());
