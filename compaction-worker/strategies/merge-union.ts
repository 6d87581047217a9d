import { ValidationError } from '../../lib/errors.ts';
import { messageIdentities } from '../conversation/identity.ts';
import { isInstruction, type ChatMessage } from '../conversation/message.ts';
import type { PinList } from '../conversation/pins.ts';
import { isSummary } from '../conversation/summary-mark.ts';
import { findToolGroups } from '../conversation/tool-groups.ts';

/** Two branches made into one conversation, before any compaction. */
export interface Union {
  messages: ChatMessage[];
  /** Indexes of pinned messages (pinned in either copy, or named by the request). */
  pinned: Set<number>;
  /** How each message is named in results: `main:<id or #index>` or `branch:…`. */
  refs: string[];
  /** How many messages were the same message in both branches and appear once. */
  collapsed: number;
}

interface Side {
  name: 'main' | 'branch';
  messages: ChatMessage[];
  identities: string[];
}

interface Block {
  side: Side;
  /** Message indexes in the side: one message, or a tool call with its results. */
  indexes: number[];
  time: number | undefined;
}

/**
 * `merge-none`'s union: the shared beginning once (the longest prefix of
 * the same messages), then the rest of main, then the rest of the branch.
 * Nothing else is collapsed and nothing is reordered.
 */
export function appendUnion(main: ChatMessage[], branch: ChatMessage[], pins?: PinList): Union {
  const [a, b] = sides(main, branch);
  let shared = 0;
  while (
    shared < main.length &&
    shared < branch.length &&
    a.identities[shared] === b.identities[shared]
  ) {
    shared += 1;
  }
  const order = [
    ...main.map((_, index) => ({ side: a, index })),
    ...branch.slice(shared).map((_, offset) => ({ side: b, index: shared + offset })),
  ];
  return build(order, [a, b], pins, shared);
}

/**
 * The union the other merge strategies start from: every message once (the
 * same message in both branches collapses; a repeated turn with its own
 * identity stays), instructions first, then both branches interleaved by
 * `createdAt` with ties going to main. A tool call and its results move as
 * one block, so no other message lands between them. Without times, main's
 * messages come first.
 */
export function chronologicalUnion(
  main: ChatMessage[],
  branch: ChatMessage[],
  pins?: PinList,
): Union {
  const [a, b] = sides(main, branch);
  const emitted = new Set<string>();
  const order: { side: Side; index: number }[] = [];
  const emit = (block: Block) => {
    for (const index of block.indexes) {
      const identity = block.side.identities[index]!;
      if (emitted.has(identity)) continue;
      emitted.add(identity);
      order.push({ side: block.side, index });
    }
  };

  const [mainLead, mainBlocks] = splitInstructions(blocksOf(a));
  const [branchLead, branchBlocks] = splitInstructions(blocksOf(b));
  [...mainLead, ...branchLead].forEach(emit);

  let i = 0;
  let j = 0;
  const seen = (block: Block) =>
    block.indexes.every((index) => emitted.has(block.side.identities[index]!));
  while (i < mainBlocks.length || j < branchBlocks.length) {
    if (j < branchBlocks.length && seen(branchBlocks[j]!)) j += 1;
    else if (i < mainBlocks.length && seen(mainBlocks[i]!)) i += 1;
    else if (
      j >= branchBlocks.length ||
      (i < mainBlocks.length && mainFirst(mainBlocks[i]!, branchBlocks[j]!))
    ) {
      emit(mainBlocks[i++]!);
    } else {
      emit(branchBlocks[j++]!);
    }
  }
  const collapsed = main.length + branch.length - order.length;
  return build(order, [a, b], pins, collapsed);
}

function mainFirst(mainBlock: Block, branchBlock: Block): boolean {
  if (mainBlock.time === undefined || branchBlock.time === undefined) return true;
  return mainBlock.time <= branchBlock.time;
}

function sides(main: ChatMessage[], branch: ChatMessage[]): [Side, Side] {
  return [
    { name: 'main', messages: main, identities: messageIdentities(main) },
    { name: 'branch', messages: branch, identities: messageIdentities(branch) },
  ];
}

/** A side cut into blocks: each message alone, or the whole span of a tool call and results. */
function blocksOf(side: Side): Block[] {
  const { groupOf, groups } = findToolGroups(side.messages);
  const blocks: Block[] = [];
  for (let start = 0; start < side.messages.length;) {
    let end = start;
    for (let index = start; index <= end; index++)
      end = Math.max(end, groups[groupOf[index]!]!.at(-1)!);
    const indexes = Array.from({ length: end - start + 1 }, (_, offset) => start + offset);
    blocks.push({ side, indexes, time: timeOf(side.messages[start]!) });
    start = end + 1;
  }
  return blocks;
}

function splitInstructions(blocks: Block[]): [Block[], Block[]] {
  let lead = 0;
  while (lead < blocks.length) {
    const block = blocks[lead]!;
    const message = block.side.messages[block.indexes[0]!]!;
    if (block.indexes.length > 1 || !isInstruction(message) || isSummary(message)) break;
    lead += 1;
  }
  return [blocks.slice(0, lead), blocks.slice(lead)];
}

function timeOf(message: ChatMessage): number | undefined {
  if (typeof message.createdAt === 'number') return message.createdAt;
  if (typeof message.createdAt === 'string') return Date.parse(message.createdAt);
  return undefined;
}

/**
 * The union's messages, pins and names. A message pinned in either copy is
 * pinned in the union; when only the dropped copy carried the flag, the
 * survivor gets it.
 */
function build(
  order: { side: Side; index: number }[],
  both: [Side, Side],
  pins: PinList | undefined,
  collapsed: number,
): Union {
  const pinnedIdentities = pinnedOf(both, pins);
  const pinned = new Set<number>();
  const messages = order.map(({ side, index }, position) => {
    const message = side.messages[index]!;
    if (!pinnedIdentities.has(side.identities[index]!)) return message;
    pinned.add(position);
    return message.pinned ? message : { ...message, pinned: true };
  });
  const refs = order.map(
    ({ side, index }) => `${side.name}:${side.messages[index]!.id ?? `#${index}`}`,
  );
  return { messages, pinned, refs, collapsed };
}

/** Identities pinned by flag in either branch, or by the request (index into main, or id). */
function pinnedOf(both: [Side, Side], pins: PinList = []): Set<string> {
  const pinned = new Set<string>();
  for (const side of both) {
    side.messages.forEach((message, index) => {
      if (message.pinned) pinned.add(side.identities[index]!);
    });
  }

  const unknown: string[] = [];
  for (const pin of pins) {
    const found = both.flatMap((side) =>
      side.messages.flatMap((message, index) =>
        (typeof pin === 'number' ? side.name === 'main' && index === pin : message.id === pin)
          ? [side.identities[index]!]
          : [],
      ),
    );
    if (found.length === 0) unknown.push(String(pin));
    found.forEach((identity) => pinned.add(identity));
  }
  if (unknown.length > 0) {
    throw new ValidationError('pinned list', [
      { path: 'pinned', message: `no message with index (in main) or id ${unknown.join(', ')}` },
    ]);
  }
  return pinned;
}
