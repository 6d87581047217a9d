import { usageFromAnthropic } from './anthropic.ts';
import { usageFromGemini } from './gemini.ts';
import { usageFromOpenAIChat, usageFromOpenAIResponses } from './openai.ts';
import { emptyUsage, type MappedUsage } from './usage-reader.ts';

/** The usage of a streamed call, or `missing` when the stream ended without its final usage. */
export type StreamUsage = MappedUsage & { status: 'reported' | 'missing' };

type Chunk = Record<string, unknown>;

/** The JSON payloads of a server-sent-event stream (`data: …` lines), without `[DONE]`. */
export function parseServerSentEvents(text: string): Chunk[] {
  return text
    .split(/\r?\n/)
    .filter((line) => line.startsWith('data:'))
    .map((line) => line.slice(5).trim())
    .filter((data) => data && data !== '[DONE]')
    .map((data) => JSON.parse(data) as Chunk);
}

function missing(model?: string): StreamUsage {
  return { usage: emptyUsage(), unmapped: {}, model, status: 'missing' };
}

/**
 * OpenAI chat completions with `stream_options.include_usage`: the last chunk
 * has empty `choices` and the whole call's `usage`. Without it the stream
 * carries no usage at all.
 */
export function usageFromOpenAIChatStream(chunks: Chunk[]): StreamUsage {
  const model = chunks.find((chunk) => typeof chunk.model === 'string')?.model as string;
  const last = [...chunks].reverse().find((chunk) => chunk.usage);
  return last ? { ...usageFromOpenAIChat(last.usage), model, status: 'reported' } : missing(model);
}

const ENDS_OF_RESPONSE = new Set(['response.completed', 'response.incomplete', 'response.failed']);

/**
 * OpenAI Responses API streams: the event that ends the response carries its
 * usage, whether it completed, stopped short (`response.incomplete`, at
 * max_output_tokens) or failed; the tokens of the last two are billed too.
 */
export function usageFromOpenAIResponsesStream(chunks: Chunk[]): StreamUsage {
  const done = chunks.find(
    (chunk) => typeof chunk.type === 'string' && ENDS_OF_RESPONSE.has(chunk.type),
  );
  const response = done?.response as Chunk | undefined;
  if (!response?.usage) return missing(response?.model as string | undefined);
  return {
    ...usageFromOpenAIResponses(response.usage),
    model: response.model as string,
    status: 'reported',
  };
}

/**
 * Anthropic message streams: `message_start` carries the input side,
 * `message_delta` events the output count so far (cumulative, so the last
 * one wins). Without a `message_delta` the output never arrived.
 */
export function usageFromAnthropicStream(events: Chunk[]): StreamUsage {
  const start = events.find((event) => event.type === 'message_start')?.message as
    Chunk | undefined;
  const model = start?.model as string | undefined;
  const deltas = events.filter((event) => event.type === 'message_delta' && event.usage);
  const last = deltas.at(-1);
  if (!start?.usage || !last) return missing(model);

  const usage = { ...(start.usage as Chunk), ...(last.usage as Chunk) };
  return { ...usageFromAnthropic(usage), model, status: 'reported' };
}

/**
 * Gemini streams repeat `usageMetadata` as a running total on every chunk:
 * the last one is the call's usage, never their sum. A stream that never
 * reached a `finishReason` was cut off, so its last total is not final.
 */
export function usageFromGeminiStream(chunks: Chunk[]): StreamUsage {
  const model = [...chunks].reverse().find((chunk) => chunk.modelVersion)?.modelVersion as string;
  const last = [...chunks].reverse().find((chunk) => chunk.usageMetadata);
  const finished = chunks.some((chunk) =>
    (chunk.candidates as Chunk[] | undefined)?.some((candidate) => candidate.finishReason),
  );
  if (!last) return missing(model);

  const mapped = usageFromGemini(last.usageMetadata);
  return { ...mapped, model, status: finished ? 'reported' : 'missing' };
}
