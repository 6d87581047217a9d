import { get_encoding } from '@dqbd/tiktoken';
import { encode as gptTokenizerEncode } from 'gpt-tokenizer/encoding/o200k_base';
import { loadAllConversations } from '../compaction-worker/datasets/load-all.ts';
import { TokenCounting } from '../compaction-worker/tokens/token-counting.ts';
import { figure, type BenchFigure } from './result.ts';

/** Every text of the bundled real conversations, as a model would count it. */
function realTexts(): string[] {
  const texts: string[] = [];
  for (const conversation of loadAllConversations()) {
    for (const message of conversation.messages) {
      if (typeof message.content === 'string' && message.content) texts.push(message.content);
      for (const block of Array.isArray(message.content) ? message.content : []) {
        if (block.type === 'text' && block.text) texts.push(block.text);
      }
    }
  }
  return texts;
}

/** Megabytes per second of `count` over the texts, best of `rounds` (the machine is shared). */
function throughput(texts: string[], count: (text: string) => number, rounds: number) {
  const bytes = texts.reduce((sum, text) => sum + Buffer.byteLength(text), 0);
  let best = Infinity;
  let counts: number[] = [];
  for (let round = 0; round < rounds; round++) {
    const started = performance.now();
    counts = texts.map(count);
    best = Math.min(best, performance.now() - started);
  }
  return { mbPerSecond: bytes / 1e6 / (best / 1000), counts };
}

/**
 * Token counting speed on real conversation text (o200k_base, as for gpt-4o):
 * the compaction worker's counting, cold (every text new to its cache),
 * against @dqbd/tiktoken called directly and gpt-tokenizer. The counts of all
 * three must be identical, text by text.
 */
export function benchTokens(say: (line: string) => void, rounds = 3): BenchFigure[] {
  const texts = realTexts();
  say(
    `counting ${texts.length} real texts, ` +
      `${(texts.reduce((s, t) => s + Buffer.byteLength(t), 0) / 1e6).toFixed(2)} MB`,
  );

  const tiktoken = get_encoding('o200k_base');
  const direct = throughput(texts, (text) => tiktoken.encode_ordinary(text).length, rounds);
  tiktoken.free();
  const gpt = throughput(
    texts,
    (text) => gptTokenizerEncode(text, { disallowedSpecial: new Set() }).length,
    rounds,
  );
  // A fresh counter each round: the figure is for text its cache has not seen.
  let ours = { mbPerSecond: 0, counts: [] as number[] };
  for (let round = 0; round < rounds; round++) {
    const counting = new TokenCounting();
    const meter = counting.meter('gpt-4o');
    const measured = throughput(texts, (text) => meter.text(text), 1);
    if (measured.mbPerSecond > ours.mbPerSecond) ours = measured;
    counting.close();
  }

  const mismatches = texts.filter(
    (_, i) => ours.counts[i] !== direct.counts[i] || gpt.counts[i] !== direct.counts[i],
  ).length;
  if (mismatches > 0) throw new Error(`${mismatches} texts counted differently`);
  const fastest = Math.max(direct.mbPerSecond, gpt.mbPerSecond);
  return [
    figure({
      id: 'tokens.tiktoken_mb_per_s',
      what: '@dqbd/tiktoken called directly (o200k)',
      value: direct.mbPerSecond,
      unit: 'MB/s',
    }),
    figure({
      id: 'tokens.gpt_tokenizer_mb_per_s',
      what: 'gpt-tokenizer (o200k), same texts',
      value: gpt.mbPerSecond,
      unit: 'MB/s',
    }),
    figure({
      id: 'tokens.counting_mb_per_s',
      what: 'compaction token counting, cold cache',
      value: ours.mbPerSecond,
      unit: 'MB/s',
      baseline: { what: 'the faster of the two', value: fastest },
      target: 'no slower than the fastest (within 5%, the run-to-run noise here)',
      met: ours.mbPerSecond >= fastest * 0.95,
      notes: `counts identical on all ${texts.length} texts`,
    }),
  ];
}
