/**
 * Money as the API shows it (decimal strings with at most two places, "19.90") and as the code
 * computes with it (bigint cents). Never a JS float: 0.1 + 0.2 is not 0.3.
 */

/** Up to 12 integer digits (DECIMAL(14,2) columns) and at most two decimals; no sign, no exponent. */
const AMOUNT = /^(0|[1-9]\d{0,11})(\.\d{1,2})?$/;

/** Parses "19.9" / "19.90" / "20" into cents; undefined for anything else (negative, "1e3", " 1"). */
export function parseCents(amount: string): bigint | undefined {
  if (!AMOUNT.test(amount)) return undefined;
  const [units = '0', decimals = ''] = amount.split('.');
  return BigInt(units) * 100n + BigInt(decimals.padEnd(2, '0'));
}

/** Formats cents as a two-place decimal string: 1990n -> "19.90", -5n -> "-0.05". */
export function formatCents(cents: bigint): string {
  const sign = cents < 0n ? '-' : '';
  const abs = cents < 0n ? -cents : cents;
  return `${sign}${abs / 100n}.${(abs % 100n).toString().padStart(2, '0')}`;
}

/** Normalises a stored or given amount to two places ("5" -> "5.00"); undefined when invalid. */
export function normaliseAmount(amount: string): string | undefined {
  const cents = parseCents(amount);
  return cents === undefined ? undefined : formatCents(cents);
}

export function minCents(a: bigint, b: bigint): bigint {
  return a < b ? a : b;
}
