import type { LlmCallInput } from '../schemas/llm-call.ts';
import { usageFromResponse, type MappedUsage, type StreamUsage } from './usage/index.ts';

/** What a service knows about a call beside the provider's response. */
export type CallContext = Omit<
  LlmCallInput,
  'usage' | 'model' | 'usageStatus' | 'unmappedUsage'
> & {
  /** The model asked for; the response's own model name wins when it reports one. */
  model?: string;
};

/**
 * A call from a provider's non-streamed response body: its usage mapped to
 * our token classes, the model and service tier it reports, and every usage
 * field without a class kept in `unmappedUsage`.
 */
export function callFromResponse(body: unknown, context: CallContext): LlmCallInput {
  return callFromUsage(usageFromResponse(body), context, 'reported');
}

/** A call from the usage collected off a stream (see usage/streams.ts). */
export function callFromStream(stream: StreamUsage, context: CallContext): LlmCallInput {
  return callFromUsage(stream, context, stream.status);
}

function callFromUsage(
  mapped: MappedUsage,
  context: CallContext,
  status: 'reported' | 'missing',
): LlmCallInput {
  const model = mapped.model ?? context.model;
  return {
    ...context,
    model: model ?? '',
    serviceTier: context.serviceTier ?? mapped.serviceTier,
    usage: mapped.usage,
    usageStatus: status,
    unmappedUsage: mapped.unmapped,
  };
}
