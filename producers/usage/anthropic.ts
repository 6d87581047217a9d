import { emptyUsage, serviceTierOf, UsageReader, type MappedUsage } from './usage-reader.ts';

/**
 * Anthropic messages. `input_tokens` already excludes cache reads and writes.
 * Cache writes are split into 5-minute and 1-hour writes where the response
 * says so (`cache_creation`); otherwise all of `cache_creation_input_tokens`
 * are 5-minute writes, Anthropic's default.
 */
export function usageFromAnthropic(source: unknown): MappedUsage {
  const reader = new UsageReader('Anthropic usage', source);
  const usage = emptyUsage();

  usage.inputTokens = reader.count('input_tokens');
  usage.cacheReadTokens = reader.count('cache_read_input_tokens');
  const writes = reader.count('cache_creation_input_tokens');
  if (
    reader.has('cache_creation.ephemeral_5m_input_tokens') ||
    reader.has('cache_creation.ephemeral_1h_input_tokens')
  ) {
    usage.cacheWriteTokens = reader.count('cache_creation.ephemeral_5m_input_tokens');
    usage.cacheWrite1hTokens = reader.count('cache_creation.ephemeral_1h_input_tokens');
    reader.remainder(
      writes,
      usage.cacheWriteTokens + usage.cacheWrite1hTokens,
      'cache_creation_input_tokens',
    );
  } else {
    usage.cacheWriteTokens = writes;
  }

  usage.outputTokens = reader.count('output_tokens');
  const serviceTier = serviceTierOf(reader.text('service_tier'));
  return { usage, unmapped: reader.unmapped(), serviceTier };
}
