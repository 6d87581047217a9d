import { messageText, type ChatMessage } from '../conversation/message.ts';
import type { Analysis } from './analysis.ts';

/** Three-word shingles of a text, lower-cased, punctuation ignored. */
function shingles(text: string): Set<string> {
  const words = text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
  if (words.length < 3) return new Set(words.length > 0 ? [words.join(' ')] : []);
  const result = new Set<string>();
  for (let i = 0; i + 3 <= words.length; i++) result.add(words.slice(i, i + 3).join(' '));
  return result;
}

/** Jaccard similarity of two shingle sets, from 0 (nothing shared) to 1 (the same). */
export function similarity(a: Set<string>, b: Set<string>): number {
  if (a.size === 0 && b.size === 0) return 1;
  let shared = 0;
  for (const item of a) if (b.has(item)) shared += 1;
  return shared / (a.size + b.size - shared);
}

/**
 * Units that repeat an earlier message of the same role nearly word for
 * word (similarity at least `threshold`): single messages only, never
 * required ones (instructions, pinned, the last user turn) and never tool
 * calls, whose repetition may be deliberate.
 */
export function redundantUnits(analysis: Analysis, threshold: number): number[] {
  const earlier: { role: ChatMessage['role']; shingles: Set<string> }[] = [];
  const redundant: number[] = [];
  analysis.units.forEach((unit, position) => {
    if (unit.indexes.length !== 1) return;
    const message = analysis.messages[unit.indexes[0]!]!;
    const own = shingles(messageText(message));
    if (own.size === 0) return;

    const repeats = earlier.some(
      (other) => other.role === message.role && similarity(other.shingles, own) >= threshold,
    );
    if (repeats && !unit.required && !unit.summary) redundant.push(position);
    else earlier.push({ role: message.role, shingles: own });
  });
  return redundant;
}
