/** How an estimate for a model without a public tokenizer is made. */
export type EstimateMethod = 'chars' | 'words' | 'hybrid';

export interface EstimatorOptions {
  /** @default 'hybrid' */
  method?: EstimateMethod;
  /** Added on top so that estimates err high: 0.15 means 15 % more. @default 0.15 */
  safetyMargin?: number;
}

/**
 * Tokens per character outside ASCII, by script, set from the exact counts
 * of o200k_base and cl100k_base and rounded up (estimator.test.ts checks
 * them): CJK, Thai and emoji take one token or more per character, which a
 * plain chars/4 rule would undercount several times over.
 */
const CHAR_WEIGHTS: [RegExp, number][] = [
  [/\p{Extended_Pictographic}|\p{Regional_Indicator}/u, 2.5],
  [/[\p{Script=Armenian}\p{Script=Georgian}\p{Script=Ethiopic}]/u, 2.2],
  [/[\p{Script=Devanagari}\p{Script=Bengali}\p{Script=Tamil}\p{Script=Telugu}]/u, 1.6],
  [/[\p{Script=Gujarati}\p{Script=Kannada}\p{Script=Malayalam}\p{Script=Gurmukhi}]/u, 1.6],
  [/[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]/u, 1.25],
  [/[\p{Script=Hebrew}\p{Script=Greek}]/u, 1.15],
  [/[\p{Script=Thai}\p{Script=Arabic}]/u, 1.0],
  [/\p{Script=Cyrillic}/u, 0.65],
  [/\p{Script=Latin}/u, 1.0],
  [/\s/u, 0.1],
  [/[\p{P}\p{S}]/u, 0.6],
];
/** Joiners, variation selectors, combining marks and scripts not listed: a token each. */
const OTHER_CHAR_WEIGHT = 1;

/**
 * A token estimate that errs high: the larger of a per-character figure
 * (weighted by script) and a per-word one, plus the safety margin.
 */
export function estimateTokens(text: string, options: EstimatorOptions = {}): number {
  if (text.length === 0) return 0;
  const method = options.method ?? 'hybrid';
  const margin = 1 + (options.safetyMargin ?? 0.15);

  const byChars = charEstimate(text);
  const byWords = wordEstimate(text);
  const raw =
    method === 'chars' ? byChars : method === 'words' ? byWords : Math.max(byChars, byWords);
  return Math.ceil(raw * margin);
}

function charEstimate(text: string): number {
  let total = 0;
  for (const word of text.split(/(\s+)/)) {
    // Inside a word with accents or another script, ASCII letters merge less well.
    const plain = !/[^\p{ASCII}]/u.test(word);
    for (const char of word) total += charWeight(char, plain);
  }
  return total;
}

function charWeight(char: string, plainWord: boolean): number {
  const code = char.codePointAt(0)!;
  if (code >= 128)
    return CHAR_WEIGHTS.find(([pattern]) => pattern.test(char))?.[1] ?? OTHER_CHAR_WEIGHT;

  const isLetter = (code >= 65 && code <= 90) || (code >= 97 && code <= 122);
  if (isLetter) return plainWord ? 0.25 : 0.6;
  if (code >= 48 && code <= 57) return 0.34;
  if (code === 32 || code === 10 || code === 9 || code === 13) return 0.1;
  return 0.6;
}

/** About four tokens for three English words; a word of CJK has no spaces and counts per char. */
function wordEstimate(text: string): number {
  const words = text.split(/\s+/).filter(Boolean);
  return words.reduce((sum, word) => sum + Math.max(4 / 3, [...word].length / 4), 0);
}
