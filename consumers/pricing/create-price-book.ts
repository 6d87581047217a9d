import type { Logger } from '../../lib/logger.ts';
import { PriceCatalog } from './catalog.ts';
import { loadModelAliases, type ModelAliases } from './model-names.ts';
import { loadPriceOverrides } from './overrides.ts';
import { PriceBook } from './price-book.ts';

/** The catalogue plus the overrides and model aliases of their files, checked at start. */
export function createPriceBook(
  pricesFile: string | undefined,
  logger: Logger,
  aliasesFile?: string,
): PriceBook {
  const overrides = pricesFile ? loadPriceOverrides(pricesFile, logger) : [];
  if (pricesFile) {
    logger.info({ file: pricesFile, entries: overrides.length }, 'price overrides loaded');
  }

  const aliases: ModelAliases = aliasesFile ? loadModelAliases(aliasesFile) : new Map();
  if (aliasesFile)
    logger.info({ file: aliasesFile, entries: aliases.size }, 'model aliases loaded');
  return new PriceBook(overrides, new PriceCatalog(), aliases);
}
