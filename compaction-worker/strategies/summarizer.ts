import type { ChatMessage } from '../conversation/message.ts';

/** What a summary is asked to keep. */
export type SummaryFocus = 'history' | 'outcomes';

export interface SummaryRequest {
  /** Texts of earlier summaries being folded in; their originals are never given again. */
  previous: string[];
  /** The newly evicted messages, oldest first. */
  messages: ChatMessage[];
  /** The most tokens the summary message may take. */
  maxTokens: number;
  /** `history`: what happened, in order; `outcomes`: decisions and results only. */
  focus: SummaryFocus;
  /** Tokens of the summary message that would carry this text. */
  measure: (text: string) => number;
}

/**
 * Writes the text of a summary. The model-backed one calls the configured
 * endpoint; the local one is extractive and deterministic. Either may
 * return text over `maxTokens`: the caller cuts it to fit.
 */
export interface Summarizer {
  readonly method: 'model' | 'local';
  summarize(request: SummaryRequest): Promise<string>;
}
