import type { ChatMessage } from '../conversation/message.ts';
import { summaryMessage } from '../conversation/summary-mark.ts';
import type { MessageMeter } from '../tokens/token-counting.ts';

/**
 * The notation of shared/cases/compaction.md as message builders: S system,
 * U user, A assistant, A(c1, c2) a call of tools c1 and c2, T(c1) its result,
 * Σ a summary. Each message gets an id naming it, so tests compare ids.
 */
export const S = (text = 'You are helpful.'): ChatMessage => ({
  role: 'system',
  content: text,
  id: 'S',
});
export const U = (name: string, text = `question ${name}`): ChatMessage => ({
  role: 'user',
  content: text,
  id: name,
});
export const A = (name: string, text = `answer ${name}`): ChatMessage => ({
  role: 'assistant',
  content: text,
  id: name,
});
export const Acall = (name: string, ...calls: string[]): ChatMessage => ({
  role: 'assistant',
  content: null,
  id: name,
  tool_calls: calls.map((call) => ({
    id: call,
    type: 'function',
    function: { name: 'lookup', arguments: JSON.stringify({ key: call }) },
  })),
});
export const T = (call: string, text = `result of ${call}: 42 units`): ChatMessage => ({
  role: 'tool',
  tool_call_id: call,
  content: text,
  id: `T(${call})`,
});
export const Sigma = (words: number, covers: string[] = ['U1', 'A1']): ChatMessage => ({
  ...summaryMessage(
    Array.from({ length: words - 5 }, (_, i) => `w${i}`).join(' '),
    covers,
    'local',
    'sliding-window',
  ),
  id: 'Σ',
});

export const ids = (messages: ChatMessage[]) => messages.map((message) => message.id ?? '(new)');

/**
 * The meter of the cases: every message 10 tokens, no priming, except
 * summaries, which count one token per word so that a summary's size
 * matters (case 9).
 */
export const tenPerMessage: MessageMeter = {
  estimate: false,
  message: (message) =>
    message.metadata?.compaction?.summary && typeof message.content === 'string'
      ? message.content.split(/\s+/).filter(Boolean).length
      : 10,
  fixed: () => 0,
};
