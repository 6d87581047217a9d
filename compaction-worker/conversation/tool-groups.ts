import { makesPositionalCall, toolCallIds, toolResultIds, type ChatMessage } from './message.ts';

/**
 * Messages that must be kept or dropped together: an assistant message that
 * calls tools and every message that answers those calls. Three pairings are
 * recognised: OpenAI `tool_calls` ids answered by `tool` messages, Anthropic
 * `tool_use` blocks answered by `tool_result` blocks, and calls without ids
 * (legacy `function_call`, id-less tool calls) answered by the `function` or
 * id-less `tool` messages right after them.
 */
export interface ToolGroups {
  /** For each message, the index of its group in `groups`. */
  groupOf: number[];
  /** Message indexes of each group, ascending; groups ordered by first index. */
  groups: number[][];
  /** Results whose call is not in the conversation; they stand alone. */
  orphanResults: number[];
}

export function findToolGroups(messages: ChatMessage[]): ToolGroups {
  const parent = messages.map((_, index) => index);
  const find = (index: number): number => {
    while (parent[index] !== index) index = parent[index] = parent[parent[index]!]!;
    return index;
  };
  const join = (a: number, b: number) => {
    const [ra, rb] = [find(a), find(b)];
    if (ra !== rb) parent[Math.max(ra, rb)] = Math.min(ra, rb);
  };

  const callOwner = new Map<string, number>();
  const orphanResults: number[] = [];
  messages.forEach((message, index) => {
    for (const id of toolResultIds(message)) {
      const owner = callOwner.get(id);
      if (owner === undefined) orphanResults.push(index);
      else join(owner, index);
    }
    for (const id of toolCallIds(message)) callOwner.set(id, index);
    if (makesPositionalCall(message)) joinPositionalAnswers(messages, index, join);
  });

  return collect(messages.length, find, orphanResults);
}

/** An id-less call is answered by the id-less results that follow it directly. */
function joinPositionalAnswers(
  messages: ChatMessage[],
  callIndex: number,
  join: (a: number, b: number) => void,
): void {
  for (let next = callIndex + 1; next < messages.length; next++) {
    const message = messages[next]!;
    const positional =
      message.role === 'function' || (message.role === 'tool' && !message.tool_call_id);
    if (!positional) return;
    join(callIndex, next);
  }
}

function collect(
  count: number,
  find: (index: number) => number,
  orphanResults: number[],
): ToolGroups {
  const byRoot = new Map<number, number[]>();
  for (let index = 0; index < count; index++) {
    const root = find(index);
    const group = byRoot.get(root) ?? [];
    group.push(index);
    byRoot.set(root, group);
  }

  const groups = [...byRoot.values()].sort((a, b) => a[0]! - b[0]!);
  const groupOf = new Array<number>(count);
  groups.forEach((group, position) => group.forEach((index) => (groupOf[index] = position)));
  return { groupOf, groups, orphanResults: [...new Set(orphanResults)] };
}
