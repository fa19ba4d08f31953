/**
 * Whether a `Prefer` header (RFC 7240) asks for `respond-async`: preferences are
 * comma-separated, each a token with an optional `=value` and `;`-parameters; the
 * token is case-insensitive (§2). A header sent twice reaches the worker joined by ", ".
 *
 * @example
 * prefersAsync("respond-async, wait=10") // true
 * prefersAsync("return=minimal") // false
 */
export function prefersAsync(header: string | null | undefined): boolean {
  if (!header) return false;
  return header.split(",").some((p) => p.split(";")[0]!.split("=")[0]!.trim().toLowerCase() === "respond-async");
}

/** How a hop is to be answered: at once with a hop id (`async`), and whether that honours the caller's `Prefer` header. */
export interface AsyncMode {
  async: boolean;
  /** Answer `Preference-Applied: respond-async`. */
  preferenceApplied: boolean;
}

/**
 * Whether to answer a hop asynchronously: a body's `"async"` decides when present
 * (`false` keeps a `Prefer: respond-async` request synchronous); else the `Prefer`
 * header. A hop the queue consumer replays (`replayed`) always runs synchronously.
 *
 * @example
 * asyncMode(undefined, "respond-async", false) // { async: true, preferenceApplied: true }
 * asyncMode(true, undefined, false) // { async: true, preferenceApplied: false }
 */
export function asyncMode(bodyAsync: boolean | undefined, prefer: string | null | undefined, replayed: boolean): AsyncMode {
  if (replayed) return { async: false, preferenceApplied: false };
  const asked = prefersAsync(prefer);
  const async = bodyAsync ?? asked;
  return { async, preferenceApplied: async && asked };
}

/**
 * Seconds a `Retry-After` value says (delay-seconds, or an HTTP-date relative to
 * `now`), or undefined when it is absent or neither (RFC 9110 §10.2.3).
 *
 * @example
 * retryAfterSeconds("60", 0) // 60
 */
export function retryAfterSeconds(value: string | null | undefined, now: number): number | undefined {
  if (value === null || value === undefined || value.trim() === "") return undefined;
  const v = value.trim();
  if (/^\d+$/.test(v)) return Number(v);
  if (!/^[A-Za-z]/.test(v)) return undefined; // every HTTP-date form begins with the day's name
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(0, Math.ceil((at - now) / 1000));
}
