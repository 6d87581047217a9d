import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { computeCost } from '../consumers/pricing/cost.ts';
import { toLlmCallRow } from '../consumers/pricing/llm-calls-row.ts';
import { LlmCallsSink } from '../consumers/pricing/llm-calls-sink.ts';
import { costText } from '../consumers/pricing/pricer.ts';
import type { PriceRow } from '../consumers/pricing/price-row.ts';
import { uuidFrom } from '../lib/ids.ts';
import { Money } from '../lib/money.ts';
import type { LlmCall } from '../schemas/llm-call.ts';
import { scaled, tokenCost } from './helpers/decimal.ts';
import { freshStore, queryRows } from './helpers/infra.ts';

const CALLS = 1_000_000;
const BLOCK = 50_000;
// Prices with awkward digits, so that every cost has many decimals.
const PRICES = { input: '0.075', cacheRead: '0.0375', output: '0.3', reasoning: '0.33' };
const ROW: PriceRow = {
  source: 'test',
  provider: 'p',
  model: 'm',
  tiers: [],
  prices: Object.fromEntries(Object.entries(PRICES).map(([k, v]) => [k, new Money(v)])),
};

/** A deterministic pseudo-random sequence, so that a failure can be reproduced. */
function* tokenCounts(seed: number): Generator<number> {
  let state = seed;
  for (;;) {
    state = (Math.imul(state, 1_103_515_245) + 12_345) >>> 0;
    yield state % 40_000;
  }
}

describe('a million calls', () => {
  let store: Awaited<ReturnType<typeof freshStore>>;
  beforeAll(async () => {
    store = await freshStore();
  });
  afterAll(async () => {
    await store?.close();
  });

  it('sum to exactly the total of their exact costs, in llm_calls and in the rollups', async () => {
    const sink = new LlmCallsSink(store.client);
    const counts = tokenCounts(42);
    const day = Date.parse('2026-11-20T00:00:00Z');
    let expected = 0n;

    for (let start = 0; start < CALLS; start += BLOCK) {
      const rows = [];
      for (let i = start; i < start + BLOCK; i++) {
        const usage = {
          inputTokens: counts.next().value,
          cacheReadTokens: counts.next().value,
          cacheWriteTokens: 0,
          cacheWrite1hTokens: 0,
          outputTokens: counts.next().value,
          reasoningTokens: counts.next().value,
          audioInputTokens: 0,
          audioOutputTokens: 0,
        };
        expected +=
          tokenCost(BigInt(usage.inputTokens), PRICES.input) +
          tokenCost(BigInt(usage.cacheReadTokens), PRICES.cacheRead) +
          tokenCost(BigInt(usage.outputTokens), PRICES.output) +
          tokenCost(BigInt(usage.reasoningTokens), PRICES.reasoning);
        const result = computeCost(usage, 1, ROW);
        if (result.status !== 'priced') throw new Error(result.reason);
        const call: LlmCall = {
          eventId: uuidFrom(`million|${i}`),
          occurredAt: day + (i % 86_400_000),
          tenantId: `t${i % 7}`,
          userId: `u${i % 101}`,
          conversationId: null,
          touchpoint: 'bulk',
          provider: 'p',
          model: 'm',
          serviceTier: 'standard',
          usage,
          usageStatus: 'reported',
          unmappedUsage: {},
          requestCount: 1,
          durationMs: null,
          success: true,
          errorType: null,
          attributes: {},
        };
        rows.push(
          toLlmCallRow(
            {
              call,
              kind: 'call',
              correctsEventId: null,
              correction: null,
              pricingStatus: 'priced',
              priceVersion: 'test',
              unpricedReason: null,
              cost: costText(result.cost),
              pricedAt: day,
            },
            day,
          ),
        );
      }
      await sink.write(rows);
    }

    const [raw] = await queryRows(
      store,
      'SELECT count() AS n, sum(cost_usd) AS cost FROM llm_calls',
    );
    const [daily] = await queryRows(store, 'SELECT sum(cost_usd) AS cost FROM cost_daily');
    const [quarter] = await queryRows(store, 'SELECT sum(cost_usd) AS cost FROM cost_15m');
    expect(Number(raw!.n)).toBe(CALLS);
    expect(scaled(raw!.cost!)).toBe(expected);
    expect(scaled(daily!.cost!)).toBe(expected);
    expect(scaled(quarter!.cost!)).toBe(expected);
    // The total has all nine decimals the prices imply: nothing was rounded on the way.
    expect((expected / 10n ** 9n) % 1_000n).not.toBe(0n);
  }, 600_000);
});
