/**
 * Argument guards shared by the pool modules. They throw `RangeError` because a
 * bad limit or a negative count is a programming error, not an expected denial
 * (denials are returned as `{ ok: false, ... }` values).
 */

/**
 * Asserts `value` is an integer ≥ `min` (default 0); `Infinity` only when `allowInfinity`.
 *
 * @example
 * int("limit", 10) // 10
 * int("limit", -1) // throws RangeError
 */
export function int(name: string, value: number, min = 0, allowInfinity = false): number {
  if (allowInfinity && value === Number.POSITIVE_INFINITY) return value;
  if (!Number.isSafeInteger(value) || value < min) throw new RangeError(`${name} must be an integer ≥ ${min}, got ${String(value)}`);
  return value;
}

/**
 * Asserts `value` is a finite number ≥ 0 (or > 0 when `positive`).
 *
 * @example
 * nonNegative("windowMs", 60_000) // 60000
 * nonNegative("usd", Number.NaN) // throws RangeError
 */
export function nonNegative(name: string, value: number, positive = false): number {
  if (!Number.isFinite(value) || value < 0 || (positive && value === 0))
    throw new RangeError(`${name} must be a finite number ${positive ? ">" : "≥"} 0, got ${String(value)}`);
  return value;
}

/**
 * Asserts a snapshot carries the expected version tag (restore() of a foreign shape).
 *
 * @example
 * version("window", { v: 1 }) // ok
 */
export function version(kind: string, s: { v?: unknown } | null | undefined): void {
  if (s === null || typeof s !== "object" || s.v !== 1) throw new TypeError(`not a version-1 ${kind} snapshot`);
}
