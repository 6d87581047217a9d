import type { ModelEndpointConfig } from '../config.ts';
import { localContext } from '../strategies/local-context.ts';
import type { StrategyContext } from '../strategies/types.ts';
import type { MessageMeter, TokenCounting } from '../tokens/token-counting.ts';
import type { CallRecorder } from './call-recorder.ts';
import { ChatClient } from './chat-client.ts';
import { ModelImportanceScorer } from './model-scorer.ts';
import { ModelSummarizer } from './model-summarizer.ts';

/**
 * The configured model endpoint, shared by every request: it hands each
 * request a strategy context whose summariser and scorer call the model and
 * record each call under that request's tenant and touchpoint.
 */
export class ModelBackend {
  readonly client: ChatClient;

  constructor(
    readonly config: ModelEndpointConfig,
    private readonly counting: TokenCounting,
  ) {
    this.client = new ChatClient({
      url: config.url,
      model: config.model,
      apiKey: config.apiKey,
      timeoutMs: config.timeoutMs,
    });
  }

  /** A context for one request; `warnings` collects what went wrong on the way. */
  contextFor(meter: MessageMeter, recorder: CallRecorder, warnings: string[]): StrategyContext {
    const promptMeter = this.counting.meter(this.config.model);
    const shared = {
      client: this.client,
      recorder,
      meter: promptMeter,
      contextTokens: this.config.contextTokens,
    };
    const local = localContext(meter);
    return {
      meter,
      summarizer: new ModelSummarizer(shared),
      scorer: new ModelImportanceScorer({ ...shared, fallback: local.scorer, warnings }),
    };
  }
}
