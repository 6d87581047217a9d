import { PipelineError } from '../../lib/errors.ts';
import { hybridStrategy } from './hybrid.ts';
import {
  mergeAggressiveStrategy,
  mergeMinimalStrategy,
  mergeModerateStrategy,
  mergeNoneStrategy,
} from './merge-strategies.ts';
import { noneStrategy } from './none.ts';
import { semanticStrategy } from './semantic.ts';
import { slidingWindowStrategy } from './sliding-window.ts';
import { STRATEGY_NAMES, type CompactionStrategy, type StrategyName } from './types.ts';

const STRATEGIES: Record<StrategyName, CompactionStrategy> = {
  none: noneStrategy,
  'sliding-window': slidingWindowStrategy,
  semantic: semanticStrategy,
  hybrid: hybridStrategy,
  'merge-none': mergeNoneStrategy,
  'merge-minimal': mergeMinimalStrategy,
  'merge-moderate': mergeModerateStrategy,
  'merge-aggressive': mergeAggressiveStrategy,
};

/** A strategy name that is not one of CONTRACTS.md's eight. */
export class UnknownStrategyError extends PipelineError {
  constructor(name: string) {
    super(`unknown compaction strategy '${name}'; known strategies: ${STRATEGY_NAMES.join(', ')}`, {
      code: 'UNKNOWN_STRATEGY',
      context: { strategy: name, known: [...STRATEGY_NAMES] },
    });
  }
}

export function isStrategyName(name: string): name is StrategyName {
  return (STRATEGY_NAMES as readonly string[]).includes(name);
}

/** The strategy of a name; an unknown name is refused with the list of known ones. */
export function createStrategy(name: string): CompactionStrategy {
  if (!isStrategyName(name)) throw new UnknownStrategyError(name);
  return STRATEGIES[name];
}
