import type { Analysis } from './analysis.ts';

/**
 * The latest candidate units whose tokens add up to at most `room`, as one
 * unbroken stretch back from the end: the first unit that does not fit (or
 * lies partly outside `window`, a set of message indexes) ends the stretch.
 */
export function latestWithin(
  analysis: Analysis,
  candidates: number[],
  room: number,
  window?: Set<number>,
): Set<number> {
  const kept = new Set<number>();
  let used = 0;
  for (const unit of [...candidates].reverse()) {
    const { indexes, tokens } = analysis.units[unit]!;
    if (window && !indexes.every((index) => window.has(index))) break;
    if (used + tokens > room) break;
    kept.add(unit);
    used += tokens;
  }
  return kept;
}
