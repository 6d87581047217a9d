import { ValidationError } from '../../lib/errors.ts';
import { usageFromAnthropic } from './anthropic.ts';
import { usageFromGemini } from './gemini.ts';
import { openAIServiceTier, usageFromOpenAIChat, usageFromOpenAIResponses } from './openai.ts';
import { usageFromOtelAttributes } from './otel.ts';
import type { MappedUsage } from './usage-reader.ts';

export { usageFromAnthropic } from './anthropic.ts';
export { usageFromGemini } from './gemini.ts';
export { usageFromOpenAIChat, usageFromOpenAIResponses } from './openai.ts';
export { usageFromOtelAttributes } from './otel.ts';
export * from './streams.ts';
export type { MappedUsage } from './usage-reader.ts';

/**
 * Maps a usage object by its shape, which tells the APIs apart even for
 * OpenAI-compatible providers: `gen_ai.*` keys (OpenTelemetry),
 * `promptTokenCount` (Gemini), `prompt_tokens` (OpenAI chat), Anthropic's
 * cache fields, or `input_tokens` with OpenAI's details (Responses API).
 */
export function usageFromAny(source: unknown): MappedUsage {
  if (typeof source !== 'object' || source === null) {
    throw new ValidationError('usage', [{ path: '', message: 'usage must be a JSON object' }]);
  }
  const keys = Object.keys(source);
  if (keys.some((key) => key.startsWith('gen_ai.'))) {
    return usageFromOtelAttributes(source as Record<string, unknown>);
  }
  if ('promptTokenCount' in source || 'candidatesTokenCount' in source)
    return usageFromGemini(source);
  if ('prompt_tokens' in source || 'completion_tokens' in source)
    return usageFromOpenAIChat(source);
  if ('input_tokens_details' in source || 'output_tokens_details' in source) {
    return usageFromOpenAIResponses(source);
  }
  if ('input_tokens' in source || 'output_tokens' in source) return usageFromAnthropic(source);
  throw new ValidationError('usage', [
    {
      path: '',
      message:
        'not a usage object of a known ' +
        'provider: expected OpenAI, Anthropic, Gemini or OpenTelemetry gen_ai fields',
    },
  ]);
}

/**
 * Maps a whole, non-streamed response body: `usage` (OpenAI, Anthropic) or
 * `usageMetadata` (Gemini), with the model and service tier it reports.
 */
export function usageFromResponse(body: unknown): MappedUsage {
  const response = (body ?? {}) as Record<string, unknown>;
  const usage = response.usage ?? response.usageMetadata;
  if (usage === undefined) {
    throw new ValidationError('response', [
      { path: 'usage', message: 'the response has no usage' },
    ]);
  }
  const mapped = usageFromAny(usage);
  const model = (response.model ?? response.modelVersion) as string | undefined;
  return {
    ...mapped,
    model: model ?? mapped.model,
    serviceTier: mapped.serviceTier ?? openAIServiceTier(response),
  };
}
