/**
 * The longest cut of `text` whose measure is at most `maxTokens`, found by
 * binary search on the number of characters kept. `cut(k)` builds the
 * candidate that keeps k characters; undefined when even the empty cut is
 * too large.
 */
export function fitText(
  text: string,
  maxTokens: number,
  measure: (candidate: string) => number,
  cut: (text: string, keep: number) => string,
): string | undefined {
  if (measure(text) <= maxTokens) return text;
  if (measure(cut(text, 0)) > maxTokens) return undefined;

  let low = 0;
  let high = text.length - 1;
  while (low < high) {
    const middle = Math.ceil((low + high) / 2);
    if (measure(cut(text, middle)) <= maxTokens) low = middle;
    else high = middle - 1;
  }
  return cut(text, low);
}

/** Keeps the first `keep` characters (whole code points) and marks the cut. */
export function cutTail(text: string, keep: number): string {
  const chars = [...text];
  return chars.length <= keep ? text : `${chars.slice(0, keep).join('')}…`;
}

/**
 * Keeps the beginning and the end, two thirds and one third of `keep`
 * characters: the end of a long user message usually holds its question.
 */
export function cutMiddle(text: string, keep: number, marker: string): string {
  const chars = [...text];
  if (chars.length <= keep) return text;
  const head = Math.ceil((keep * 2) / 3);
  const tail = keep - head;
  return `${chars.slice(0, head).join('')}${marker}${tail > 0 ? chars.slice(-tail).join('') : ''}`;
}
