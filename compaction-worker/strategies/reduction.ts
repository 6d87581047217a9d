/** The share of tokens a compaction saved, from 0 (nothing) to 1 (everything). */
export function reduction(tokensBefore: number, tokensAfter: number): number {
  if (tokensBefore <= 0) return 0;
  return Math.max(0, (tokensBefore - tokensAfter) / tokensBefore);
}
