import { isToolResult, messageText, type ChatMessage } from '../conversation/message.ts';
import type { ImportanceScorer } from './importance.ts';
import { yieldToEventLoop } from './yielding.ts';

const STOP_WORDS = new Set(
  (
    'the a an and or but if then of to in on at for with by from is are was were be been it ' +
    'this that these those i you he she we they me my your our their its as so do does did ' +
    'not no yes can could would should will just have has had what which who how there here'
  ).split(' '),
);

/** Facts worth keeping: numbers, codes and ids, dates, amounts, addresses. */
const FACT_PATTERN = /\d|[A-Z]{2,}\d|@|\$|€|£/;
const DECISION_PATTERN =
  /\b(decid|agree|confirm|book|cancel|must|never|always|important|deadline)/i;
const SMALL_TALK = /^(ok(ay)?|thanks?( you)?|thank you|great|sure|cool|got it|yes|no)[.!]*$/i;

/**
 * The scorer used without a model: TF-IDF similarity of each message to the
 * last user turn, plus signs of substance (facts, decisions, questions,
 * tool outcomes), a little recency, and a penalty for small talk.
 * Deterministic: the same conversation always scores the same.
 */
export class LocalImportanceScorer implements ImportanceScorer {
  readonly method = 'local' as const;

  async score(messages: ChatMessage[], focus: string): Promise<number[]> {
    const documents = messages.map((message) => terms(messageText(message)));
    const idf = inverseFrequencies(documents);
    const target = weigh(terms(focus), idf);
    await yieldToEventLoop();

    return messages.map((message, index) => {
      const text = messageText(message).trim();
      const similarity = cosine(weigh(documents[index]!, idf), target);
      const substance =
        (FACT_PATTERN.test(text) ? 0.1 : 0) +
        (DECISION_PATTERN.test(text) ? 0.1 : 0) +
        (text.includes('?') ? 0.05 : 0) +
        (isToolResult(message) ? 0.05 : 0) +
        (message.role === 'user' ? 0.05 : 0);
      const recency = messages.length > 1 ? (0.15 * index) / (messages.length - 1) : 0.15;
      const penalty = SMALL_TALK.test(text) || text.length === 0 ? 0.2 : 0;
      return clamp(0.5 * similarity + substance + recency - penalty);
    });
  }
}

function terms(text: string): string[] {
  return (text.toLowerCase().match(/[\p{L}\p{N}]{2,}/gu) ?? []).filter((t) => !STOP_WORDS.has(t));
}

function inverseFrequencies(documents: string[][]): Map<string, number> {
  const frequency = new Map<string, number>();
  for (const document of documents) {
    for (const term of new Set(document)) frequency.set(term, (frequency.get(term) ?? 0) + 1);
  }
  const idf = new Map<string, number>();
  for (const [term, count] of frequency) idf.set(term, Math.log(1 + documents.length / count));
  return idf;
}

function weigh(document: string[], idf: Map<string, number>): Map<string, number> {
  const vector = new Map<string, number>();
  for (const term of document) vector.set(term, (vector.get(term) ?? 0) + (idf.get(term) ?? 1));
  return vector;
}

function cosine(a: Map<string, number>, b: Map<string, number>): number {
  let dot = 0;
  for (const [term, weight] of a) dot += weight * (b.get(term) ?? 0);
  const norm = (vector: Map<string, number>) =>
    Math.sqrt([...vector.values()].reduce((sum, weight) => sum + weight * weight, 0));
  const denominator = norm(a) * norm(b);
  return denominator > 0 ? dot / denominator : 0;
}

function clamp(value: number): number {
  return Math.min(1, Math.max(0, value));
}
