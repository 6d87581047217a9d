import crypto from 'node:crypto';
import type { LlmCallInput, TokenUsage } from '../../schemas/llm-call.ts';

/** One model call a compaction made, to be priced like any other call. */
export interface ModelCall {
  model: string;
  usage: TokenUsage;
  durationMs: number;
  success: boolean;
  errorType?: string;
}

/** Who a request's model calls are charged to, and under which touchpoint. */
export interface CallAttribution {
  requestId: string;
  tenantId: string;
  userId: string;
  conversationId: string;
  touchpoint: string;
  strategy: string;
  provider: string;
}

/** Publishes the model calls of compactions (to llm.calls.v1 in the worker). */
export interface CallSink {
  record(input: LlmCallInput): Promise<unknown>;
}

/**
 * Records the model calls of one request as llm-call events. Event ids are
 * derived from the request id and the call's sequence number, so a request
 * processed twice (a redelivery after a crash) is counted once by pricing.
 */
export class CallRecorder {
  readonly totals = { calls: 0, inputTokens: 0, outputTokens: 0 };
  private sequence = 0;

  constructor(
    private readonly sink: CallSink,
    private readonly attribution: CallAttribution,
  ) {}

  async record(call: ModelCall): Promise<void> {
    const sequence = this.sequence++;
    this.totals.calls += 1;
    this.totals.inputTokens += call.usage.inputTokens + call.usage.cacheReadTokens;
    this.totals.outputTokens += call.usage.outputTokens + call.usage.reasoningTokens;

    const { requestId, tenantId, userId, conversationId, touchpoint, strategy, provider } =
      this.attribution;
    await this.sink.record({
      eventId: derivedUuid(`${requestId}:${sequence}`),
      tenantId,
      userId,
      conversationId,
      touchpoint,
      provider,
      model: call.model,
      usage: call.usage,
      durationMs: call.durationMs,
      success: call.success,
      errorType: call.errorType,
      attributes: { requestId, strategy, sequence: String(sequence) },
    });
  }
}

/** A UUID (version 8, RFC 9562's custom layout) made from the hash of a name. */
export function derivedUuid(name: string): string {
  const bytes = crypto.createHash('sha256').update(name).digest().subarray(0, 16);
  bytes[6] = (bytes[6]! & 0x0f) | 0x80;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  const parts = [
    hex.slice(0, 8),
    hex.slice(8, 12),
    hex.slice(12, 16),
    hex.slice(16, 20),
    hex.slice(20),
  ];
  return parts.join('-');
}
