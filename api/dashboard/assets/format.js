// @ts-check
/**
 * Display formats. Money arrives as exact decimal strings and is rounded
 * here on its digits (half away from zero), never through a float, so the
 * figure shown is the API's figure rounded, digit for digit.
 */

/**
 * Rounds a decimal string to `places` digits after the point.
 * @param {string} text
 * @param {number} places
 * @returns {string}
 */
export function roundDecimal(text, places) {
  const match = /^(-?)(\d+)(?:\.(\d+))?$/.exec(text.trim());
  if (!match) return text;
  const [, sign, whole, fraction = ''] = match;
  const digits = BigInt(whole + fraction.padEnd(places + 1, '0').slice(0, places + 1));
  const rounded = (digits + 5n) / 10n;
  const padded = rounded.toString().padStart(places + 1, '0');
  const intPart = padded.slice(0, padded.length - places);
  const fracPart = padded.slice(padded.length - places);
  const isZero = /^0*$/.test(intPart + fracPart);
  return `${sign && !isZero ? '-' : ''}${intPart}${places > 0 ? `.${fracPart}` : ''}`;
}

/**
 * Groups the thousands of a plain decimal string: 1234567.5 → 1,234,567.5.
 * @param {string} text
 */
function groupThousands(text) {
  const [whole = '', fraction] = text.split('.');
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return fraction === undefined ? grouped : `${grouped}.${fraction}`;
}

/**
 * US dollars: cents by default; `places` for small unit prices.
 * @param {string | null | undefined} text
 * @param {number} [places]
 */
export function formatUsd(text, places = 2) {
  if (text === null || text === undefined) return '—';
  const rounded = roundDecimal(text, places);
  const negative = rounded.startsWith('-');
  return `${negative ? '-' : ''}$${groupThousands(negative ? rounded.slice(1) : rounded)}`;
}

/** @param {number | null | undefined} value */
export function formatCount(value) {
  return value === null || value === undefined ? '—' : groupThousands(String(value));
}

/**
 * A percentage string from the API ('12.50') or a share computed here.
 * @param {string | null | undefined} text
 */
export function formatPercent(text) {
  return text === null || text === undefined ? '—' : `${roundDecimal(text, 1)}%`;
}
