export {
  BufferFullError,
  CostEventProducer,
  createCostEventProducer,
  UndeliveredEventsError,
  type CostEventProducerOptions,
} from './cost-event-producer.ts';
export { callFromResponse, callFromStream, type CallContext } from './from-response.ts';
export * from './usage/index.ts';
export { KNOWN_TOUCHPOINTS, TOUCHPOINT_PATTERN, type KnownTouchpoint } from './touchpoints.ts';
export type { LlmCall, LlmCallInput, TokenUsage } from '../schemas/llm-call.ts';
export { ValidationError } from '../lib/errors.ts';
export type { QuotaCheck } from './quota-view.ts';
export type { QuotaState, QuotaStatus } from '../schemas/quota-state.ts';
