import { z } from 'zod';
import { unitTokens } from './analysis.ts';
import { compactPath } from './compact-path.ts';
import { latestWithin } from './recent-selection.ts';
import { parseOptions, summaryOptions } from './options.ts';
import { analysePath, requirePath } from './path-input.ts';
import { selectByImportance } from './semantic-selection.ts';
import type { CompactionStrategy } from './types.ts';

const shape = {
  /** Share of the room given to the recent window, the rest to older messages. */
  recentShare: z.number().min(0).max(1).default(0.5),
  ...summaryOptions,
};

/**
 * `hybrid`: a recent window (an unbroken stretch back from the end, up to
 * `recentShare` of the room) plus the most important older units in what
 * is left; scoring of the older messages is batched into few model calls.
 */
export const hybridStrategy: CompactionStrategy = {
  name: 'hybrid',
  kind: 'path',
  touchpoint: 'compaction:hybrid',
  async run(input, context) {
    const path = requirePath('hybrid', input);
    const options = parseOptions('hybrid', shape, path.options);
    const analysis = await analysePath(path, context);

    return compactPath(
      analysis,
      path.tokenBudget,
      {
        strategy: 'hybrid',
        summarise: options.summarise,
        summaryMaxTokens: options.summaryMaxTokens,
        usesScorer: true,
        select: async (_, candidates, room) => {
          const recent = latestWithin(analysis, candidates, room * options.recentShare);
          const used = unitTokens(analysis, recent);
          const older = candidates.filter((unit) => !recent.has(unit));
          const chosen = await selectByImportance(analysis, older, room - used, context.scorer);
          return new Set([...recent, ...chosen]);
        },
      },
      context,
    );
  },
};
