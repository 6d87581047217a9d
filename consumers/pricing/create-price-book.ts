import type { Logger } from '../../lib/logger.ts';
import { PriceCatalog } from './catalog.ts';
import { loadPriceOverrides } from './overrides.ts';
import { PriceBook } from './price-book.ts';

/** The catalogue plus the overrides of a prices file, checked at start. */
export function createPriceBook(pricesFile: string | undefined, logger: Logger): PriceBook {
  const overrides = pricesFile ? loadPriceOverrides(pricesFile, logger) : [];
  if (pricesFile)
    logger.info({ file: pricesFile, entries: overrides.length }, 'price overrides loaded');
  return new PriceBook(overrides, new PriceCatalog());
}
