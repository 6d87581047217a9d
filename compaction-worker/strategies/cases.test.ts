import { afterAll, describe, expect, it } from 'vitest';
import type { ChatMessage } from '../conversation/message.ts';
import { isSummary, summaryCovers } from '../conversation/summary-mark.ts';
import { A, Acall, ids, S, Sigma, T, tenPerMessage, U } from '../testing/notation.ts';
import { TokenCounting } from '../tokens/token-counting.ts';
import { createStrategy } from './factory.ts';
import { localContext } from './local-context.ts';
import type { Summarizer, SummaryRequest } from './summarizer.ts';
import {
  PATH_STRATEGIES,
  STRATEGY_NAMES,
  type CompactionInput,
  type CompactionOutcome,
  type StrategyContext,
  type StrategyName,
} from './types.ts';
import { findViolations } from './validator.ts';
import { ExtractiveSummarizer } from './extractive-summarizer.ts';

const context = localContext(tenPerMessage);

/** Runs a strategy and checks the result with the validator, as the worker does. */
async function compact(
  strategy: StrategyName,
  input: CompactionInput,
  ctx: StrategyContext = context,
): Promise<CompactionOutcome> {
  const outcome = await createStrategy(strategy).run(input, ctx);
  expect(findViolations(strategy, input, outcome, ctx.meter)).toEqual([]);
  return outcome;
}

const path = (
  messages: ChatMessage[],
  tokenBudget: number,
  options: Record<string, unknown> = {},
): CompactionInput => ({ kind: 'path', messages, tokenBudget, options });

/** A summariser that records what it was given and answers with the local method. */
class RecordingSummarizer implements Summarizer {
  readonly method = 'local' as const;
  readonly requests: SummaryRequest[] = [];
  private readonly inner = new ExtractiveSummarizer();

  summarize(request: SummaryRequest): Promise<string> {
    this.requests.push(request);
    return this.inner.summarize(request);
  }
}

describe('case 1: keep-last trimming never starts with an orphan result', () => {
  const conversation = [U('U1'), Acall('A1', 'c1'), T('c1'), U('U2'), A('A2')];

  it('budget 30 gives [U2, A2]', async () => {
    const outcome = await compact('sliding-window', path(conversation, 30));
    expect(ids(outcome.messages)).toEqual(['U2', 'A2']);
  });

  it.each(PATH_STRATEGIES)(
    '%s gives a valid output for every budget from 0 to 60',
    async (name) => {
      for (let budget = 0; budget <= 60; budget++) {
        const outcome = await compact(name, path(conversation, budget));
        expect(outcome.messages[0]?.role).not.toBe('tool');
      }
    },
  );
});

describe('case 2: parallel calls form one group', () => {
  const conversation = [U('U1'), Acall('A1', 'c1', 'c2'), T('c1'), T('c2'), U('U2'), A('A2')];

  it.each([
    [30, ['U2', 'A2']],
    [40, ['U2', 'A2']],
    [50, ['A1', 'T(c1)', 'T(c2)', 'U2', 'A2']],
  ])('budget %i', async (budget, expected) => {
    const outcome = await compact('sliding-window', path(conversation, budget));
    expect(ids(outcome.messages)).toEqual(expected);
  });

  it.each(PATH_STRATEGIES)('%s keeps A1, T(c1), T(c2) together at every budget', async (name) => {
    for (let budget = 0; budget <= 70; budget += 5) {
      const kept = ids((await compact(name, path(conversation, budget))).messages);
      const group = ['A1', 'T(c1)', 'T(c2)'].filter((id) => kept.includes(id));
      expect([0, 3]).toContain(group.length);
    }
  });
});

describe('case 3 and 7: no compaction means no change', () => {
  it.each(STRATEGY_NAMES)(
    '%s returns [S, U, A(c1), T(c1)] identical under budget',
    async (name) => {
      const conversation = [S(), U('U'), Acall('A', 'c1'), T('c1')];
      const input: CompactionInput = name.startsWith('merge')
        ? { kind: 'merge', main: conversation, branch: conversation, tokenBudget: 1000 }
        : path(conversation, 1000);
      const outcome = await compact(name, input);
      expect(outcome.messages).toEqual(conversation);
      expect(outcome.compacted).toBe(false);
      expect(outcome.method).toBe('none');
    },
  );

  it('keeps the tool messages of [U1, A1(c1), T(c1), A2] far under budget', async () => {
    const conversation = [U('U1'), Acall('A1', 'c1'), T('c1'), A('A2')];
    for (const name of PATH_STRATEGIES) {
      const outcome = await compact(name, path(conversation, 10_000, {}));
      expect(ids(outcome.messages)).toEqual(['U1', 'A1', 'T(c1)', 'A2']);
    }
  });
});

