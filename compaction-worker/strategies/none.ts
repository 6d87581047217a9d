import { parseOptions } from './options.ts';
import { analysePath, requirePath } from './path-input.ts';
import { unchanged } from './compact-path.ts';
import type { CompactionStrategy } from './types.ts';

/**
 * `none`: the conversation as it came, with its figures. Over budget, the
 * result says so; nothing is removed.
 */
export const noneStrategy: CompactionStrategy = {
  name: 'none',
  kind: 'path',
  touchpoint: 'compaction:none',
  async run(input, context) {
    const path = requirePath('none', input);
    parseOptions('none', {}, path.options);
    const analysis = await analysePath(path, context);
    return unchanged(analysis, path.tokenBudget, 'strategy none never removes messages');
  },
};
