import { emptyUsage, serviceTierOf, UsageReader, type MappedUsage } from './usage-reader.ts';

/**
 * OpenAI chat completions (and OpenAI-compatible APIs). `prompt_tokens` is the
 * whole input, cached, cache-written and audio tokens included;
 * `completion_tokens` the whole output, reasoning and audio included. Each
 * part is taken out of its total so that no token is counted twice.
 * DeepSeek reports its cache hits as `prompt_cache_hit_tokens` (and the rest
 * of the input as `prompt_cache_miss_tokens`), some versions beside
 * `cached_tokens` with the same count.
 */
export function usageFromOpenAIChat(source: unknown): MappedUsage {
  const reader = new UsageReader('OpenAI chat usage', source);
  const usage = emptyUsage();

  const cacheHits = reader.count('prompt_cache_hit_tokens');
  usage.cacheReadTokens = reader.count('prompt_tokens_details.cached_tokens') || cacheHits;
  usage.cacheWriteTokens = reader.count('prompt_tokens_details.cache_write_tokens');
  usage.audioInputTokens = reader.count('prompt_tokens_details.audio_tokens');
  usage.inputTokens = reader.remainder(
    reader.count('prompt_tokens'),
    usage.cacheReadTokens + usage.cacheWriteTokens + usage.audioInputTokens,
    'prompt_tokens',
  );

  usage.reasoningTokens = reader.count('completion_tokens_details.reasoning_tokens');
  usage.audioOutputTokens = reader.count('completion_tokens_details.audio_tokens');
  usage.outputTokens = reader.remainder(
    reader.count('completion_tokens'),
    usage.reasoningTokens + usage.audioOutputTokens,
    'completion_tokens',
  );

  // Derived totals and breakdowns of tokens already counted above. Image
  // tokens stay unmapped on purpose: some models price them on their own.
  reader.ignore(
    'total_tokens',
    'prompt_tokens_details.text_tokens',
    'completion_tokens_details.text_tokens',
    'prompt_cache_miss_tokens',
  );
  return { usage, unmapped: reader.unmapped() };
}

/**
 * OpenAI Responses API: `input_tokens` includes cached (and cache-written)
 * tokens, `output_tokens` includes reasoning tokens.
 */
export function usageFromOpenAIResponses(source: unknown): MappedUsage {
  const reader = new UsageReader('OpenAI Responses usage', source);
  const usage = emptyUsage();

  usage.cacheReadTokens = reader.count('input_tokens_details.cached_tokens');
  usage.cacheWriteTokens = reader.count('input_tokens_details.cache_write_tokens');
  usage.inputTokens = reader.remainder(
    reader.count('input_tokens'),
    usage.cacheReadTokens + usage.cacheWriteTokens,
    'input_tokens',
  );

  usage.reasoningTokens = reader.count('output_tokens_details.reasoning_tokens');
  usage.outputTokens = reader.remainder(
    reader.count('output_tokens'),
    usage.reasoningTokens,
    'output_tokens',
  );

  reader.ignore('total_tokens');
  return { usage, unmapped: reader.unmapped() };
}

/** The service tier an OpenAI response reports (`service_tier` on the body). */
export function openAIServiceTier(body: { service_tier?: unknown }): MappedUsage['serviceTier'] {
  return typeof body.service_tier === 'string' ? serviceTierOf(body.service_tier) : undefined;
}
