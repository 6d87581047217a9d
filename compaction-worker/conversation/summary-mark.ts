import type { ChatMessage } from './message.ts';

/** The opening words of every summary message, so a reader (and a model) knows what it is. */
export const SUMMARY_PREFIX = 'Summary of the earlier conversation';

/** True for a message that a compaction wrote to stand for older messages. */
export function isSummary(message: ChatMessage): boolean {
  return message.metadata?.compaction?.summary !== undefined;
}

/** The messages a summary stands for, as recorded in its mark. */
export function summaryCovers(message: ChatMessage): string[] {
  return message.metadata?.compaction?.summary?.covers ?? [];
}

/**
 * A summary message: a system message, so it is never mistaken for something
 * the user said, marked with what it covers so that a later compaction folds
 * it into the next summary instead of summarising its originals again.
 */
export function summaryMessage(
  text: string,
  covers: string[],
  method: 'model' | 'local',
  strategy: string,
): ChatMessage {
  return {
    role: 'system',
    content: `${SUMMARY_PREFIX}: ${text}`,
    metadata: { compaction: { summary: { covers, method, strategy } } },
  };
}
