import { PipelineError } from '../../lib/errors.ts';
import { fingerprint, messageRef } from '../conversation/identity.ts';
import { isInstruction, isUserTurn, type ChatMessage } from '../conversation/message.ts';
import { resolvePins } from '../conversation/pins.ts';
import { isSummary } from '../conversation/summary-mark.ts';
import { findToolGroups } from '../conversation/tool-groups.ts';
import type { MessageMeter } from '../tokens/token-counting.ts';
import { unionFor } from './merge-strategies.ts';
import type {
  CompactionInput,
  CompactionOutcome,
  MergeStrategyName,
  StrategyName,
} from './types.ts';

/** The conversation a result is checked against: the path, or the union of a merge. */
interface Source {
  messages: ChatMessage[];
  pinned: Set<number>;
  refs: string[];
}

/** One broken invariant found in a compaction result. */
export class InvariantError extends PipelineError {
  constructor(
    readonly violations: string[],
    strategy: string,
  ) {
    super(`${strategy} broke compaction invariants: ${violations.join('; ')}`, {
      code: 'INVARIANT',
      context: { strategy, violations },
    });
  }
}

/**
 * Checks a result against the invariants every strategy owes (the issue's
 * list): instructions stay first, pinned messages survive, tool calls and
 * results stay together, the last user turn is kept, the budget holds or a
 * reason is given, input within limits comes back unchanged, at most one
 * marked summary and never as a user message, every message accounted for,
 * and the token figures are honest. Returns the violations, empty when valid.
 */
export function findViolations(
  strategy: StrategyName,
  input: CompactionInput,
  outcome: CompactionOutcome,
  meter: MessageMeter,
): string[] {
  const source = sourceOf(strategy, input);
  const violations: string[] = [];
  const fail = (message: string) => violations.push(message);
  if (source.messages.length === 0) {
    if (outcome.messages.length > 0) fail('empty input gave a non-empty output');
    return violations;
  }

  const matched = matchOutput(source, outcome, fail);
  const kept = new Set(matched.flatMap((index) => (index === undefined ? [] : [index])));
  checkInstructions(source, matched, fail);
  checkPinsAndLastUser(source, outcome, kept, fail);
  checkToolGroups(source, kept, fail);
  checkSummaries(outcome, fail);
  checkAccounting(source, outcome, kept, fail);
  checkFigures(input, source, outcome, meter, strategy, fail);
  return violations;
}

/** Throws an InvariantError listing every violation, if any. */
export function assertValid(
  strategy: StrategyName,
  input: CompactionInput,
  outcome: CompactionOutcome,
  meter: MessageMeter,
): void {
  const violations = findViolations(strategy, input, outcome, meter);
  if (violations.length > 0) throw new InvariantError(violations, strategy);
}

function sourceOf(strategy: StrategyName, input: CompactionInput): Source {
  if (input.kind === 'merge') return unionFor(strategy as MergeStrategyName, input);
  return {
    messages: input.messages,
    pinned: resolvePins(input.messages, input.pinned),
    refs: input.messages.map(messageRef),
  };
}

/**
 * The source index of each output message, in order; undefined for a new
 * summary or a cut turn. A kept message must be a source message unchanged,
 * and kept messages must keep their order.
 */
function matchOutput(
  source: Source,
  outcome: CompactionOutcome,
  fail: (message: string) => void,
): (number | undefined)[] {
  const prints = source.messages.map((message) => fingerprint(message));
  let next = 0;
  return outcome.messages.map((message, position) => {
    const print = fingerprint(message);
    const found = prints.indexOf(print, next);
    if (found >= 0) {
      next = found + 1;
      return found;
    }
    if (isSummary(message) || message.metadata?.compaction?.truncated) return undefined;
    fail(`output message ${position} is neither an input message in order nor a marked summary`);
    return undefined;
  });
}

