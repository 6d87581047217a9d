import type { ChatMessage, ContentBlock } from '../conversation/message.ts';
import type { MessageMeter } from '../tokens/token-counting.ts';
import { unitTokens, type Analysis } from './analysis.ts';
import { cutMiddle, fitText } from './fit-text.ts';

/** A last user turn is never cut below this, so its question survives. */
const MIN_TURN_TOKENS = 32;
/** Characters kept when not even the shortest cut fits. */
const LAST_RESORT_CHARS = 200;

/**
 * Cuts the text of the last user turn when the kept messages exceed the
 * room and that turn is what makes them: it must be kept, so it is kept
 * shortened (its beginning and end, the cut marked), and marked truncated.
 * Pinned turns and turns already cut are left as they are.
 */
export function truncateLastUser(
  analysis: Analysis,
  keptUnits: Set<number>,
  room: number,
  meter: MessageMeter,
): { index: number; message: ChatMessage } | undefined {
  const keptTokens = unitTokens(analysis, keptUnits);
  const index = analysis.lastUser;
  if (keptTokens <= room || index === undefined) return undefined;
  const message = analysis.messages[index]!;
  if (analysis.pinned.has(index) || message.metadata?.compaction?.truncated) return undefined;

  const originalTokens = analysis.tokens[index]!;
  const target = Math.max(MIN_TURN_TOKENS, room - (keptTokens - originalTokens));
  const text = longestText(message);
  if (target >= originalTokens || !text) return undefined;

  const marker = (keep: number) =>
    `\n[… ${[...text.value].length - keep} characters cut to fit the token budget …]\n`;
  const cut = (value: string, keep: number) => cutMiddle(value, keep, marker(keep));
  const build = (value: string): ChatMessage => ({
    ...text.replace(value),
    metadata: { ...message.metadata, compaction: { truncated: { originalTokens } } },
  });
  const fitted =
    fitText(text.value, target, (value) => meter.message(build(value)), cut) ??
    cut(text.value, LAST_RESORT_CHARS);
  return { index, message: build(fitted) };
}

/** The message's longest text (its string content or its largest text block), replaceable. */
function longestText(
  message: ChatMessage,
): { value: string; replace: (value: string) => ChatMessage } | undefined {
  if (typeof message.content === 'string') {
    return { value: message.content, replace: (value) => ({ ...message, content: value }) };
  }
  const content: ContentBlock[] = Array.isArray(message.content) ? message.content : [];
  let best = -1;
  content.forEach((block, position) => {
    const length = block.type === 'text' ? (block.text ?? '').length : -1;
    if (length > 0 && (best < 0 || length > (content[best]!.text ?? '').length)) best = position;
  });
  if (best < 0) return undefined;
  return {
    value: content[best]!.text!,
    replace: (value) => ({
      ...message,
      content: content.map((block, position) =>
        position === best ? { ...block, text: value } : block,
      ),
    }),
  };
}
