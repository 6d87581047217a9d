import { Decimal } from 'decimal.js';

/**
 * Decimal arithmetic for money. The precision is far above what any price
 * times any token count needs, so additions and multiplications of the
 * decimal strings in price tables are exact; nothing on the money path goes
 * through a binary floating-point number.
 */
export const Money = Decimal.clone({ precision: 80, rounding: Decimal.ROUND_HALF_EVEN });
export type Money = InstanceType<typeof Money>;

/** Digits after the point of the ClickHouse cost columns (Decimal(38, 18)). */
export const COST_SCALE = 18;

export const ZERO = new Money(0);
export const MILLION = new Money(1_000_000);

/** Parses a decimal string exactly; refuses exponents, signs other than '-', and blanks. */
export function parseMoney(text: string): Money {
  if (!/^-?\d+(\.\d+)?$/.test(text.trim())) {
    throw new RangeError(`'${text}' is not a plain decimal number`);
  }
  return new Money(text.trim());
}

/**
 * A float from a price catalogue, read back as the decimal it was written as.
 * JavaScript prints the shortest string that round-trips to the same double,
 * which is the catalogue's own literal for any price with up to 15
 * significant digits (2.5, 0.075, 1.25).
 */
export function moneyFromCatalogFloat(value: number): Money {
  if (!Number.isFinite(value) || value < 0) {
    throw new RangeError(`catalogue price ${value} is not a non-negative number`);
  }
  return new Money(value.toString());
}

/** The exact value as a plain decimal string without trailing zeros ('14', '0.005615'). */
export function formatMoney(value: Money): string {
  return value.toFixed();
}

/** Decimal(38, 18) holds 20 digits before the point; sums of rollups need room too. */
const MAX_COST = new Decimal('1e15');

/**
 * Whether a call's cost fits the cost columns with room for rollups to add
 * millions of such calls. A bigger cost comes from a wrong price or count,
 * and the call is stored unpriced instead of failing every insert it is in.
 */
export function fitsCostColumn(value: Money): boolean {
  return value.abs().lessThan(MAX_COST);
}

/**
 * A cost as the decimal string stored in a Decimal(38, 18) column. Prices
 * have at most 12 decimals per million tokens, so a cost never needs more
 * than 18; a value that would is refused rather than rounded.
 */
export function formatCost(value: Money): string {
  if (value.decimalPlaces() > COST_SCALE) {
    throw new RangeError(`cost ${value.toFixed()} has more than ${COST_SCALE} decimal places`);
  }
  return value.toFixed();
}
