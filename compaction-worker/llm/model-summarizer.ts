import type { ModelMeter } from '../tokens/token-counting.ts';
import type { SummaryFocus, SummaryRequest, Summarizer } from '../strategies/summarizer.ts';
import { transcriptLine } from '../strategies/transcript.ts';
import type { CallRecorder } from './call-recorder.ts';
import { ModelCallError, type ChatClient, type PromptMessage } from './chat-client.ts';
import { recordedCompletion } from './recorded-call.ts';
import { splitIntoChunks } from './chunks.ts';

export interface ModelSummarizerOptions {
  client: ChatClient;
  recorder: CallRecorder;
  /** Counts the summariser's prompts (an estimate for models without a public tokenizer). */
  meter: ModelMeter;
  /** The summariser's context window: no call's prompt and answer together exceed it. */
  contextTokens: number;
}

/** Passes of chunk-and-combine before giving up: each pass shrinks the input many times. */
const MAX_PASSES = 6;
/** Room kept free in every call for the prompt's own framing and counting differences. */
const SAFETY = 0.05;

/**
 * Summarises with the configured model, never sending a prompt larger than
 * the summariser's context: a long input is cut into chunks that fit, each
 * chunk is summarised, and the partial summaries are combined the same way
 * until one summary remains. Every call is recorded for pricing.
 */
export class ModelSummarizer implements Summarizer {
  readonly method = 'model' as const;

  constructor(private readonly options: ModelSummarizerOptions) {}

  async summarize(request: SummaryRequest): Promise<string> {
    const lines = [
      ...request.previous.map((text) => `Earlier summary: ${text}`),
      ...request.messages.map((message) => transcriptLine(message)),
    ];
    return this.reduce(lines, request.maxTokens, request.focus, 0);
  }

  private async reduce(
    lines: string[],
    maxTokens: number,
    focus: SummaryFocus,
    pass: number,
  ): Promise<string> {
    const frame = this.options.meter.conversation(prompt('', maxTokens, focus));
    const limit = Math.floor(this.options.contextTokens * (1 - SAFETY)) - frame - maxTokens;
    if (limit < 2 * maxTokens) {
      throw new ModelCallError(
        `the summariser's context (${this.options.contextTokens} tokens) has no room to combine ` +
          `summaries of ${maxTokens} tokens`,
        false,
        { contextTokens: this.options.contextTokens, maxTokens },
      );
    }

    const chunks = splitIntoChunks(lines, limit, (text) => this.options.meter.text(text));
    if (chunks.length === 1) return this.call(chunks[0]!, maxTokens, focus);
    if (pass >= MAX_PASSES) {
      throw new ModelCallError('summaries did not converge', false, { passes: pass });
    }
    const partials: string[] = [];
    for (const chunk of chunks) partials.push(await this.call(chunk, maxTokens, focus));
    return this.reduce(
      partials.map((text) => `Part summary: ${text}`),
      maxTokens,
      focus,
      pass + 1,
    );
  }

  private call(text: string, maxTokens: number, focus: SummaryFocus): Promise<string> {
    const { client, recorder } = this.options;
    return recordedCompletion(client, recorder, prompt(text, maxTokens, focus), maxTokens);
  }
}

function prompt(transcript: string, maxTokens: number, focus: SummaryFocus): PromptMessage[] {
  const what =
    focus === 'outcomes'
      ? 'Keep only decisions made, results reached and commitments given, with the facts they ' +
        'rest on (names, numbers, ids, dates).'
      : 'Keep what the later conversation needs: facts, names, numbers, ids, dates, decisions, ' +
        'tool results and open questions, in the order they came.';
  return [
    {
      role: 'system',
      content:
        `You condense a transcript of a conversation for the assistant that continues it. ` +
        `${what} Write plain prose in at most ${maxTokens} tokens. Do not address the user.`,
    },
    { role: 'user', content: transcript },
  ];
}
