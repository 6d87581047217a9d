import { emptyUsage, UsageReader, type MappedUsage } from './usage-reader.ts';

/**
 * OpenTelemetry GenAI span attributes (`gen_ai.usage.*`). The semantic
 * conventions define `gen_ai.usage.input_tokens` as all input, cached tokens
 * included, so cache reads and writes are taken out of it. Some older
 * instrumentations copy Anthropic's cache-exclusive count into it instead;
 * when the total is smaller than its cache parts it cannot be a total, and
 * it is taken as the uncached input. Reasoning is read the same way against
 * the output total.
 */
export function usageFromOtelAttributes(attributes: Record<string, unknown>): MappedUsage {
  const reader = new UsageReader('OpenTelemetry gen_ai attributes', attributes);
  const usage = emptyUsage();

  usage.cacheReadTokens = firstCount(
    reader,
    'gen_ai.usage.cache_read_input_tokens',
    'gen_ai.usage.cache_read.input_tokens',
  );
  usage.cacheWriteTokens = firstCount(
    reader,
    'gen_ai.usage.cache_creation_input_tokens',
    'gen_ai.usage.cache_creation.input_tokens',
  );
  const input = reader.count('gen_ai.usage.input_tokens');
  const cached = usage.cacheReadTokens + usage.cacheWriteTokens;
  usage.inputTokens = input >= cached ? input - cached : input;

  usage.reasoningTokens = firstCount(
    reader,
    'gen_ai.usage.reasoning_tokens',
    'gen_ai.usage.reasoning.output_tokens',
  );
  const output = reader.count('gen_ai.usage.output_tokens');
  usage.outputTokens = output >= usage.reasoningTokens ? output - usage.reasoningTokens : output;

  const model = reader.text('gen_ai.response.model') ?? reader.text('gen_ai.request.model');
  reader.ignore('gen_ai.system', 'gen_ai.provider.name', 'gen_ai.operation.name');
  const unmapped = Object.fromEntries(
    Object.entries(reader.unmapped()).filter(([key]) => key.startsWith('gen_ai.usage.')),
  );
  return { usage, unmapped, model };
}

/** The first of several attribute names that is present, as a count. */
function firstCount(reader: UsageReader, ...names: string[]): number {
  const name = names.find((candidate) => reader.has(candidate)) ?? names[0]!;
  for (const other of names) reader.ignore(other);
  return reader.count(name);
}
