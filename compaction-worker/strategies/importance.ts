import type { ChatMessage } from '../conversation/message.ts';

/**
 * Scores how much a conversation would lose without each message, from 0
 * (nothing) to 1 (essential), given the text the conversation is heading
 * towards (its last user turn).
 */
export interface ImportanceScorer {
  readonly method: 'model' | 'local';
  score(messages: ChatMessage[], focus: string): Promise<number[]>;
}
