import { TOKEN_CLASSES, type TokenUsage } from '../../schemas/llm-call.ts';
import type { ReportedUsage } from './chat-client.ts';

/**
 * OpenAI usage in the disjoint token classes of CONTRACTS.md: uncached
 * input is the prompt less cached and audio tokens; visible output is the
 * completion less reasoning and audio tokens.
 */
export function usageClasses(reported: ReportedUsage | undefined): TokenUsage {
  const usage = Object.fromEntries(TOKEN_CLASSES.map((name) => [name, 0])) as TokenUsage;
  if (!reported) return usage;

  const prompt = reported.prompt_tokens ?? 0;
  const completion = reported.completion_tokens ?? 0;
  const cached = reported.prompt_tokens_details?.cached_tokens ?? 0;
  const audioIn = reported.prompt_tokens_details?.audio_tokens ?? 0;
  const reasoning = reported.completion_tokens_details?.reasoning_tokens ?? 0;
  const audioOut = reported.completion_tokens_details?.audio_tokens ?? 0;

  usage.inputTokens = Math.max(0, prompt - cached - audioIn);
  usage.cacheReadTokens = cached;
  usage.audioInputTokens = audioIn;
  usage.outputTokens = Math.max(0, completion - reasoning - audioOut);
  usage.reasoningTokens = reasoning;
  usage.audioOutputTokens = audioOut;
  return usage;
}
