/** A parsed W3C `traceparent` (version 00). */
export interface TraceContext {
  traceId: string;
  spanId: string;
  flags: string;
}

/** version-traceid-parentid-flags, lowercase hex only (W3C Trace Context §3.2.2). */
const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?$/;

function hex(bytes: number): string {
  const b = crypto.getRandomValues(new Uint8Array(bytes));
  let out = "";
  for (const x of b) out += x.toString(16).padStart(2, "0");
  return out;
}

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
 * or a new sampled trace starts.
 *
 * @example
 * formatTraceparent(childContext(parseTraceparent(req.headers.get("traceparent"))))
 */
export function childContext(parent: TraceContext | undefined): TraceContext {
  return { traceId: parent?.traceId ?? hex(16), spanId: hex(8), flags: parent?.flags ?? "01" };
}

export function formatTraceparent(t: TraceContext): string {
  return `00-${t.traceId}-${t.spanId}-${t.flags}`;
}
