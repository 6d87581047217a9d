import { isToolResult, messageText, type ChatMessage } from '../conversation/message.ts';
import { cutTail, fitText } from './fit-text.ts';
import type { SummaryRequest, Summarizer } from './summarizer.ts';
import { sentences, speaker } from './transcript.ts';

/** Line lengths tried, longest first, before older lines are left out. */
const LINE_LIMITS = [400, 240, 160, 100, 60, 30];

/** Words that mark a decision, a commitment or a result. */
const OUTCOME_CUES =
  /\b(decid|agree|confirm|book|cancel|chose|choose|will|must|result|total|final|answer|done|succe|fail|error|refund|approved|denied)/i;

/**
 * The summariser used when no model endpoint is configured: deterministic
 * and extractive. Each message becomes a line (its speaker and opening
 * sentences, a tool's outcome); earlier summaries come first. Lines are
 * shortened, then the oldest are left out, until the summary fits.
 */
export class ExtractiveSummarizer implements Summarizer {
  readonly method = 'local' as const;

  async summarize(request: SummaryRequest): Promise<string> {
    const previous = request.previous.map((text) => text.replace(/\s+/g, ' ').trim());
    const lines = request.messages.flatMap((message) => linesOf(message, request.focus));
    const fits = (text: string) => request.measure(text) <= request.maxTokens;

    for (const limit of LINE_LIMITS) {
      const text = compose(previous, lines, limit, 0);
      if (fits(text)) return text;
    }
    const shortest = LINE_LIMITS.at(-1)!;
    for (let omitted = 1; omitted < lines.length; omitted++) {
      const text = compose(previous, lines, shortest, omitted);
      if (fits(text)) return text;
    }
    const last = compose(previous, lines, shortest, Math.max(0, lines.length - 1));
    return fitText(last, request.maxTokens, request.measure, cutTail) ?? '';
  }
}

function linesOf(message: ChatMessage, focus: SummaryRequest['focus']): string[] {
  const text = messageText(message);
  if (!text.trim()) return [];
  if (focus === 'history' || isToolResult(message)) return [`${speaker(message)}: ${text}`];

  const kept = sentences(text).filter((sentence) => OUTCOME_CUES.test(sentence));
  return kept.length > 0 ? [`${speaker(message)}: ${kept.join(' ')}`] : [];
}

function compose(previous: string[], lines: string[], limit: number, omitted: number): string {
  const shorten = (line: string) => {
    const flat = line.replace(/\s+/g, ' ').trim();
    return [...flat].length > limit ? `${[...flat].slice(0, limit).join('')}…` : flat;
  };
  const parts = previous.map((text) => shorten(text));
  if (omitted > 0) parts.push(`(${omitted} older messages left out)`);
  parts.push(...lines.slice(omitted).map(shorten));
  return parts.join('\n');
}
