import { z } from 'zod';
import { PipelineError } from '../../lib/errors.ts';
import { isUserTurn, type ChatMessage } from '../conversation/message.ts';
import { analyse, type Analysis } from './analysis.ts';
import { compactPath, unchanged, type PathPlan } from './compact-path.ts';
import { appendUnion, chronologicalUnion, type Union } from './merge-union.ts';
import { redundantUnits } from './near-duplicates.ts';
import { latestWithin } from './recent-selection.ts';
import { parseOptions } from './options.ts';
import type {
  CompactionInput,
  CompactionStrategy,
  MergeInput,
  MergeStrategyName,
  StrategyContext,
} from './types.ts';

/** The union a merge strategy starts from; the validator rebuilds it the same way. */
export function unionFor(strategy: MergeStrategyName, input: MergeInput): Union {
  const merge = strategy === 'merge-none' ? appendUnion : chronologicalUnion;
  return merge(input.main, input.branch, input.pinned);
}

function requireMerge(strategy: string, input: CompactionInput): MergeInput {
  if (input.kind === 'merge') return input;
  throw new PipelineError(
    `${strategy} merges two conversations (main and branch); for one conversation use ` +
      `none, sliding-window, semantic or hybrid`,
    { code: 'WRONG_INPUT', context: { strategy } },
  );
}

async function analyseUnion(union: Union, input: MergeInput, context: StrategyContext) {
  const analysis = await analyse(union.messages, union.pinned, context.meter, input.tools);
  analysis.refs = union.refs;
  return analysis;
}

/** The tokens of both branches as they came, the request's fixed part counted once. */
function inputTokens(input: MergeInput, analysis: Analysis, context: StrategyContext): number {
  const sum = (messages: ChatMessage[]) =>
    messages.reduce((total, message) => total + context.meter.message(message), 0);
  return analysis.fixed + sum(input.main) + sum(input.branch);
}

/** A merge that only unites the branches: the union as is, its figures against both inputs. */
function mergeOnly(strategy: MergeStrategyName): CompactionStrategy {
  return {
    name: strategy,
    kind: 'merge',
    touchpoint: `compaction:${strategy}`,
    async run(input, context) {
      const merge = requireMerge(strategy, input);
      parseOptions(strategy, {}, merge.options);
      const union = unionFor(strategy, merge);
      const analysis = await analyseUnion(union, merge, context);

      const outcome = unchanged(
        analysis,
        merge.tokenBudget,
        `${strategy} only unites the branches and removes no message; ` +
          `use merge-moderate or merge-aggressive to fit the budget`,
      );
      return { ...outcome, tokensBefore: inputTokens(merge, analysis, context) };
    },
  };
}

/**
 * `merge-none`: main, then the branch after the point where it left main.
 * `merge-minimal`: every message once (the same message collapses, a
 * repeated turn with its own identity survives), in time order, pins kept.
 */
export const mergeNoneStrategy = mergeOnly('merge-none');
export const mergeMinimalStrategy = mergeOnly('merge-minimal');

const moderateShape = {
  /** Similarity from which a message counts as repeating an earlier one. */
  similarity: z.number().min(0.5).max(1).default(0.8),
  summaryMaxTokens: z.number().int().positive().optional(),
};

/**
 * `merge-moderate`: the minimal union; over budget, messages that nearly
 * repeat an earlier one are dropped, then the oldest of the rest are
 * summarised (earlier summaries folded in) until the recent part fits.
 */
export const mergeModerateStrategy: CompactionStrategy = {
  name: 'merge-moderate',
  kind: 'merge',
  touchpoint: 'compaction:merge-moderate',
  async run(input, context) {
    const merge = requireMerge('merge-moderate', input);
    const options = parseOptions('merge-moderate', moderateShape, merge.options);
    const union = unionFor('merge-moderate', merge);
    const analysis = await analyseUnion(union, merge, context);
    const before = inputTokens(merge, analysis, context);
    if (analysis.total <= merge.tokenBudget) {
      return { ...unchanged(analysis, merge.tokenBudget), tokensBefore: before };
    }

    const plan: PathPlan = {
      strategy: 'merge-moderate',
      summarise: true,
      summaryMaxTokens: options.summaryMaxTokens,
      discard: new Set(redundantUnits(analysis, options.similarity)),
      select: async (_, candidates, room) => latestWithin(analysis, candidates, room),
    };
    const outcome = await compactPath(analysis, merge.tokenBudget, plan, context);
    return { ...outcome, tokensBefore: before };
  },
};

/**
 * `merge-aggressive`: the minimal union; over budget, only the instructions,
 * pinned messages, the last user turn and the final answer stay, and one
 * summary of the decisions and outcomes stands for everything else.
 */
export const mergeAggressiveStrategy: CompactionStrategy = {
  name: 'merge-aggressive',
  kind: 'merge',
  touchpoint: 'compaction:merge-aggressive',
  async run(input, context) {
    const merge = requireMerge('merge-aggressive', input);
    const options = parseOptions(
      'merge-aggressive',
      { summaryMaxTokens: moderateShape.summaryMaxTokens },
      merge.options,
    );
    const union = unionFor('merge-aggressive', merge);
    const analysis = await analyseUnion(union, merge, context);
    const before = inputTokens(merge, analysis, context);

    const outcome = await compactPath(
      analysis,
      merge.tokenBudget,
      {
        strategy: 'merge-aggressive',
        summarise: true,
        summaryMaxTokens: options.summaryMaxTokens,
        focus: 'outcomes',
        select: async (_, candidates, room) => finalAnswer(analysis, candidates, room),
      },
      context,
    );
    return { ...outcome, tokensBefore: before };
  },
};

/** The unit of the last assistant message after the last user turn, if it fits. */
function finalAnswer(analysis: Analysis, candidates: number[], room: number): Set<number> {
  for (const unit of [...candidates].reverse()) {
    const indexes = analysis.units[unit]!.indexes;
    const message = analysis.messages[indexes[0]!]!;
    if (isUserTurn(message)) break;
    if (message.role === 'assistant' && indexes.length === 1) {
      return analysis.units[unit]!.tokens <= room ? new Set([unit]) : new Set();
    }
  }
  return new Set();
}