describe('case 4 and 5: the system message survives a count window', () => {
  it('keep the last 2 of [S, U1, A1, U2, A2, U3] gives [S, A2, U3]', async () => {
    const conversation = [S(), U('U1'), A('A1'), U('U2'), A('A2'), U('U3')];
    const outcome = await compact('sliding-window', path(conversation, 1000, { keepLast: 2 }));
    expect(ids(outcome.messages)).toEqual(['S', 'A2', 'U3']);
  });

  it('the system message counts against a token budget', async () => {
    const conversation = [S(), U('U1'), A('A1'), U('U2'), A('A2'), U('U3')];
    const outcome = await compact('sliding-window', path(conversation, 30));
    expect(ids(outcome.messages)).toEqual(['S', 'A2', 'U3']);
  });

  it('keep the last 3 of [S, U1, A(k9), T(k9), U2, A"done"] drops the pair', async () => {
    const conversation = [
      S(),
      U('U1', 'first'),
      Acall('A1', 'k9'),
      T('k9'),
      U('U2', 'second'),
      A('A2', 'done'),
    ];
    const outcome = await compact('sliding-window', path(conversation, 1000, { keepLast: 3 }));
    expect(ids(outcome.messages)).toEqual(['S', 'U2', 'A2']);
  });
});

describe('case 6: summarising the older part never splits a pair', () => {
  it('summarises A1 and T(c1) together and mentions the outcome', async () => {
    const conversation = [
      U('U1'),
      Acall('A1', 'c1'),
      T('c1', 'the flight HAT136 is booked'),
      U('U2'),
      A('A2'),
    ];
    const outcome = await compact(
      'sliding-window',
      path(conversation, 1000, { keepLast: 3, summarise: true }),
    );
    const [summary, ...rest] = outcome.messages;
    expect(ids(rest)).toEqual(['U2', 'A2']);
    expect(isSummary(summary!)).toBe(true);
    expect(summary!.content).toMatch(/HAT136 is booked/);
    expect(outcome.summarised).toEqual(['U1', 'A1', 'T(c1)']);
  });
});

describe('case 8: item limits keep pairs whole and the last user message', () => {
  it('[U, A(c1), T(c1), A"answer"] limited to 2 gives [U, A"answer"]', async () => {
    const conversation = [U('U'), Acall('A', 'c1'), T('c1'), A('A2', 'answer')];
    const outcome = await compact('sliding-window', path(conversation, 1000, { keepLast: 2 }));
    expect(ids(outcome.messages)).toEqual(['U', 'A2']);
  });
});

describe('case 9: the summary counts against the budget and has a cap', () => {
  it('budget 100 with an 80-token summary and four new messages stays within 100', async () => {
    const conversation = [Sigma(80), U('U5'), A('A5'), U('U6'), A('A6')];
    expect(tenPerMessage.message(conversation[0]!)).toBe(80);
    for (const name of ['sliding-window', 'semantic', 'hybrid'] as const) {
      const outcome = await compact(name, path(conversation, 100, { summarise: true }));
      expect(outcome.tokensAfter).toBeLessThanOrEqual(100);
      expect(outcome.messages.filter(isSummary)).toHaveLength(1);
      expect(ids(outcome.messages).slice(-2)).toEqual(['U6', 'A6']);
    }
  });
});

describe('case 10: exactly one summary, folded with the newly evicted messages', () => {
  it('[S, Σ, U5, A5, U6, A6] keeping 2 gives [S, Σ′, U6, A6]', async () => {
    const summarizer = new RecordingSummarizer();
    const conversation = [S(), Sigma(12, ['U1', 'A1', 'U2']), U('U5'), A('A5'), U('U6'), A('A6')];
    const outcome = await compact(
      'sliding-window',
      path(conversation, 1000, { keepLast: 2, summarise: true }),
      { ...context, summarizer },
    );

    expect(ids(outcome.messages)).toEqual(['S', '(new)', 'U6', 'A6']);
    const fresh = outcome.messages[1]!;
    expect(fresh.role).toBe('system');
    expect(summaryCovers(fresh)).toEqual(['U1', 'A1', 'U2', 'U5', 'A5']);
    expect(summarizer.requests).toHaveLength(1);
    expect(ids(summarizer.requests[0]!.messages)).toEqual(['U5', 'A5']);
    expect(summarizer.requests[0]!.previous[0]).toMatch(/^w0 w1/);

    const again = await compact(
      'sliding-window',
      path(outcome.messages, 1000, { keepLast: 2, summarise: true }),
      { ...context, summarizer },
    );
    expect(again.messages).toEqual(outcome.messages);
    expect(again.compacted).toBe(false);
    expect(summarizer.requests).toHaveLength(1);
  });
});

