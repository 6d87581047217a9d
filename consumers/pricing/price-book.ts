import type { PriceCatalog } from './catalog.ts';
import { aliasKey, normalizeModel, withoutDateSuffix, type ModelAliases } from './model-names.ts';
import type { PriceRow } from './price-row.ts';

export interface PriceQuery {
  provider: string;
  model: string;
  tenantId: string;
  serviceTier: string;
  occurredAt: number;
}

export type PriceLookup = { row: PriceRow } | { row?: undefined; reason: string };

/**
 * Finds the price of a call. The model name is normalised (and an alias
 * such as an Azure deployment name replaced by the model it runs); then an
 * override from the prices file applies when one matches (a tenant's own
 * entry before a general one, the latest started first; a dated snapshot
 * falls back to its undated name), else the catalogue's price. An entry without a
 * service tier is a standard-tier price, like the catalogue's: a batch, flex
 * or priority call is priced only by an entry for its tier, and without one
 * it is unpriced rather than billed at the standard rate.
 */
export class PriceBook {
  constructor(
    private readonly overrides: PriceRow[],
    private readonly catalog: PriceCatalog,
    private readonly aliases: ModelAliases = new Map(),
  ) {}

  lookup(query: PriceQuery): PriceLookup {
    const sentProvider = query.provider.toLowerCase();
    const sentModel = normalizeModel(sentProvider, query.model);
    const alias = this.aliases.get(aliasKey(sentProvider, sentModel));
    const provider = alias?.provider ?? sentProvider;
    const model = alias?.model ?? sentModel;

    const undated = withoutDateSuffix(model);
    const override =
      this.bestOverride({ ...query, provider, model }) ??
      (undated ? this.bestOverride({ ...query, provider, model: undated }) : undefined);
    if (override) return { row: override };

    if (query.serviceTier !== 'standard') {
      return {
        reason:
          `no ${query.serviceTier}-tier price for ${provider}/${model}; ` +
          `add an override with serviceTier: ${query.serviceTier}`,
      };
    }
    const row = this.catalog.lookup(provider, model, query.occurredAt);
    return row ? { row } : { reason: `no price for ${provider}/${model}` };
  }

  private bestOverride(query: PriceQuery): PriceRow | undefined {
    const candidates = this.overrides.filter(
      (row) =>
        row.provider === query.provider &&
        row.model === query.model &&
        (row.tenantId === undefined || row.tenantId === query.tenantId) &&
        (row.serviceTier ?? 'standard') === query.serviceTier &&
        (row.validFrom ?? -Infinity) <= query.occurredAt &&
        query.occurredAt < (row.validTo ?? Infinity),
    );
    const rank = (row: PriceRow) => [row.tenantId ? 1 : 0, row.validFrom ?? -Infinity];
    return candidates.sort((a, b) => compareRanks(rank(b), rank(a)))[0];
  }
}

function compareRanks(a: number[], b: number[]): number {
  for (let i = 0; i < a.length; i++) {
    if (a[i] !== b[i]) return (a[i] ?? 0) - (b[i] ?? 0);
  }
  return 0;
}
