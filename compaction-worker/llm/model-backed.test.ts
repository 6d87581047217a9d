import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LlmCallInput } from '../../schemas/llm-call.ts';
import { loadCompactionConfig, type ModelEndpointConfig } from '../config.ts';
import type { ChatMessage } from '../conversation/message.ts';
import { isSummary } from '../conversation/summary-mark.ts';
import { loadAllConversations } from '../datasets/load-all.ts';
import { startFakeChatServer, type FakeChatServer } from '../testing/fake-chat-server.ts';
import { TokenCounting } from '../tokens/token-counting.ts';
import type { CompactionRequest } from '../worker/request.ts';
import { runCompaction } from '../worker/run-compaction.ts';
import { ModelBackend } from './model-backend.ts';

const counting = new TokenCounting();
const SUMMARISER = 'gpt-4o-mini';
let server: FakeChatServer;
afterAll(async () => {
  await server?.close();
  counting.close();
});
beforeAll(async () => {
  server = await startFakeChatServer({ meter: counting.meter(SUMMARISER) });
});

/** The calls a run recorded, as the cost-event producer would have received them. */
function sink() {
  const calls: LlmCallInput[] = [];
  return { calls, record: async (input: LlmCallInput) => calls.push(input) };
}

function endpoint(url: string, contextTokens = 128_000): ModelEndpointConfig {
  return {
    url,
    model: SUMMARISER,
    apiKey: 'test-key',
    provider: 'openai',
    contextTokens,
    timeoutMs: 30_000,
  };
}

function request(fields: Partial<CompactionRequest>): CompactionRequest {
  return {
    requestId: `r-${Math.random().toString(36).slice(2)}`,
    conversationId: 'c1',
    tenantId: 'acme',
    userId: 'u7',
    strategy: 'semantic',
    options: {},
    tokenBudget: 1_000,
    model: 'gpt-4o',
    requestedAt: 0,
    ...fields,
  };
}

const tau = loadAllConversations().find((c) => c.source === 'tau-bench' && c.messages.length > 60)!;

describe('model-backed strategies through an OpenAI-compatible endpoint', () => {
  it('semantic scores in batches and records each call under compaction:semantic', async () => {
    const calls = sink();
    const before = server.requests.length;
    const backend = new ModelBackend(endpoint(server.url), counting);
    const result = await runCompaction(request({ messages: tau.messages, tokenBudget: 4_000 }), {
      counting,
      model: backend,
      calls,
    });

    expect(result.method).toBe('model');
    expect(result.fitsBudget).toBe(true);
    const made = server.requests.slice(before);
    expect(made.length).toBeGreaterThan(0);
    expect(made.length).toBeLessThan(tau.messages.length / 10);
    expect(calls.calls).toHaveLength(made.length);
    expect(calls.calls[0]).toMatchObject({
      touchpoint: 'compaction:semantic',
      tenantId: 'acme',
      userId: 'u7',
      conversationId: 'c1',
      provider: 'openai',
      model: SUMMARISER,
      success: true,
    });
    expect(calls.calls.map((call) => call.usage?.inputTokens)).toEqual(
      made.map((r) => r.promptTokens),
    );
    expect(result.modelCalls).toBe(made.length);
    expect(result.modelInputTokens).toBe(made.reduce((sum, r) => sum + r.promptTokens, 0));
  });

  it.each([
    ['sliding-window', { summarise: true }, 'compaction:sliding-window'],
    ['hybrid', { summarise: true }, 'compaction:hybrid'],
  ])('%s summarises with the model under %s', async (strategy, options, touchpoint) => {
    const calls = sink();
    const backend = new ModelBackend(endpoint(server.url), counting);
    const result = await runCompaction(
      request({ strategy, options, messages: tau.messages, tokenBudget: 4_000 }),
      { counting, model: backend, calls },
    );
    const summary = result.messages.find(isSummary);
    expect(summary?.content).toMatch(/Condensed: /);
    expect(summary?.metadata?.compaction?.summary?.method).toBe('model');
    expect(new Set(calls.calls.map((call) => call.touchpoint))).toEqual(new Set([touchpoint]));
  });

  it('merge-moderate records its summary under compaction:merge-moderate', async () => {
    const calls = sink();
    const backend = new ModelBackend(endpoint(server.url), counting);
    const main = tau.messages.slice(0, 20);
    const branch = [
      ...tau.messages.slice(0, 8),
      ...tau.messages.slice(20).map((m) => ({ ...m, id: 'b' })),
    ];
    const result = await runCompaction(
      request({
        strategy: 'merge-moderate',
        main,
        branch: branch.map((m, i) => ({ ...m, id: `b${i}` })),
        tokenBudget: 3_500,
      }),
      { counting, model: backend, calls },
    );
    expect(result.method).toBe('model');
    expect(calls.calls.length).toBeGreaterThan(0);
    expect(calls.calls.every((call) => call.touchpoint === 'compaction:merge-moderate')).toBe(true);
  });

  it('makes no model call when compacting its own output again', async () => {
    const backend = new ModelBackend(endpoint(server.url), counting);
    const first = await runCompaction(
      request({
        strategy: 'hybrid',
        options: { summarise: true },
        messages: tau.messages,
        tokenBudget: 4_000,
      }),
      { counting, model: backend, calls: sink() },
    );
    const calls = sink();
    const second = await runCompaction(
      request({
        strategy: 'hybrid',
        options: { summarise: true },
        messages: first.messages,
        tokenBudget: 4_000,
      }),
      { counting, model: backend, calls },
    );
    expect(second.compacted).toBe(false);
    expect(second.messages).toEqual(first.messages);
    expect(calls.calls).toHaveLength(0);
  });
});