describe('case 12: the last user message is kept even when it alone exceeds the budget', () => {
  const counting = new TokenCounting();
  afterAll(() => counting.close());
  const meter = counting.meter('gpt-4o');
  const long = Array.from({ length: 1_300 }, (_, i) => `point ${i} of the request`).join('; ');

  it.each(PATH_STRATEGIES.filter((name) => name !== 'none'))(
    '%s keeps S and a cut U1 within 1,000 tokens',
    async (name) => {
      const conversation = [S(), U('U1', `${long}. What do you think?`)];
      expect(meter.message(conversation[1]!)).toBeGreaterThan(5_000);
      const outcome = await compact(name, path(conversation, 1_000), localContext(meter));
      expect(outcome.messages.map((m) => m.role)).toEqual(['system', 'user']);
      expect(outcome.truncated).toEqual(['U1']);
      expect(outcome.tokensAfter).toBeLessThanOrEqual(1_000);
      expect(outcome.messages[1]!.content).toMatch(/What do you think\?$/);
    },
  );

  it('none keeps U1 whole and says why it cannot fit', async () => {
    const conversation = [S(), U('U1', long)];
    const outcome = await compact('none', path(conversation, 1_000), localContext(meter));
    expect(outcome.fitsBudget).toBe(false);
    expect(outcome.reason).toMatch(/never removes/);
    expect(outcome.messages).toEqual(conversation);
  });
});

describe('case 13: edge inputs', () => {
  it.each(PATH_STRATEGIES)('%s handles [], [S] and [S, U""]', async (name) => {
    expect((await compact(name, path([], 0))).messages).toEqual([]);
    expect((await compact(name, path([S()], 100))).messages).toEqual([S()]);
    expect((await compact(name, path([S()], 0))).messages).toEqual([S()]);
    await compact(name, path([S(), U('U', '')], 5));
  });

  it.each(STRATEGY_NAMES.filter((name) => name.startsWith('merge')))(
    '%s merges two empty branches into nothing',
    async (name) => {
      const outcome = await compact(name, { kind: 'merge', main: [], branch: [], tokenBudget: 0 });
      expect(outcome.messages).toEqual([]);
    },
  );
});

describe('case 17: minimal merge', () => {
  const at = (minute: number) => `2025-01-01T00:0${minute}:00Z`;
  const main: ChatMessage[] = [
    { role: 'user', content: 'ok?', id: 'id1', createdAt: at(1) },
    { role: 'assistant', content: 'yes', id: 'id2', createdAt: at(2) },
  ];
  const branch: ChatMessage[] = [
    ...main,
    { role: 'user', content: 'ok?', id: 'id7', createdAt: at(5) },
    { role: 'assistant', content: 'yes', id: 'id8', createdAt: at(6) },
  ];
  const merge = (m: ChatMessage[], b: ChatMessage[], pinned?: string[]): CompactionInput => ({
    kind: 'merge',
    main: m,
    branch: b,
    tokenBudget: 1000,
    pinned,
  });

  it('collapses the same message and keeps the repeated turn with its own id', async () => {
    const outcome = await compact('merge-minimal', merge(main, branch));
    expect(ids(outcome.messages)).toEqual(['id1', 'id2', 'id7', 'id8']);
  });

  it('orders by time whichever branch a message comes from, ties to main', async () => {
    const late = [{ ...main[0]!, id: 'm1', createdAt: at(3) }];
    const early = [
      { ...main[1]!, id: 'b1', createdAt: at(1) },
      { ...main[0]!, id: 'b2', createdAt: at(3) },
    ];
    const outcome = await compact('merge-minimal', merge(late, early));
    expect(ids(outcome.messages)).toEqual(['b1', 'm1', 'b2']);
  });

  it('pins the survivor of a pinned copy and never removes a pinned repeat', async () => {
    const pinnedCopy = [
      ...branch.slice(0, 1).map((m) => ({ ...m, pinned: true })),
      ...branch.slice(1),
    ];
    const outcome = await compact('merge-minimal', merge(main, pinnedCopy, ['id8']));
    expect(outcome.messages[0]).toMatchObject({ id: 'id1', pinned: true });
    expect(ids(outcome.messages)).toContain('id8');
    for (const name of ['merge-moderate', 'merge-aggressive'] as const) {
      const tight = await compact(name, { ...merge(main, branch, ['id7']), tokenBudget: 30 });
      expect(ids(tight.messages)).toContain('id7');
    }
  });

  it('breaks ties the same way every time', async () => {
    const first = await compact('merge-minimal', merge(main, branch));
    const second = await compact('merge-minimal', merge(main, branch));
    expect(second.messages).toEqual(first.messages);
  });

  it('without ids, a repeated turn still survives', async () => {
    const strip = (messages: ChatMessage[]) =>
      messages.map(({ id: _id, ...rest }) => rest as ChatMessage);
    const outcome = await compact('merge-minimal', merge(strip(main), strip(branch)));
    expect(outcome.messages).toHaveLength(4);
  });
});

describe('the factory', () => {
  it('refuses an unknown name with the list of known ones', () => {
    expect(() => createStrategy('sliding')).toThrow(
      "unknown compaction strategy 'sliding'; known strategies: none, sliding-window, semantic, " +
        'hybrid, merge-none, merge-minimal, merge-moderate, merge-aggressive',
    );
  });

  it('refuses unknown options with the known ones', async () => {
    await expect(
      createStrategy('sliding-window').run(path([U('U')], 10, { keep: 3 }), context),
    ).rejects.toThrow(/keepLast, summarise, summaryMaxTokens/);
  });
});
