import { metrics, type Attributes } from '@opentelemetry/api';
import { TOKEN_CLASSES, type TokenUsage } from '../schemas/call-fields.ts';
import { telemetryState } from './telemetry-state.ts';

const meter = () => metrics.getMeter('llm-cost-pipeline');

/**
 * The pipeline's instruments, made on first use (after the SDK started).
 * Names follow `llmcost.<area>.<measure>`; units as OpenTelemetry expects.
 */
function instruments() {
  const m = meter();
  return {
    costUsd: m.createCounter('llmcost.cost', {
      unit: 'USD',
      description: 'cost of LLM calls (a float: the exact figures are in ClickHouse)',
    }),
    tokens: m.createCounter('llmcost.tokens', {
      unit: '{token}',
      description: 'tokens of LLM calls by class',
    }),
    calls: m.createCounter('llmcost.calls', { unit: '{call}', description: 'LLM calls seen' }),
    batchSize: m.createHistogram('llmcost.consumer.batch_size', { unit: '{message}' }),
    insertDuration: m.createHistogram('llmcost.clickhouse.insert_duration', { unit: 'ms' }),
    deadLetters: m.createCounter('llmcost.consumer.dead_letters', { unit: '{message}' }),
    unpriced: m.createCounter('llmcost.pricing.unpriced', { unit: '{call}' }),
    duplicates: m.createCounter('llmcost.pricing.duplicates', { unit: '{call}' }),
    lag: m.createGauge('llmcost.consumer.lag', {
      unit: '{message}',
      description: 'messages behind the end of the partition, after the last batch',
    }),
    alertDeliveries: m.createCounter('llmcost.alerting.deliveries', { unit: '{delivery}' }),
    compactionDuration: m.createHistogram('llmcost.compaction.duration', { unit: 'ms' }),
    compactionReduction: m.createHistogram('llmcost.compaction.reduction', {
      unit: '1',
      description: 'share of the tokens removed',
    }),
  };
}

let created: ReturnType<typeof instruments> | undefined;

/** The instruments, or undefined when metrics are off (nothing to record, nothing to build). */
export function pipelineMetrics(): ReturnType<typeof instruments> | undefined {
  if (!telemetryState.metrics) return undefined;
  created ??= instruments();
  return created;
}

/** Cost and token counters of one call, by touchpoint, provider and model (tenant if enabled). */
export function recordCallMetrics(
  stage: 'producer' | 'pricing',
  call: {
    tenantId: string;
    touchpoint: string;
    provider: string;
    model: string;
    usage: TokenUsage;
  },
  costUsd: number | undefined,
): void {
  const instruments = pipelineMetrics();
  if (!instruments) return;

  const attributes: Attributes = {
    stage,
    touchpoint: call.touchpoint,
    provider: call.provider,
    model: call.model,
  };
  if (telemetryState.tenantAttribute) attributes.tenant = call.tenantId;
  instruments.calls.add(1, attributes);
  if (costUsd !== undefined) instruments.costUsd.add(costUsd, attributes);
  for (const name of TOKEN_CLASSES) {
    if (call.usage[name] > 0)
      instruments.tokens.add(call.usage[name], { ...attributes, class: name });
  }
}
