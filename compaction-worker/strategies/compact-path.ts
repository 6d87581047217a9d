import { errorMessage } from '../../lib/errors.ts';
import { fingerprint } from '../conversation/identity.ts';
import type { ChatMessage } from '../conversation/message.ts';
import { SUMMARY_PREFIX, summaryCovers, summaryMessage } from '../conversation/summary-mark.ts';
import { unitTokens, type Analysis } from './analysis.ts';
import { cutTail, fitText } from './fit-text.ts';
import type { SummaryFocus } from './summarizer.ts';
import { truncateLastUser } from './truncate-turn.ts';
import type { CompactionOutcome, StrategyContext, StrategyName } from './types.ts';

/** A summary smaller than this says too little to be worth its framing. */
const MIN_SUMMARY_TOKENS = 16;

/** How a path strategy chooses, handed to the shared engine. */
export interface PathPlan {
  strategy: StrategyName;
  /** Summarise what is left out (and fold earlier summaries in) instead of dropping it. */
  summarise: boolean;
  /** Upper bound of the summary. @default a quarter of the budget, 32 to 4,000 tokens */
  summaryMaxTokens?: number;
  focus?: SummaryFocus;
  /** A limit besides the budget (a message count); true when the input is within it. */
  withinLimits?: (analysis: Analysis) => boolean;
  /** Units to leave out without summarising them (repeats of earlier messages). */
  discard?: Set<number>;
  /** True when `select` asks the importance scorer. */
  usesScorer?: boolean;
  /**
   * Chooses which candidate units to keep, their tokens adding up to at most
   * `room`. Candidates are neither required nor (when summarising) summaries.
   */
  select(analysis: Analysis, candidates: number[], room: number): Promise<Set<number>>;
}

/**
 * The engine every path strategy shares. Input within its limits comes back
 * untouched. Otherwise the required units are kept, the plan chooses among
 * the others within the room left (a summary's share reserved first), the
 * rest is summarised into one marked summary (earlier summaries folded in)
 * or dropped, and a last user turn too large for any budget is cut.
 */
export async function compactPath(
  analysis: Analysis,
  tokenBudget: number,
  plan: PathPlan,
  context: StrategyContext,
): Promise<CompactionOutcome> {
  const { meter } = context;
  const withinLimits = plan.withinLimits?.(analysis) ?? true;
  if (analysis.messages.length === 0 || (analysis.total <= tokenBudget && withinLimits)) {
    return unchanged(analysis, tokenBudget);
  }

  const available = tokenBudget - analysis.fixed;
  const unitIds = analysis.units.map((_, index) => index);
  const required = unitIds.filter((unit) => analysis.units[unit]!.required);
  const folded = plan.summarise ? unitIds.filter((unit) => analysis.units[unit]!.summary) : [];
  const discard = plan.discard ?? new Set<number>();
  const candidates = unitIds.filter(
    (unit) => !analysis.units[unit]!.required && !folded.includes(unit) && !discard.has(unit),
  );
  const requiredTokens = unitTokens(analysis, required);

  const cap = summaryCap(plan, available);
  const reserve = plan.summarise ? Math.max(0, Math.min(cap, available - requiredTokens)) : 0;
  const room = available - requiredTokens - reserve;
  const kept = room > 0 ? await plan.select(analysis, candidates, room) : new Set<number>();
  const evicted = candidates.filter((unit) => !kept.has(unit));
  const keptTokens = requiredTokens + unitTokens(analysis, kept);

  context.progress?.('selected', kept.size + required.length, analysis.units.length);
  const foldTokens = unitTokens(analysis, folded);
  const wantSummary = plan.summarise && (evicted.length > 0 || keptTokens + foldTokens > available);
  // Discarded units are simply gone: they never reach the summariser.
  const summary = wantSummary
    ? await writeSummary(
        analysis,
        evicted,
        folded,
        Math.min(cap, available - keptTokens),
        plan,
        context,
      )
    : undefined;

  // Earlier summaries not folded into a new one stay while they fit.
  const keepFolded = !summary?.message && keptTokens + foldTokens <= available;
  const keptUnits = new Set([...required, ...kept, ...(keepFolded ? folded : [])]);
  const messageBudget = available - (summary?.tokens ?? 0);
  const truncation = truncateLastUser(analysis, keptUnits, messageBudget, meter);

  const output = assemble(analysis, keptUnits, summary?.message, truncation);
  if (output.length === analysis.messages.length && !summary?.message && !truncation) {
    return unchanged(analysis, tokenBudget, requiredReason(requiredTokens, available));
  }

  const tokensAfter = output.reduce(
    (sum, entry) =>
      sum +
      (entry.index === undefined ? meter.message(entry.message) : analysis.tokens[entry.index]!),
    analysis.fixed,
  );
  const refsOf = (units: number[]) =>
    units.flatMap((unit) => analysis.units[unit]!.indexes.map((index) => analysis.refs[index]!));
  const leftRefs = refsOf(unitIds.filter((unit) => !keptUnits.has(unit) && !discard.has(unit)));
  const discarded = refsOf([...discard]);
  const fits = tokensAfter <= tokenBudget;
  return {
    messages: output.map((entry) => entry.message),
    compacted: true,
    tokensBefore: analysis.total,
    tokensAfter,
    fitsBudget: fits,
    reason: fits ? undefined : requiredReason(requiredTokens, available),
    dropped: summary?.message ? discarded : [...discarded, ...leftRefs],
    summarised: summary?.message ? leftRefs : [],
    truncated: truncation ? [analysis.refs[truncation.index]!] : [],
    warnings: summary?.warning ? [summary.warning] : [],
    method: usedModel(plan, context, summary?.asked ?? false) ? 'model' : 'local',
    summaryFailed: summary?.failed ?? false,
  };
}

