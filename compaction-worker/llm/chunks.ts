/**
 * Groups lines into chunks of at most `limit` tokens each, in order. A line
 * larger than a chunk is cut into pieces that fit; a piece is never empty.
 */
export function splitIntoChunks(
  lines: string[],
  limit: number,
  count: (text: string) => number,
): string[] {
  const chunks: string[] = [];
  let current: string[] = [];
  let used = 0;
  const flush = () => {
    if (current.length > 0) chunks.push(current.join('\n'));
    current = [];
    used = 0;
  };

  for (const line of lines.flatMap((text) => piecesOf(text, limit, count))) {
    const tokens = count(line) + 1;
    if (used + tokens > limit) flush();
    current.push(line);
    used += tokens;
  }
  flush();
  return chunks;
}

/** Cuts a text into pieces of at most `limit - 1` tokens (one is kept for the line break). */
function piecesOf(text: string, limit: number, count: (text: string) => number): string[] {
  const tokens = count(text);
  if (tokens < limit) return [text];

  const chars = [...text];
  let size = Math.max(1, Math.floor((chars.length * (limit - 1)) / tokens));
  const pieces: string[] = [];
  for (let start = 0; start < chars.length;) {
    const piece = chars.slice(start, start + size).join('');
    if (count(piece) >= limit && size > 1) {
      size = Math.max(1, Math.floor(size / 2));
      continue;
    }
    pieces.push(piece);
    start += size;
  }
  return pieces;
}
