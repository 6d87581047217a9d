import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { branchesArb, conversationArb, wordMeter } from '../testing/generators.ts';
import { TokenCounting } from '../tokens/token-counting.ts';
import type { MessageMeter } from '../tokens/token-counting.ts';
import { ExtractiveSummarizer } from './extractive-summarizer.ts';
import { createStrategy } from './factory.ts';
import { localContext } from './local-context.ts';
import type { Summarizer, SummaryRequest } from './summarizer.ts';
import {
  MERGE_STRATEGIES,
  PATH_STRATEGIES,
  type CompactionInput,
  type StrategyContext,
  type StrategyName,
} from './types.ts';
import { findViolations } from './validator.ts';

/** Counts summariser calls: compacting a compacted result that fits must make none. */
class CountingSummarizer implements Summarizer {
  readonly method = 'local' as const;
  calls = 0;
  private readonly inner = new ExtractiveSummarizer();

  summarize(request: SummaryRequest): Promise<string> {
    this.calls += 1;
    return this.inner.summarize(request);
  }
}

const optionsFor = (name: StrategyName): fc.Arbitrary<Record<string, unknown>> => {
  if (name === 'sliding-window') {
    const keepLast = fc.option(fc.nat({ max: 8 }), { nil: undefined });
    return fc.record({ summarise: fc.boolean(), keepLast }, { requiredKeys: [] });
  }
  if (name === 'semantic' || name === 'hybrid') return fc.record({ summarise: fc.boolean() });
  return fc.constant({});
};

/** How often the generated cases made a strategy do something, so the properties bite. */
const exercised = new Map<string, { runs: number; compacted: number; summarised: number }>();
function tally(name: string, compacted: boolean, summarised: boolean): void {
  const entry = exercised.get(name) ?? { runs: 0, compacted: 0, summarised: 0 };
  entry.runs += 1;
  if (compacted) entry.compacted += 1;
  if (summarised) entry.summarised += 1;
  exercised.set(name, entry);
}

async function checkPath(name: StrategyName, meter: MessageMeter, runs: number): Promise<void> {
  await fc.assert(
    fc.asyncProperty(
      conversationArb,
      fc.nat({ max: 400 }),
      optionsFor(name),
      async (messages, budget, options) => {
        const summarizer = new CountingSummarizer();
        const context: StrategyContext = { ...localContext(meter), summarizer };
        const input: CompactionInput = { kind: 'path', messages, tokenBudget: budget, options };
        const outcome = await createStrategy(name).run(input, context);
        expect(findViolations(name, input, outcome, meter)).toEqual([]);
        tally(name, outcome.compacted, outcome.summarised.length > 0);

        if (!outcome.fitsBudget) return;
        const calls = summarizer.calls;
        const again = await createStrategy(name).run(
          { ...input, messages: outcome.messages },
          context,
        );
        expect(again.compacted).toBe(false);
        expect(again.messages).toEqual(outcome.messages);
        expect(summarizer.calls).toBe(calls);
      },
    ),
    { numRuns: runs },
  );
}

describe('every path strategy keeps the invariants for every budget', () => {
  it.each(PATH_STRATEGIES)('%s on generated conversations', (name) =>
    checkPath(name, wordMeter, 300),
  );

  const counting = new TokenCounting();
  afterAll(() => counting.close());
  it.each(PATH_STRATEGIES)('%s with real gpt-4o counts', (name) =>
    checkPath(name, counting.meter('gpt-4o'), 60),
  );
});

afterAll(() => {
  for (const [name, counts] of exercised) {
    if (name === 'none' || name === 'merge-none' || name === 'merge-minimal') continue;
    expect(counts.compacted / counts.runs, `${name} compacted too rarely`).toBeGreaterThan(0.2);
  }
});

describe('every merge strategy keeps the invariants for every budget', () => {
  it.each(MERGE_STRATEGIES)('%s on generated branches', async (name) => {
    await fc.assert(
      fc.asyncProperty(branchesArb, fc.nat({ max: 500 }), async ({ main, branch }, budget) => {
        const summarizer = new CountingSummarizer();
        const context: StrategyContext = { ...localContext(wordMeter), summarizer };
        const input: CompactionInput = { kind: 'merge', main, branch, tokenBudget: budget };
        const outcome = await createStrategy(name).run(input, context);
        expect(findViolations(name, input, outcome, wordMeter)).toEqual([]);
        tally(name, outcome.compacted, outcome.summarised.length > 0);

        if (!outcome.fitsBudget) return;
        const calls = summarizer.calls;
        const merged = outcome.messages;
        const again = await createStrategy(name).run(
          { ...input, main: merged, branch: merged },
          context,
        );
        expect(again.messages).toEqual(merged);
        expect(summarizer.calls).toBe(calls);
      }),
      { numRuns: 250 },
    );
  });
});
