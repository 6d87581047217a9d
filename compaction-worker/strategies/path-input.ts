import { PipelineError } from '../../lib/errors.ts';
import { resolvePins } from '../conversation/pins.ts';
import { analyse, type Analysis } from './analysis.ts';
import type { CompactionInput, PathInput, StrategyContext } from './types.ts';

/** The path input of a path strategy; a merge input is refused with what to use instead. */
export function requirePath(strategy: string, input: CompactionInput): PathInput {
  if (input.kind === 'path') return input;
  throw new PipelineError(
    `${strategy} compacts one conversation (messages); for main and branch use a merge-* strategy`,
    { code: 'WRONG_INPUT', context: { strategy } },
  );
}

/** Resolves the pins of a path input and measures it. */
export function analysePath(input: PathInput, context: StrategyContext): Promise<Analysis> {
  const pinned = resolvePins(input.messages, input.pinned);
  return analyse(input.messages, pinned, context.meter, input.tools);
}
