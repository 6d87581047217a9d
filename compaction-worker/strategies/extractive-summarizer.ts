import { isToolResult, messageText, type ChatMessage } from '../conversation/message.ts';
import { cutTail, fitText } from './fit-text.ts';
import type { SummaryRequest, Summarizer } from './summarizer.ts';
import { sentences, speaker } from './transcript.ts';

/** Line lengths tried, in characters. */
const LINE_LIMITS = [600, 400, 240, 160, 100, 60, 30];

/** Words that mark a decision, a commitment or a result. */
const OUTCOME_CUES = new RegExp(
  '\\b(decid|decision|agree|confirm|book|cancel|chose|choose|will|must|result|total|final|' +
    'answer|done|succe|fail|error|refund|approved|denied|owns?|due|updated?)',
  'i',
);

/**
 * The summariser used when no model endpoint is configured: deterministic
 * and extractive. Each message becomes a line (its speaker and text, a
 * tool's outcome), repeated lines once, earlier summaries first. Of all the
 * ways to fit (a shorter cut of every line, or the oldest lines left out)
 * the one that keeps the most text wins.
 */
export class ExtractiveSummarizer implements Summarizer {
  readonly method = 'local' as const;

  async summarize(request: SummaryRequest): Promise<string> {
    const previous = request.previous.map(flatten);
    const lines = unique(request.messages.flatMap((message) => linesOf(message, request.focus)));
    const fits = (text: string) => request.measure(text) <= request.maxTokens;

    let best: { text: string; kept: number } | undefined;
    for (const limit of LINE_LIMITS) {
      const omitted = fewestOmitted(lines.length, (count) =>
        fits(compose(previous, lines, limit, count)),
      );
      if (omitted === undefined) continue;
      const kept = lines
        .slice(omitted)
        .reduce((sum, line) => sum + Math.min(line.length, limit), 0);
      if (!best || kept > best.kept)
        best = { text: compose(previous, lines, limit, omitted), kept };
    }
    if (best) return best.text;

    const last = compose(previous, lines, LINE_LIMITS.at(-1)!, Math.max(0, lines.length - 1));
    return fitText(last, request.maxTokens, request.measure, cutTail) ?? '';
  }
}

/** The smallest number of oldest lines to leave out for the rest to fit (binary search). */
function fewestOmitted(count: number, fitsWith: (omitted: number) => boolean): number | undefined {
  if (count === 0) return fitsWith(0) ? 0 : undefined;
  if (!fitsWith(count - 1)) return undefined;
  let low = 0;
  let high = count - 1;
  while (low < high) {
    const middle = Math.floor((low + high) / 2);
    if (fitsWith(middle)) high = middle;
    else low = middle + 1;
  }
  return low;
}

function linesOf(message: ChatMessage, focus: SummaryRequest['focus']): string[] {
  const text = flatten(messageText(message));
  if (!text) return [];
  const call = message.tool_calls?.length || message.function_call;
  if (call) return focus === 'history' ? [`assistant called ${text}`] : [];
  if (focus === 'history' || isToolResult(message)) return [`${speaker(message)}: ${text}`];

  const kept = sentences(text).filter((sentence) => OUTCOME_CUES.test(sentence));
  return kept.length > 0 ? [`${speaker(message)}: ${kept.join(' ')}`] : [];
}

function compose(previous: string[], lines: string[], limit: number, omitted: number): string {
  const shorten = (line: string) => {
    const chars = [...line];
    return chars.length > limit ? `${chars.slice(0, limit).join('')}…` : line;
  };
  const parts = previous.map(shorten);
  if (omitted > 0)
    parts.push(`(${omitted} older ${omitted === 1 ? 'message' : 'messages'} left out)`);
  // Lines cut short can become the same line: one of them is enough.
  parts.push(...unique(lines.slice(omitted).map(shorten)));
  return parts.join('\n');
}

function flatten(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/** Lines once each, in order: two branches often repeat the same turn. */
function unique(lines: string[]): string[] {
  const seen = new Set<string>();
  return lines.filter((line) => {
    const key = line.toLowerCase().replace(/[^\p{L}\p{N}]+/gu, ' ');
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
