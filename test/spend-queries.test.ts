import { afterAll, describe, expect, it } from 'vitest';
import { periodOf } from '../consumers/alerting/period.ts';
import { parseScope } from '../consumers/alerting/scope.ts';
import { scopeSpends } from '../consumers/alerting/spend-query.ts';
import { createPriceBook } from '../consumers/pricing/create-price-book.ts';
import { LlmCallsSink } from '../consumers/pricing/llm-calls-sink.ts';
import { toLlmCallRow } from '../consumers/pricing/llm-calls-row.ts';
import { priceCall } from '../consumers/pricing/pricer.ts';
import { parseLlmCall } from '../schemas/llm-call.ts';
import { scaled, tokenCost } from './helpers/decimal.ts';
import { freshStore, testLogger } from './helpers/infra.ts';

/** More than one query's worth of questions (50 a query), so that they are asked in chunks. */
const TENANTS = 120;

describe('the spends of many budgets at once', () => {
  const cleanup: (() => Promise<unknown>)[] = [];
  afterAll(async () => {
    for (const step of cleanup.reverse()) await step();
  });

  it('answers each scope its own spend, across queries, in the order asked', async () => {
    const store = await freshStore();
    cleanup.push(() => store.close());
    const book = createPriceBook(undefined, testLogger);
    const now = Date.now();
    // Tenant i makes i calls of 1,000 input and 100 output tokens of gpt-4o.
    const rows = Array.from({ length: TENANTS }, (_, tenant) =>
      Array.from({ length: tenant }, () =>
        parseLlmCall({
          tenantId: `t${tenant}`,
          touchpoint: 'main-chat',
          provider: 'openai',
          model: 'gpt-4o',
          occurredAt: new Date(now - 60_000).toISOString(),
          usage: { inputTokens: 1_000, outputTokens: 100 },
        }),
      ),
    )
      .flat()
      .map((call) => toLlmCallRow(priceCall(call, book, now), now));
    await new LlmCallsSink(store.client).write(rows);

    // Asked in reverse, so that an answer in the order of the rows would show.
    const window = periodOf(now, 'day', 'UTC');
    const tenants = Array.from({ length: TENANTS }, (_, i) => TENANTS - 1 - i);
    const spends = await scopeSpends(
      store.client,
      tenants.map((tenant) => ({ scope: parseScope(`tenant=t${tenant}`), window })),
    );

    const perCall = tokenCost(1_000n, '2.50') + tokenCost(100n, '10.00');
    expect(spends.map((spend) => scaled(spend.spendUsd.toFixed()))).toEqual(
      tenants.map((tenant) => perCall * BigInt(tenant)),
    );
    expect(spends.every((spend) => spend.unpricedRequests === 0)).toBe(true);
  });
});
