import type { ChatMessage } from '../conversation/message.ts';
import type { ImportanceScorer } from '../strategies/importance.ts';
import { transcriptLine } from '../strategies/transcript.ts';
import type { ModelMeter } from '../tokens/token-counting.ts';
import type { CallRecorder } from './call-recorder.ts';
import { ModelCallError, type ChatClient, type PromptMessage } from './chat-client.ts';
import { recordedCompletion } from './recorded-call.ts';
import { errorMessage } from '../../lib/errors.ts';

export interface ModelScorerOptions {
  client: ChatClient;
  recorder: CallRecorder;
  meter: ModelMeter;
  contextTokens: number;
  /** Scores used for a batch the model could not score. */
  fallback: ImportanceScorer;
  /** Where the scorer notes what went wrong, for the result's warnings. */
  warnings: string[];
  /** Messages scored per call. @default 40 */
  batchSize?: number;
}

/** Characters of each message shown to the scorer: enough to judge, bounded per batch. */
const SHOWN_CHARS = 600;

/**
 * Asks the model to rate messages 0 to 10 for what the conversation needs
 * next, many messages per call. A batch the model answers badly (or not at
 * all) is scored by the local scorer instead, with a warning.
 */
export class ModelImportanceScorer implements ImportanceScorer {
  readonly method = 'model' as const;

  constructor(private readonly options: ModelScorerOptions) {}

  async score(messages: ChatMessage[], focus: string): Promise<number[]> {
    const batchSize = this.batchSize();
    let local: number[] | undefined;
    const scores: number[] = [];
    for (let start = 0; start < messages.length; start += batchSize) {
      const batch = messages.slice(start, start + batchSize);
      try {
        scores.push(...(await this.scoreBatch(batch, focus)));
      } catch (error) {
        this.options.warnings.push(
          `model scoring failed, local scores used: ${errorMessage(error)}`,
        );
        local ??= await this.options.fallback.score(messages, focus);
        scores.push(...local.slice(start, start + batch.length));
      }
    }
    return scores;
  }

  /** As many messages per call as fit the context with room for the answer. */
  private batchSize(): number {
    const perMessage = Math.ceil(SHOWN_CHARS / 2) + 8;
    const fit = Math.floor((this.options.contextTokens * 0.8) / perMessage);
    return Math.max(1, Math.min(this.options.batchSize ?? 40, fit));
  }

  private async scoreBatch(batch: ChatMessage[], focus: string): Promise<number[]> {
    const { client, recorder } = this.options;
    const listing = batch
      .map((message, index) => `${index + 1}. ${transcriptLine(message, SHOWN_CHARS)}`)
      .join('\n');
    const messages: PromptMessage[] = [
      {
        role: 'system',
        content:
          'Rate how much the conversation would lose without each numbered message, from 0 ' +
          '(nothing) to 10 (essential), given where it is heading. Answer with a JSON array of ' +
          `${batch.length} integers, one per message, in order, and nothing else.`,
      },
      { role: 'user', content: `Heading towards: ${focus.slice(0, 2_000)}\n\n${listing}` },
    ];
    const answer = await recordedCompletion(client, recorder, messages, 8 + batch.length * 4);
    return parseScores(answer, batch.length);
  }
}

function parseScores(text: string, expected: number): number[] {
  const match = /\[[^\]]*\]/.exec(text);
  const values: unknown = match ? JSON.parse(match[0]) : undefined;
  const valid =
    Array.isArray(values) &&
    values.length === expected &&
    values.every((value) => typeof value === 'number' && value >= 0 && value <= 10);
  if (!valid) {
    throw new ModelCallError(`scores not understood: ${text.slice(0, 100)}`, false, { expected });
  }
  return (values as number[]).map((value) => value / 10);
}