describe('case 11: the summariser never gets more than its context', () => {
  const vocabulary = 'flight booking refund baggage seat upgrade delay route fare member'.split(
    ' ',
  );
  const paragraph = (n: number) =>
    Array.from({ length: 400 }, (_, i) => vocabulary[(n * 7 + i * 13) % vocabulary.length]).join(
      ' ',
    );

  it('chunks 500k tokens for a 128k summariser and combines the parts', async () => {
    const messages: ChatMessage[] = Array.from({ length: 1_250 }, (_, n) => ({
      role: n % 2 === 0 ? 'user' : 'assistant',
      content: `${n}: ${paragraph(n)}`,
    }));
    const meter = counting.meter('gpt-4o');
    expect(meter.conversation(messages)).toBeGreaterThan(500_000);

    const before = server.requests.length;
    const backend = new ModelBackend(endpoint(server.url, 128_000), counting);
    const result = await runCompaction(
      request({
        strategy: 'sliding-window',
        options: { summarise: true, summaryMaxTokens: 2_000 },
        messages,
        tokenBudget: 20_000,
      }),
      { counting, model: backend, calls: sink() },
    );

    const made = server.requests.slice(before);
    expect(made.length).toBeGreaterThanOrEqual(5);
    for (const call of made)
      expect(call.promptTokens + call.maxTokens).toBeLessThanOrEqual(128_000);
    expect(result.summaryFailed).toBe(false);
    expect(result.messages.filter(isSummary)).toHaveLength(1);
    expect(result.tokensAfter).toBeLessThanOrEqual(20_000);
  });

  it('falls back to truncation, flagged, when the summariser fails', async () => {
    const failing = await startFakeChatServer({
      meter: counting.meter(SUMMARISER),
      failStatus: 500,
    });
    try {
      const calls = sink();
      const backend = new ModelBackend(endpoint(failing.url), counting);
      const result = await runCompaction(
        request({
          strategy: 'sliding-window',
          options: { summarise: true },
          messages: tau.messages,
          tokenBudget: 4_000,
        }),
        { counting, model: backend, calls },
      );
      expect(result.status).toBe('ok');
      expect(result.summaryFailed).toBe(true);
      expect(result.warnings.join(' ')).toMatch(/summary failed/);
      expect(result.messages.some(isSummary)).toBe(false);
      expect(result.dropped.length).toBeGreaterThan(0);
      expect(calls.calls.every((call) => call.success === false)).toBe(true);
      expect(failing.requests.length).toBe(3);
    } finally {
      await failing.close();
    }
  });
});

describe('a scoring batch the model cannot answer', () => {
  it('is scored locally, with a warning, and the result stays valid', async () => {
    const failing = await startFakeChatServer({
      meter: counting.meter(SUMMARISER),
      failStatus: 400,
    });
    try {
      const backend = new ModelBackend(endpoint(failing.url), counting);
      const result = await runCompaction(request({ messages: tau.messages, tokenBudget: 4_000 }), {
        counting,
        model: backend,
        calls: sink(),
      });
      expect(result.status).toBe('ok');
      expect(result.fitsBudget).toBe(true);
      expect(result.warnings.join(' ')).toMatch(/model scoring failed, local scores used/);
    } finally {
      await failing.close();
    }
  });
});

describe('configuration', () => {
  it('uses local methods without an endpoint and names a missing variable', () => {
    expect(loadCompactionConfig({}).endpoint).toBeUndefined();
    expect(() => loadCompactionConfig({ COMPACTION_LLM_URL: 'http://127.0.0.1:9/v1' })).toThrow(
      /COMPACTION_LLM_MODEL is missing/,
    );
    const config = loadCompactionConfig({
      COMPACTION_LLM_URL: 'http://127.0.0.1:9/v1',
      COMPACTION_LLM_MODEL: 'gpt-4o-mini',
    });
    expect(config.endpoint).toMatchObject({ provider: 'openai', contextTokens: 128_000 });
  });
});
