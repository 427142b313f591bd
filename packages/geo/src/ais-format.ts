/**
 * gpsd's number formatting, reproduced so that scaled values equal what `gpsdecode -j` prints
 * once parsed back: C `printf("%.Nf")` rounds the exact binary value, ties to even.
 */

const POW10 = [1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8];

/**
 * `printf("%.<digits>f", x)` as a string (digits 0..8). Number.prototype.toFixed also rounds the
 * exact binary value, but sends exact ties away from zero; glibc sends them to even. An exact
 * tie is a double whose lowest set bit is 2^-(digits+1), i.e. x·2^(digits+1) is an odd integer
 * (multiplying by a power of two is exact).
 */
export function printfFixed(x: number, digits: number): string {
  const t = Math.abs(x) * 2 ** (digits + 1);
  if (!Number.isInteger(t) || t % 2 !== 1) return x.toFixed(digits);
  const p = POW10[digits] ?? 10 ** digits;
  const k = Math.floor(Math.abs(x) * p); // exact: |x|·10^d = k + 1/2
  const even = k % 2 === 0 ? k : k + 1;
  const s = (even / p).toFixed(digits);
  return x < 0 ? `-${s}` : s;
}

/** The number `printf("%.<digits>f", x)` denotes, as JSON.parse reads it back. */
export function fixed(x: number, digits: number): number {
  return Number(printfFixed(x, digits));
}

/**
 * gpsd `"%.6f"` of a 1/10000-minute coordinate (ITU-R M.1371 positions) in degrees.
 * raw·10/6 has a fractional part of 0, 1/3 or 2/3, never a tie, so one rounding is exact.
 */
export function degrees6(raw: number): number {
  return Math.round((raw * 10) / 6) / 1e6;
}

/** `"%.4f"` of a 1/10-minute coordinate (types 17, 27) in degrees; never a tie (thirds). */
export function degrees4(raw: number): number {
  return Math.round((raw * 50) / 3) / 1e4;
}
