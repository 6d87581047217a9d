import { z } from 'zod';
import { isInstruction } from '../conversation/message.ts';
import { isSummary } from '../conversation/summary-mark.ts';
import type { Analysis } from './analysis.ts';
import { compactPath } from './compact-path.ts';
import { parseOptions, summaryOptions } from './options.ts';
import { latestWithin } from './recent-selection.ts';
import { analysePath, requirePath } from './path-input.ts';
import type { CompactionStrategy } from './types.ts';

const shape = {
  /** Keep at most this many of the latest messages (instructions and summaries not counted). */
  keepLast: z.number().int().nonnegative().optional(),
  ...summaryOptions,
};

/**
 * `sliding-window`: the latest messages that fit (and, with `keepLast`, no
 * more than that many), as one unbroken stretch back from the end; a tool
 * call and its results enter the window together or not at all. What falls
 * out is dropped, or summarised with `summarise: true`.
 */
export const slidingWindowStrategy: CompactionStrategy = {
  name: 'sliding-window',
  kind: 'path',
  touchpoint: 'compaction:sliding-window',
  async run(input, context) {
    const path = requirePath('sliding-window', input);
    const options = parseOptions('sliding-window', shape, path.options);
    const analysis = await analysePath(path, context);
    const window =
      options.keepLast === undefined ? undefined : lastPositions(analysis, options.keepLast);

    return compactPath(
      analysis,
      path.tokenBudget,
      {
        strategy: 'sliding-window',
        summarise: options.summarise,
        summaryMaxTokens: options.summaryMaxTokens,
        withinLimits: () => window === undefined || window.size === countable(analysis).length,
        select: async (_, candidates, room) => latestWithin(analysis, candidates, room, window),
      },
      context,
    );
  },
};

/** Messages a count window counts: neither instructions nor summaries. */
function countable(analysis: Analysis): number[] {
  return analysis.messages.flatMap((message, index) =>
    isInstruction(message) || isSummary(message) ? [] : [index],
  );
}

function lastPositions(analysis: Analysis, keepLast: number): Set<number> {
  const indexes = countable(analysis);
  return new Set(keepLast === 0 ? [] : indexes.slice(-keepLast));
}
