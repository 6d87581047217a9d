import { messageText } from '../conversation/message.ts';
import type { Analysis } from './analysis.ts';
import type { ImportanceScorer } from './importance.ts';

/**
 * Keeps the most important candidate units that fit in `room`: scores every
 * message, rates a unit by its best message, and adds units from the best
 * down (newer first on ties), skipping any that no longer fit.
 */
export async function selectByImportance(
  analysis: Analysis,
  candidates: number[],
  room: number,
  scorer: ImportanceScorer,
): Promise<Set<number>> {
  const kept = new Set<number>();
  if (candidates.length === 0) return kept;

  const indexes = candidates.flatMap((unit) => analysis.units[unit]!.indexes);
  const focusIndex = analysis.lastUser;
  const focus = focusIndex === undefined ? '' : messageText(analysis.messages[focusIndex]!);
  const scores = await scorer.score(
    indexes.map((index) => analysis.messages[index]!),
    focus,
  );
  const scoreOf = new Map(indexes.map((index, position) => [index, scores[position] ?? 0]));

  const ranked = [...candidates].sort((a, b) => {
    const best = (unit: number) =>
      Math.max(...analysis.units[unit]!.indexes.map((i) => scoreOf.get(i)!));
    return best(b) - best(a) || b - a;
  });
  let used = 0;
  for (const unit of ranked) {
    const tokens = analysis.units[unit]!.tokens;
    if (used + tokens > room) continue;
    kept.add(unit);
    used += tokens;
  }
  return kept;
}
