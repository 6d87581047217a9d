import type { MessageMeter } from '../tokens/token-counting.ts';
import { ExtractiveSummarizer } from './extractive-summarizer.ts';
import { LocalImportanceScorer } from './local-importance.ts';
import type { StrategyContext } from './types.ts';

/** The context of a compaction without a model: extractive summaries, local scoring. */
export function localContext(meter: MessageMeter): StrategyContext {
  return { meter, summarizer: new ExtractiveSummarizer(), scorer: new LocalImportanceScorer() };
}
