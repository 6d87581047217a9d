import type { ClickHouseClient } from '../../clickhouse/client.ts';
import type { Logger } from '../../lib/logger.ts';
import { Money } from '../../lib/money.ts';
import type { PricedCall } from '../../schemas/priced-call.ts';
import { correctionFor } from './corrections.ts';
import { toLlmCallRow } from './llm-calls-row.ts';
import type { LlmCallsSink } from './llm-calls-sink.ts';
import type { PriceBook } from './price-book.ts';
import { priceCall } from './pricer.ts';
import { readStoredCalls, storedCallSpan } from './stored-calls.ts';

export interface RepriceRequest {
  /** Inclusive, epoch milliseconds. */
  from: number;
  /** Exclusive. */
  to: number;
  tenantId?: string;
  /** Work out the corrections without writing or publishing them. */
  dryRun?: boolean;
}

export interface RepriceResult {
  examined: number;
  corrections: number;
  /**
   * Corrections another repricer stored first (the same correction of the
   * same call): nothing to do, but worth knowing.
   */
  alreadyStored: number;
  /** Calls that were unpriced and now have a price. */
  newlyPriced: number;
  /** Sum of all corrections, USD. */
  changeUsd: string;
  dryRun: boolean;
}

const DAY_MS = 24 * 3600 * 1000;

/**
 * Prices stored calls again with today's price book and records each
 * difference as a correction row (and a correction event on llm.costs.v1),
 * never updating a row. Calls are handled a day at a time, so that a long
 * range does not hold all of its calls in memory.
 */
export class Repricer {
  constructor(
    private readonly deps: {
      client: ClickHouseClient;
      book: () => PriceBook;
      sink: LlmCallsSink;
      publish: (corrections: PricedCall[]) => Promise<void>;
      logger: Logger;
      now?: () => number;
    },
  ) {}

  async run(request: RepriceRequest): Promise<RepriceResult> {
    const book = this.deps.book();
    const now = this.deps.now ?? Date.now;
    const total = {
      examined: 0,
      corrections: 0,
      alreadyStored: 0,
      newlyPriced: 0,
      change: new Money(0),
    };
    const span = await storedCallSpan(this.deps.client, request);
    const firstDay = span ? span.first - (span.first % DAY_MS) : request.to;

    for (let from = firstDay; span && from <= span.last; from += DAY_MS) {
      const to = Math.min(from + DAY_MS, request.to);
      const stored = await readStoredCalls(this.deps.client, {
        from: Math.max(from, request.from),
        to,
        tenantId: request.tenantId,
      });
      const corrections = stored
        .map((call) => correctionFor(call, priceCall(call.call, book, now()), now()))
        .filter((correction): correction is PricedCall => correction !== undefined);

      total.examined += stored.length;
      total.newlyPriced += corrections.filter(
        (c) => c.pricingStatus === 'priced' && c.correction?.previousPricingStatus !== 'priced',
      ).length;
      for (const c of corrections) total.change = total.change.plus(c.cost.totalUsd);
      if (request.dryRun) total.corrections += corrections.length;
      if (request.dryRun || corrections.length === 0) continue;

      const written = await this.deps.sink.write(corrections.map((c) => toLlmCallRow(c, now())));
      await this.deps.publish(corrections);
      total.corrections += written.inserted;
      total.alreadyStored += written.alreadyStored;
      this.deps.logger.info(
        {
          day: new Date(from).toISOString().slice(0, 10),
          corrections: written.inserted,
          alreadyStored: written.alreadyStored,
        },
        'corrections written',
      );
    }

    return {
      examined: total.examined,
      corrections: total.corrections,
      alreadyStored: total.alreadyStored,
      newlyPriced: total.newlyPriced,
      changeUsd: total.change.toFixed(),
      dryRun: request.dryRun ?? false,
    };
  }
}
