import path from 'node:path';
import { readTrace } from '../cli/replay/azure-trace.ts';
import { packageRoot } from '../lib/config.ts';
import { uuidFrom } from '../lib/ids.ts';
import type { LlmCall } from '../schemas/llm-call.ts';

const MODELS = [
  { provider: 'openai', model: 'gpt-4o', touchpoint: 'main-chat' },
  { provider: 'openai', model: 'gpt-4.1-mini', touchpoint: 'merge-summarizer' },
  { provider: 'anthropic', model: 'claude-sonnet-4-5', touchpoint: 'compliance-engine' },
  { provider: 'google', model: 'gemini-2.5-flash', touchpoint: 'agent:global-regulatory' },
];

/**
 * `count` realistic calls: token counts cycle through the rows of the real
 * Azure conversation trace, spread over 50 tenants, 500 users and four
 * models, within the last 24 hours. Ids derive from the run, so that runs do
 * not collide.
 */
export function workload(count: number, run: string, now = Date.now()): LlmCall[] {
  const rows = readTrace(
    path.join(packageRoot, 'data/azure-llm-inference-2023/AzureLLMInferenceTrace_conv.csv'),
  ).rows;
  const calls: LlmCall[] = new Array(count);
  for (let i = 0; i < count; i++) {
    const row = rows[i % rows.length]!;
    const target = MODELS[i % MODELS.length]!;
    const cached = i % 3 === 0 ? Math.floor(row.contextTokens / 2) : 0;
    calls[i] = {
      eventId: uuidFrom(`bench|${run}|${i}`),
      occurredAt: now - ((i * 7_919) % 86_400_000),
      tenantId: `tenant-${String(i % 50).padStart(2, '0')}`,
      userId: `user-${i % 500}`,
      conversationId: null,
      touchpoint: target.touchpoint,
      provider: target.provider,
      model: target.model,
      serviceTier: 'standard',
      usage: {
        inputTokens: row.contextTokens - cached,
        cacheReadTokens: cached,
        cacheWriteTokens: 0,
        cacheWrite1hTokens: 0,
        outputTokens: row.generatedTokens,
        reasoningTokens: 0,
        audioInputTokens: 0,
        audioOutputTokens: 0,
      },
      usageStatus: 'reported',
      unmappedUsage: {},
      requestCount: 1,
      durationMs: 400 + (i % 900),
      success: true,
      errorType: null,
      attributes: {},
    };
  }
  return calls;
}
