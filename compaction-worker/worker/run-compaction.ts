import { CallRecorder, type CallSink } from '../llm/call-recorder.ts';
import type { ModelBackend } from '../llm/model-backend.ts';
import { createStrategy } from '../strategies/factory.ts';
import { localContext } from '../strategies/local-context.ts';
import { reduction } from '../strategies/reduction.ts';
import type { StrategyContext } from '../strategies/types.ts';
import { assertValid } from '../strategies/validator.ts';
import type { TokenCounting } from '../tokens/token-counting.ts';
import { strategyInput, type CompactionRequest, type CompactionResult } from './request.ts';

/** What running a compaction needs besides the request. */
export interface CompactionDeps {
  counting: TokenCounting;
  /** The model endpoint; undefined: local deterministic methods. */
  model?: ModelBackend;
  /** Where model calls are recorded (llm.calls.v1 in the worker). */
  calls: CallSink;
  now?: () => number;
}

/**
 * Runs one checked request: the named strategy with a model-backed or local
 * context, then the invariant validator on its outcome (a violation throws:
 * an invalid result is never published), then the figures of the result.
 */
export async function runCompaction(
  request: CompactionRequest,
  deps: CompactionDeps,
  progress?: StrategyContext['progress'],
): Promise<CompactionResult> {
  const now = deps.now ?? Date.now;
  const startedAt = now();
  const strategy = createStrategy(request.strategy);
  const input = strategyInput(request);
  const meter = deps.counting.meter(request.model);

  const warnings: string[] = [];
  const recorder = new CallRecorder(deps.calls, {
    requestId: request.requestId,
    tenantId: request.tenantId,
    userId: request.userId,
    conversationId: request.conversationId,
    touchpoint: strategy.touchpoint,
    strategy: strategy.name,
    provider: deps.model?.config.provider ?? 'none',
  });
  const context = deps.model
    ? deps.model.contextFor(meter, recorder, warnings)
    : localContext(meter);
  const outcome = await strategy.run(input, { ...context, progress });
  assertValid(strategy.name, input, outcome, meter);

  const finishedAt = now();
  return {
    requestId: request.requestId,
    conversationId: request.conversationId,
    tenantId: request.tenantId,
    strategy: strategy.name,
    model: request.model,
    status: 'ok',
    error: null,
    messages: outcome.messages,
    compacted: outcome.compacted,
    fitsBudget: outcome.fitsBudget,
    reason: outcome.reason ?? null,
    tokenBudget: request.tokenBudget,
    tokensBefore: outcome.tokensBefore,
    tokensAfter: outcome.tokensAfter,
    reduction: reduction(outcome.tokensBefore, outcome.tokensAfter),
    tokensEstimated: meter.estimate,
    method: outcome.method,
    summaryFailed: outcome.summaryFailed,
    dropped: outcome.dropped,
    summarised: outcome.summarised,
    truncated: outcome.truncated,
    warnings: [...outcome.warnings, ...warnings],
    ...modelFigures(recorder),
    startedAt,
    finishedAt,
    durationMs: finishedAt - startedAt,
  };
}

function modelFigures(recorder: CallRecorder) {
  return {
    modelCalls: recorder.totals.calls,
    modelInputTokens: recorder.totals.inputTokens,
    modelOutputTokens: recorder.totals.outputTokens,
  };
}

/** The result published for a request that could not be compacted. */
export function failedResult(
  fields: Pick<
    CompactionRequest,
    'requestId' | 'conversationId' | 'tenantId' | 'strategy' | 'model'
  > & {
    tokenBudget?: number;
  },
  error: string,
  now: () => number = Date.now,
): CompactionResult {
  const at = now();
  return {
    requestId: fields.requestId,
    conversationId: fields.conversationId,
    tenantId: fields.tenantId,
    strategy: fields.strategy,
    model: fields.model,
    status: 'failed',
    error,
    messages: [],
    compacted: false,
    fitsBudget: false,
    reason: null,
    tokenBudget: fields.tokenBudget ?? 0,
    tokensBefore: 0,
    tokensAfter: 0,
    reduction: 0,
    tokensEstimated: false,
    method: 'none',
    summaryFailed: false,
    dropped: [],
    summarised: [],
    truncated: [],
    warnings: [],
    modelCalls: 0,
    modelInputTokens: 0,
    modelOutputTokens: 0,
    startedAt: at,
    finishedAt: at,
    durationMs: 0,
  };
}
