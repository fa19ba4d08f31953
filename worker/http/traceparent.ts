import { nonZeroHex } from "../observe/random-hex.ts";
/** A parsed W3C `traceparent` (version 00). */
export interface TraceContext {
  traceId: string;
  spanId: string;
  flags: string;
}

/** version-traceid-parentid-flags, lowercase hex only (W3C Trace Context §3.2.2). */
const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?$/;


/**
 * Parses a `traceparent` header (W3C Trace Context, level 1 and 2, §3.2 and §4.3):
 * lowercase hex only (uppercase is invalid: a new trace starts); version `ff` and
 * all-zero ids are invalid; version 00 has exactly four fields; a higher version is
 * parsed as 00, its trailing fields ignored.
 */
export function parseTraceparent(header: string | null | undefined): TraceContext | undefined {
  const m = TRACEPARENT.exec(header?.trim() ?? "");
  if (!m) return undefined;
  const [, version, traceId, spanId, flags, trailing] = m;
  if (version === "ff" || (version === "00" && trailing !== undefined)) return undefined;
  if (/^0+$/.test(traceId!) || /^0+$/.test(spanId!)) return undefined;
  return { traceId: traceId!, spanId: spanId!, flags: flags! };
}

/**
 * The context of this router's span: the caller's trace continues (new span id),
 * or a new trace starts, sampled at `sampleRatio` (see `traceIdSampled`).
 *
 * @example
 * formatTraceparent(childContext(parseTraceparent(req.headers.get("traceparent"))))
 */
export function childContext(parent: TraceContext | undefined, sampleRatio = 1): TraceContext {
  if (parent) return { traceId: parent.traceId, spanId: nonZeroHex(8), flags: parent.flags };
  const traceId = nonZeroHex(16);
  return { traceId, spanId: nonZeroHex(8), flags: traceIdSampled(traceId, sampleRatio) ? "01" : "00" };
}

/**
 * Whether a new trace is sampled at `ratio` (0–1), decided from its id alone (the
 * last 8 hex digits as a fraction of 2³²), as OpenTelemetry's TraceIdRatioBased
 * sampler does, so the decision is the same wherever it is made.
 */
export function traceIdSampled(traceId: string, ratio: number): boolean {
  if (ratio >= 1) return true;
  if (ratio <= 0) return false;
  return Number.parseInt(traceId.slice(-8), 16) < ratio * 2 ** 32;
}

export function formatTraceparent(t: TraceContext): string {
  return `00-${t.traceId}-${t.spanId}-${t.flags}`;
}

/**
 * A caller's `tracestate` if it is valid (W3C Trace Context §3.3: at most 32
 * comma-separated `key=value` list members, keys of lowercase letters, digits and
 * `_-*\/` with an optional `tenant@system` form, values of printable ASCII but `,`
 * and `=`, up to 256 characters each), else undefined (an invalid one is dropped, as
 * the spec allows). It travels with the trace: to every specialist, and back.
 *
 * @example
 * parseTracestate("congo=t61rcWkgMzE,rojo=00f067aa0ba902b7") // "congo=t61rcWkgMzE,rojo=00f067aa0ba902b7"
 */
export function parseTracestate(header: string | null | undefined): string | undefined {
  if (header === undefined || header === null) return undefined;
  const members = header.split(",").map((m) => m.trim()).filter((m) => m !== "");
  if (members.length === 0 || members.length > 32) return undefined;
  const key = /^(?:[a-z][a-z0-9_\-*/]{0,255}|[a-z0-9][a-z0-9_\-*/]{0,240}@[a-z][a-z0-9_\-*/]{0,13})$/;
  const value = /^[\x20-\x2b\x2d-\x3c\x3e-\x7e]{0,255}[\x21-\x2b\x2d-\x3c\x3e-\x7e]$/;
  for (const m of members) {
    const eq = m.indexOf("=");
    if (eq <= 0 || !key.test(m.slice(0, eq)) || !value.test(m.slice(eq + 1))) return undefined;
  }
  return members.join(",");
}
