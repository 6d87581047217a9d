import { afterAll, describe, expect, it } from 'vitest';
import { loadAllBranches, loadAllConversations } from '../datasets/load-all.ts';
import { TokenCounting } from '../tokens/token-counting.ts';
import { createStrategy } from './factory.ts';
import { localContext } from './local-context.ts';
import { reduction } from './reduction.ts';
import type { CompactionInput, StrategyName } from './types.ts';
import { findViolations } from './validator.ts';

const counting = new TokenCounting();
afterAll(() => counting.close());
const meter = counting.meter('gpt-4o');
const context = localContext(meter);

const conversations = loadAllConversations();
const branches = loadAllBranches();

/** Options each path strategy runs with here: the summarising variants where there are any. */
const PATH_RUNS: [StrategyName, Record<string, unknown>][] = [
  ['none', {}],
  ['sliding-window', { summarise: true }],
  ['sliding-window', { keepLast: 4 }],
  ['semantic', {}],
  ['hybrid', { summarise: true }],
];

interface Figures {
  runs: number;
  compacted: number;
  fits: number;
  before: number;
  after: number;
}

const report = new Map<string, Figures>();

function record(
  label: string,
  input: CompactionInput,
  name: StrategyName,
  outcome: Awaited<ReturnType<ReturnType<typeof createStrategy>['run']>>,
) {
  expect(findViolations(name, input, outcome, meter)).toEqual([]);
  const figures = report.get(label) ?? { runs: 0, compacted: 0, fits: 0, before: 0, after: 0 };
  figures.runs += 1;
  figures.compacted += outcome.compacted ? 1 : 0;
  figures.fits += outcome.fitsBudget ? 1 : 0;
  figures.before += outcome.tokensBefore;
  figures.after += outcome.tokensAfter;
  report.set(label, figures);
}

afterAll(() => {
  const lines = [...report].map(([label, f]) =>
    [
      label.padEnd(46),
      String(f.runs).padStart(5),
      String(f.compacted).padStart(6),
      `${((f.fits / f.runs) * 100).toFixed(1)}%`.padStart(7),
      String(f.before).padStart(9),
      String(f.after).padStart(9),
      `${(reduction(f.before, f.after) * 100).toFixed(1)}%`.padStart(7),
    ].join(' '),
  );
  const header = 'strategy (budget)'.padEnd(46) + ' runs compact   fits    before     after  saved';
  process.stdout.write(`\nreal conversations, gpt-4o tokens:\n${header}\n${lines.join('\n')}\n`);
});

describe('real conversations through every strategy', () => {
  it('loads every data set', () => {
    const sources = new Set(conversations.map((conversation) => conversation.source));
    expect([...sources].sort()).toEqual([
      'anthropic-recording',
      'glaive',
      'mt-bench-101',
      'oasst',
      'tau-bench',
    ]);
    expect(branches.length).toBeGreaterThan(50);
  });

  it.each(PATH_RUNS)(
    '%s %j keeps the invariants at half and a quarter of each size',
    async (name, options) => {
      for (const share of [0.5, 0.25]) {
        for (const conversation of conversations) {
          const size = meter.conversation(conversation.messages, conversation.tools);
          const input: CompactionInput = {
            kind: 'path',
            messages: conversation.messages,
            tools: conversation.tools,
            tokenBudget: Math.floor(size * share),
            options,
          };
          const outcome = await createStrategy(name).run(input, context);
          record(`${name} ${JSON.stringify(options)} (${share * 100}%)`, input, name, outcome);
        }
      }
    },
  );

  it.each(['merge-none', 'merge-minimal', 'merge-moderate', 'merge-aggressive'] as const)(
    '%s keeps the invariants on real branches at 60% of their union',
    async (name) => {
      for (const pair of branches) {
        const size = meter.conversation([...pair.main, ...pair.branch]);
        const input: CompactionInput = {
          kind: 'merge',
          main: pair.main,
          branch: pair.branch,
          tokenBudget: Math.floor(size * 0.6),
        };
        const outcome = await createStrategy(name).run(input, context);
        record(`${name} (60%)`, input, name, outcome);
      }
    },
  );
});