/** The outcome for input returned as it came. */
export function unchanged(
  analysis: Analysis,
  tokenBudget: number,
  reasonIfOver = 'the conversation is over budget and the strategy removes nothing',
): CompactionOutcome {
  const fits = analysis.total <= tokenBudget;
  return {
    messages: analysis.messages,
    compacted: false,
    tokensBefore: analysis.total,
    tokensAfter: analysis.total,
    fitsBudget: fits,
    reason: fits ? undefined : reasonIfOver,
    dropped: [],
    summarised: [],
    truncated: [],
    warnings: [],
    method: 'none',
    summaryFailed: false,
  };
}

function summaryCap(plan: PathPlan, available: number): number {
  const share = Math.min(4_000, Math.max(32, Math.floor(available / 4)));
  return Math.min(plan.summaryMaxTokens ?? share, Math.max(0, available));
}

function requiredReason(requiredTokens: number, available: number): string {
  return (
    `the messages that must be kept (instructions, pinned messages and the last user turn) ` +
    `take ${requiredTokens} tokens; the budget leaves ${Math.max(0, available)} for messages`
  );
}

interface WrittenSummary {
  message?: ChatMessage;
  tokens: number;
  /** True once the summariser was asked. */
  asked: boolean;
  failed: boolean;
  warning?: string;
}

/**
 * Summarises the evicted units with the earlier summaries folded in, and
 * cuts the text to the cap. A summariser that fails leaves a truncation:
 * the evicted messages are dropped and the result says so.
 */
async function writeSummary(
  analysis: Analysis,
  evicted: number[],
  folded: number[],
  cap: number,
  plan: PathPlan,
  context: StrategyContext,
): Promise<WrittenSummary> {
  if (cap < MIN_SUMMARY_TOKENS) {
    return {
      tokens: 0,
      asked: false,
      failed: false,
      warning: 'no room left for a summary; older messages dropped',
    };
  }

  const messagesOf = (units: number[]) =>
    units.flatMap((unit) => analysis.units[unit]!.indexes).sort((a, b) => a - b);
  const evictedMessages = messagesOf(evicted).map((index) => analysis.messages[index]!);
  const previous = messagesOf(folded).map((index) => analysis.messages[index]!);
  const covers = [
    ...previous.flatMap(summaryCovers),
    ...evictedMessages.map((message) => message.id ?? fingerprint(message)),
  ];
  const measure = (text: string) =>
    context.meter.message(summaryMessage(text, covers, context.summarizer.method, plan.strategy));

  context.progress?.('summarising', 0, evictedMessages.length);
  let text: string;
  try {
    text = await context.summarizer.summarize({
      previous: previous.map(summaryText),
      messages: evictedMessages,
      maxTokens: cap,
      focus: plan.focus ?? 'history',
      measure,
    });
  } catch (error) {
    return {
      tokens: 0,
      asked: true,
      failed: true,
      warning: `summary failed, older messages dropped instead: ${errorMessage(error)}`,
    };
  }

  const fitted = fitText(text.trim(), cap, measure, cutTail);
  if (!fitted) {
    return { tokens: 0, asked: true, failed: false, warning: 'summary does not fit; dropped' };
  }
  const message = summaryMessage(fitted, covers, context.summarizer.method, plan.strategy);
  return { message, tokens: context.meter.message(message), asked: true, failed: false };
}

function summaryText(message: ChatMessage): string {
  const content = typeof message.content === 'string' ? message.content : '';
  return content.startsWith(`${SUMMARY_PREFIX}: `)
    ? content.slice(SUMMARY_PREFIX.length + 2)
    : content;
}

interface OutputEntry {
  message: ChatMessage;
  /** The input index of a message kept as it was; undefined for new or changed ones. */
  index?: number;
}

/** Leading instructions, then the summary, then the kept messages in their order. */
function assemble(
  analysis: Analysis,
  keptUnits: Set<number>,
  summary: ChatMessage | undefined,
  truncation: { index: number; message: ChatMessage } | undefined,
): OutputEntry[] {
  const output: OutputEntry[] = [];
  analysis.messages.forEach((message, index) => {
    if (index === analysis.instructions && summary) output.push({ message: summary });
    if (!keptUnits.has(analysis.unitOf[index]!)) return;
    if (truncation?.index === index) output.push({ message: truncation.message });
    else output.push({ message, index });
  });
  if (summary && analysis.instructions >= analysis.messages.length)
    output.push({ message: summary });
  return output;
}

function usedModel(plan: PathPlan, context: StrategyContext, asked: boolean): boolean {
  return (
    (asked && context.summarizer.method === 'model') ||
    (plan.usesScorer === true && context.scorer.method === 'model')
  );
}
