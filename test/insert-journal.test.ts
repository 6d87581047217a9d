import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createPriceBook } from '../consumers/pricing/create-price-book.ts';
import { InsertJournal } from '../consumers/pricing/insert-journal.ts';
import { insertBlockOf, LlmCallsSink } from '../consumers/pricing/llm-calls-sink.ts';
import { toLlmCallRow } from '../consumers/pricing/llm-calls-row.ts';
import { priceCall } from '../consumers/pricing/pricer.ts';
import { parseLlmCall } from '../schemas/llm-call.ts';
import { freshStore, queryRows, testLogger } from './helpers/infra.ts';

const CALLS = 50;

/** Rows of calls at 1,000 input and 100 output tokens of gpt-4o. */
function rows() {
  const book = createPriceBook(undefined, testLogger);
  const now = Date.now();
  return Array.from({ length: CALLS }, (_, i) => {
    const call = parseLlmCall({
      eventId: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
      tenantId: 'acme',
      touchpoint: 'main-chat',
      provider: 'openai',
      model: 'gpt-4o',
      occurredAt: new Date(now - 60_000).toISOString(),
      usage: { inputTokens: 1_000, outputTokens: 100 },
    });
    return toLlmCallRow(priceCall(call, book, now), now);
  });
}

describe('an insert cut off between llm_calls and its views, then a restart', () => {
  const cleanup: (() => Promise<unknown>)[] = [];
  afterAll(async () => {
    for (const step of cleanup.reverse()) await step();
  });

  it('completes the views from the journal, counting each call once everywhere', async () => {
    const store = await freshStore();
    cleanup.push(() => store.close());
    const journalDir = fs.mkdtempSync(path.join(os.tmpdir(), 'llmcost-journal-'));
    const batch = rows();

    // What a process killed in the middle of an insert leaves: the block in its
    // journal, in llm_calls (and the stored ids), in neither rollup.
    const views = ['cost_daily_mv', 'cost_15m_mv'];
    for (const view of views) await store.client.command({ query: `DETACH TABLE ${view}` });
    await new LlmCallsSink(store.client).write(batch);
    for (const view of views) await store.client.command({ query: `ATTACH TABLE ${view}` });
    new InsertJournal(journalDir).keep(insertBlockOf(batch));
    const [cut] = await queryRows(
      store,
      'SELECT (SELECT count() FROM llm_calls) AS raw, (SELECT count() FROM cost_daily) AS daily',
    );
    expect([Number(cut!.raw), Number(cut!.daily)]).toEqual([CALLS, 0]);

    // The restarted process gets the same calls again, uncommitted as they were.
    const second = new LlmCallsSink(store.client, new InsertJournal(journalDir));
    const result = await second.write(batch);

    const [counts] = await queryRows(
      store,
      `SELECT (SELECT count() FROM llm_calls) AS raw,
              (SELECT sum(requests) FROM cost_daily) AS daily,
              (SELECT sum(requests) FROM cost_15m) AS quarter`,
    );
    expect([Number(counts!.raw), Number(counts!.daily), Number(counts!.quarter)]).toEqual([
      CALLS,
      CALLS,
      CALLS,
    ]);
    expect(result).toEqual({ inserted: 0, alreadyStored: CALLS });
    expect(new InsertJournal(journalDir).unfinished()).toEqual([]);
  });
});