function checkInstructions(
  source: Source,
  matched: (number | undefined)[],
  fail: (message: string) => void,
): void {
  let lead = 0;
  while (lead < source.messages.length && isInstruction(source.messages[lead]!)) {
    if (isSummary(source.messages[lead]!)) break;
    if (matched[lead] !== lead) fail(`instruction ${lead} is not kept in first place`);
    lead += 1;
  }
}

function checkPinsAndLastUser(
  source: Source,
  outcome: CompactionOutcome,
  kept: Set<number>,
  fail: (message: string) => void,
): void {
  for (const index of source.pinned) {
    if (!kept.has(index)) fail(`pinned message ${source.refs[index]} is missing`);
  }
  const lastUser = source.messages.findLastIndex(isUserTurn);
  const cut = outcome.truncated.includes(source.refs[lastUser] ?? '');
  if (lastUser >= 0 && !kept.has(lastUser) && !cut) {
    fail(`the last user turn ${source.refs[lastUser]} is missing`);
  }
  if (outcome.truncated.length > 0 && (!cut || outcome.truncated.length > 1)) {
    fail('only the last user turn may be cut');
  }
}

function checkToolGroups(source: Source, kept: Set<number>, fail: (message: string) => void): void {
  const { groups } = findToolGroups(source.messages);
  for (const group of groups) {
    const present = group.filter((index) => kept.has(index) || isCutTurn(source, kept, index));
    if (present.length > 0 && present.length < group.length) {
      fail(`tool call and results ${group.map((i) => source.refs[i]).join(', ')} split`);
    }
  }
}

/** The cut last user turn counts as kept for its tool group. */
function isCutTurn(source: Source, kept: Set<number>, index: number): boolean {
  return !kept.has(index) && index === source.messages.findLastIndex(isUserTurn);
}

function checkSummaries(outcome: CompactionOutcome, fail: (message: string) => void): void {
  const summaries = outcome.messages.filter(isSummary);
  if (summaries.length > 1) fail(`${summaries.length} summaries in the output; at most one`);
  if (summaries.some((message) => message.role === 'user')) fail('a summary became a user message');
}

function checkAccounting(
  source: Source,
  outcome: CompactionOutcome,
  kept: Set<number>,
  fail: (message: string) => void,
): void {
  const listed = new Set([...outcome.dropped, ...outcome.summarised, ...outcome.truncated]);
  source.messages.forEach((_, index) => {
    if (!kept.has(index) && !listed.has(source.refs[index]!)) {
      fail(`message ${source.refs[index]} left out without being listed as dropped or summarised`);
    }
  });
}

function checkFigures(
  input: CompactionInput,
  source: Source,
  outcome: CompactionOutcome,
  meter: MessageMeter,
  strategy: StrategyName,
  fail: (message: string) => void,
): void {
  const count = (messages: ChatMessage[]) =>
    messages.reduce((sum, message) => sum + meter.message(message), meter.fixed(input.tools));
  const after = count(outcome.messages);
  if (after !== outcome.tokensAfter) fail(`tokensAfter ${outcome.tokensAfter}, measured ${after}`);
  if (after > input.tokenBudget && (outcome.fitsBudget || !outcome.reason)) {
    fail(`output takes ${after} tokens, over the budget of ${input.tokenBudget}, with no reason`);
  }
  if (outcome.fitsBudget !== after <= input.tokenBudget)
    fail('fitsBudget disagrees with the figures');

  const sourceTokens = count(source.messages);
  const unchanged =
    outcome.messages.length === source.messages.length &&
    outcome.messages.every(
      (message, i) => fingerprint(message) === fingerprint(source.messages[i]!),
    );
  if (!outcome.compacted && !unchanged) fail('result says not compacted but the output differs');
  const keepLast = strategy === 'sliding-window' ? input.options?.keepLast : undefined;
  if (sourceTokens <= input.tokenBudget && keepLast === undefined && outcome.compacted) {
    fail('input within budget was compacted');
  }
}
