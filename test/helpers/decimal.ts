/**
 * Exact decimal arithmetic for tests, on scaled BigInts, so that every
 * expected cost is computed independently of the money code under test.
 */
const SCALE = 18;
const FACTOR = 10n ** BigInt(SCALE);

/** '2.50' → 2500000000000000000n (scaled by 10^18). */
export function scaled(text: string): bigint {
  const match = /^(-?)(\d+)(?:\.(\d+))?$/.exec(text.trim());
  if (!match) throw new Error(`not a decimal: ${text}`);
  const fraction = (match[3] ?? '').padEnd(SCALE, '0');
  if (fraction.length > SCALE) throw new Error(`more than ${SCALE} decimals: ${text}`);
  const value = BigInt(match[2]!) * FACTOR + BigInt(fraction);
  return match[1] ? -value : value;
}

/** tokens × price-per-million, scaled; exact because prices have ≤ 12 decimals. */
export function tokenCost(tokens: bigint, pricePerMillion: string): bigint {
  return (tokens * scaled(pricePerMillion)) / 1_000_000n;
}

export function unscaled(value: bigint): string {
  const negative = value < 0n;
  const digits = (negative ? -value : value).toString().padStart(SCALE + 1, '0');
  const whole = digits.slice(0, -SCALE);
  const fraction = digits.slice(-SCALE).replace(/0+$/, '');
  return `${negative ? '-' : ''}${whole}${fraction ? `.${fraction}` : ''}`;
}
