import { isInstruction, isUserTurn, type ChatMessage } from '../conversation/message.ts';
import { messageRef } from '../conversation/identity.ts';
import { isSummary } from '../conversation/summary-mark.ts';
import { findToolGroups } from '../conversation/tool-groups.ts';
import type { MessageMeter } from '../tokens/token-counting.ts';
import type { ToolDefinition } from '../tokens/tool-definitions.ts';
import { mapYielding } from './yielding.ts';

/** Messages that stand or fall together: one message, or a tool call with its results. */
export interface Unit {
  /** Message indexes, ascending. */
  indexes: number[];
  tokens: number;
  /** Kept whatever the budget: leading instructions, pinned messages, the last user turn. */
  required: boolean;
  /** A summary written by an earlier compaction, folded into the next one. */
  summary: boolean;
}

/** A conversation measured and cut into units, which every path strategy starts from. */
export interface Analysis {
  messages: ChatMessage[];
  /** Tokens of each message, framing included. */
  tokens: number[];
  /** Tokens of the request besides its messages (reply priming, tool definitions). */
  fixed: number;
  total: number;
  units: Unit[];
  /** The unit of each message. */
  unitOf: number[];
  /** How many messages at the start are instructions (system, developer). */
  instructions: number;
  /** Index of the last message a person wrote, if any. */
  lastUser: number | undefined;
  pinned: Set<number>;
  refs: string[];
}

/**
 * Measures every message (yielding to the event loop between slices, so a
 * long conversation does not hold up Kafka heartbeats) and groups the
 * messages into units.
 */
export async function analyse(
  messages: ChatMessage[],
  pinned: Set<number>,
  meter: MessageMeter,
  tools: ToolDefinition[] | undefined,
): Promise<Analysis> {
  const tokens = await mapYielding(messages, (message) => meter.message(message));
  const fixed = meter.fixed(tools);
  const total = tokens.reduce((sum, count) => sum + count, fixed);

  let instructions = 0;
  while (instructions < messages.length) {
    const message = messages[instructions]!;
    if (!isInstruction(message) || isSummary(message)) break;
    instructions += 1;
  }
  const lastUser = lastIndexWhere(messages, isUserTurn);

  const { groups, groupOf } = findToolGroups(messages);
  const units = groups.map((indexes): Unit => {
    const required = indexes.some(
      (index) => index < instructions || pinned.has(index) || index === lastUser,
    );
    return {
      indexes,
      tokens: indexes.reduce((sum, index) => sum + tokens[index]!, 0),
      required,
      summary: !required && indexes.some((index) => isSummary(messages[index]!)),
    };
  });

  const refs = messages.map((message, index) => messageRef(message, index));
  return {
    messages,
    tokens,
    fixed,
    total,
    units,
    unitOf: groupOf,
    instructions,
    lastUser,
    pinned,
    refs,
  };
}

/** Tokens of a set of units. */
export function unitTokens(analysis: Analysis, units: Iterable<number>): number {
  let total = 0;
  for (const unit of units) total += analysis.units[unit]!.tokens;
  return total;
}

function lastIndexWhere<T>(items: T[], test: (item: T) => boolean): number | undefined {
  for (let index = items.length - 1; index >= 0; index--) if (test(items[index]!)) return index;
  return undefined;
}
