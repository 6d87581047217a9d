import fc from 'fast-check';
import type { ChatMessage } from '../conversation/message.ts';
import { messageText } from '../conversation/message.ts';
import { summaryMessage } from '../conversation/summary-mark.ts';
import type { MessageMeter } from '../tokens/token-counting.ts';

const word = fc.constantFrom(
  'flight',
  'refund',
  'booking',
  'HAT136',
  'ok',
  'please',
  'the',
  '42',
  'why?',
  '日本',
  '🚀',
);
const text = fc.array(word, { minLength: 0, maxLength: 30 }).map((words) => words.join(' '));

/** One turn of a generated conversation: a few messages that belong together. */
const turn = (n: number): fc.Arbitrary<ChatMessage[]> =>
  fc.oneof(
    text.map((t) => [{ role: 'user', content: t, id: `u${n}` }] as ChatMessage[]),
    text.map((t) => [{ role: 'assistant', content: t, id: `a${n}` }] as ChatMessage[]),
    fc.tuple(fc.integer({ min: 1, max: 3 }), text).map(([calls, t]) => openAiCalls(n, calls, t)),
    text.map((t) => anthropicCall(n, t)),
    text.map((t) => positionalCall(n, t)),
  );

function openAiCalls(n: number, calls: number, result: string): ChatMessage[] {
  const ids = Array.from({ length: calls }, (_, i) => `call${n}_${i}`);
  return [
    {
      role: 'assistant',
      content: null,
      id: `a${n}`,
      tool_calls: ids.map((id) => ({
        id,
        type: 'function',
        function: { name: 'find', arguments: `{"q":"${id}"}` },
      })),
    },
    ...ids.map((id): ChatMessage => ({
      role: 'tool',
      tool_call_id: id,
      content: result,
      id: `t${id}`,
    })),
  ];
}

function anthropicCall(n: number, result: string): ChatMessage[] {
  return [
    {
      role: 'assistant',
      id: `a${n}`,
      content: [{ type: 'tool_use', id: `tu${n}`, name: 'find', input: { n } }],
    },
    {
      role: 'user',
      id: `r${n}`,
      content: [{ type: 'tool_result', tool_use_id: `tu${n}`, content: result }],
    },
  ];
}

function positionalCall(n: number, result: string): ChatMessage[] {
  return [
    {
      role: 'assistant',
      id: `a${n}`,
      content: null,
      function_call: { name: 'find', arguments: '{}' },
    },
    { role: 'function', id: `f${n}`, name: 'find', content: result },
  ];
}

/**
 * Conversations as the worker meets them: an optional system message, an
 * optional earlier summary, then turns of every kind (plain messages, OpenAI
 * parallel tool calls, Anthropic tool blocks, positional function calls),
 * some messages pinned.
 */
export const conversationArb: fc.Arbitrary<ChatMessage[]> = fc
  .record({
    system: fc.boolean(),
    summary: fc.boolean(),
    turns: fc.array(fc.nat(), { minLength: 0, maxLength: 14 }),
    pins: fc.array(fc.nat(), { maxLength: 2 }),
  })
  .chain(({ system, summary, turns, pins }) =>
    fc.tuple(...turns.map((_, n) => turn(n))).map((groups) => {
      const messages: ChatMessage[] = groups.flat();
      for (const pin of pins) {
        if (messages.length > 0) messages[pin % messages.length]!.pinned = true;
      }
      if (summary) {
        messages.unshift({
          ...summaryMessage('earlier things happened', ['x1', 'x2'], 'local', 'sliding-window'),
          id: 'sigma',
        });
      }
      if (system) messages.unshift({ role: 'system', content: 'Be brief.', id: 'sys' });
      return messages;
    }),
  );

/** Two branches that share a beginning, each going on with turns of its own. */
export const branchesArb: fc.Arbitrary<{ main: ChatMessage[]; branch: ChatMessage[] }> = fc
  .tuple(conversationArb, fc.nat(), conversationArb)
  .map(([main, cut, rest]) => {
    const shared = main.slice(0, main.length === 0 ? 0 : cut % (main.length + 1));
    const own = rest
      .filter((message) => message.role !== 'system')
      .map((message) => ({ ...message, id: message.id ? `b-${message.id}` : undefined }));
    return { main, branch: [...shared, ...renameCalls(own)] };
  });

/** Gives the branch's own tool calls ids of their own so they never pair with main's. */
function renameCalls(messages: ChatMessage[]): ChatMessage[] {
  return JSON.parse(JSON.stringify(messages).replace(/"(call|tu)(\d)/g, '"b$1$2'));
}

/** A meter whose sizes vary with the text: 3 tokens of framing plus one per word. */
export const wordMeter: MessageMeter = {
  estimate: false,
  message: (message) => 3 + messageText(message).split(/\s+/).filter(Boolean).length,
  fixed: () => 3,
};
