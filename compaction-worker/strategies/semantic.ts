import { compactPath } from './compact-path.ts';
import { parseOptions, summaryOptions } from './options.ts';
import { analysePath, requirePath } from './path-input.ts';
import { selectByImportance } from './semantic-selection.ts';
import type { CompactionStrategy } from './types.ts';

/**
 * `semantic`: every message is scored for importance (by the model when one
 * is configured, locally otherwise) and the best units that fit are kept,
 * wherever they are in the conversation. With `summarise: true` the rest is
 * summarised.
 */
export const semanticStrategy: CompactionStrategy = {
  name: 'semantic',
  kind: 'path',
  touchpoint: 'compaction:semantic',
  async run(input, context) {
    const path = requirePath('semantic', input);
    const options = parseOptions('semantic', summaryOptions, path.options);
    const analysis = await analysePath(path, context);

    return compactPath(
      analysis,
      path.tokenBudget,
      {
        strategy: 'semantic',
        summarise: options.summarise,
        summaryMaxTokens: options.summaryMaxTokens,
        usesScorer: true,
        select: (_, candidates, room) =>
          selectByImportance(analysis, candidates, room, context.scorer),
      },
      context,
    );
  },
};
