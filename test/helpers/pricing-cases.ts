import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { packageRoot } from '../../lib/config.ts';

/** One priced call of a case: its usage, when it happened, and the right answer. */
export interface CaseEvent {
  caseId: string;
  provider: string;
  model: string;
  occurredAt: string;
  usage: Record<string, unknown>;
  stream: boolean;
  expected: Record<string, unknown> & { costUsd: string };
}

interface RawCase {
  id: string;
  area: string;
  provider: string;
  model: string;
  occurredAt?: string;
  usage?: Record<string, unknown>;
  stream?: boolean;
  prices?: Record<string, unknown>;
  otherVariantPrices?: Record<string, unknown> & { model: string };
  priceHistory?: { validFrom: string; validTo?: string; prices: Record<string, unknown> }[];
  events?: { occurredAt: string; usage: Record<string, unknown>; expected: { costUsd: string } }[];
  expected?: Record<string, unknown> & { costUsd: string };
}

const FILE = path.join(packageRoot, 'test/cases/pricing.json');

export function rawCases(): RawCase[] {
  return (JSON.parse(fs.readFileSync(FILE, 'utf8')) as { cases: RawCase[] }).cases;
}

/** The pricing-area cases, one entry per call they price. */
export function pricingCaseEvents(): CaseEvent[] {
  return rawCases()
    .filter((c) => c.area === 'pricing')
    .flatMap((c) =>
      c.events
        ? c.events.map((event) => ({
            caseId: c.id,
            provider: c.provider,
            model: c.model,
            occurredAt: event.occurredAt,
            usage: event.usage,
            stream: false,
            expected: event.expected,
          }))
        : [
            {
              caseId: c.id,
              provider: c.provider,
              model: c.model,
              occurredAt: c.occurredAt!,
              usage: c.usage!,
              stream: c.stream ?? false,
              expected: c.expected!,
            },
          ],
    );
}

/**
 * The prices of every pricing case as one overrides file, in the shape of
 * CONTRACTS.md. Each case's entries belong to a tenant named after the case
 * (its calls are that tenant's), so cases that price the same model
 * differently do not disturb each other.
 */
export function casePricesFile(): string {
  const entries: unknown[] = [];
  const add = (
    c: RawCase,
    model: string,
    prices: Record<string, unknown>,
    validity: { validFrom?: string; validTo?: string } = {},
  ) => {
    const { tiers, ...flat } = prices as { tiers?: Record<string, unknown>[] };
    entries.push({
      provider: c.provider,
      model,
      tenantId: c.id,
      ...validity,
      prices: flat,
      ...(tiers ? { tiers } : {}),
    });
  };

  for (const c of rawCases().filter((item) => item.area === 'pricing')) {
    for (const period of c.priceHistory ?? []) {
      add(c, c.model, period.prices, { validFrom: period.validFrom, validTo: period.validTo });
    }
    if (c.prices) add(c, c.model, c.prices);
    if (c.otherVariantPrices) {
      const { model, ...prices } = c.otherVariantPrices;
      add(c, model, prices);
    }
  }

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'llmcost-cases-'));
  const file = path.join(dir, 'case-prices.json');
  fs.writeFileSync(file, JSON.stringify(entries, null, 2));
  return file;
}
