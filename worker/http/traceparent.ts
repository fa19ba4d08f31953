/** A parsed W3C `traceparent` (version 00). */
export interface TraceContext {
  traceId: string;
  spanId: string;
  flags: string;
}

const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

function hex(bytes: number): string {
  const b = crypto.getRandomValues(new Uint8Array(bytes));
  let out = "";
  for (const x of b) out += x.toString(16).padStart(2, "0");
  return out;
}

/** Parses a `traceparent` header; all-zero ids and other versions are rejected. */
export function parseTraceparent(header: string | null | undefined): TraceContext | undefined {
  const m = TRACEPARENT.exec(header?.trim().toLowerCase() ?? "");
  if (!m || /^0+$/.test(m[1]!) || /^0+$/.test(m[2]!)) return undefined;
  return { traceId: m[1]!, spanId: m[2]!, flags: m[3]! };
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
