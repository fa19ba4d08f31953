import { ATTR, SPAN } from "./attributes.ts";
import type { SpanRecord } from "./span.ts";

/**
 * What feedback needs to know of a one-hop request (`/v1/route`, chat, A2A, an MCP
 * tool call) after it ended: whose it was, the specialist that served it (or was
 * tried last), its intent. Kept for every hop, sampled or not, in its specialist's
 * Metrics object for `observability.feedbackWindowSeconds` (durable-objects/metrics.ts).
 */
export interface HopRef {
  /** `hop_<uuid>`. */
  hop: string;
  tenant: string;
  specialist: string;
  /** The intent label it was routed by, when it had one (a pinned hop may not). */
  label?: string;
  /** The intent id, when it had one (its record holds the input while cached). */
  intentId?: string;
  /** When it ended, epoch ms. */
  at: number;
  /** When feedback on it is no longer taken, epoch ms. */
  expiresAt: number;
}

const str = (v: unknown): string | undefined => (typeof v === "string" && v !== "" ? v : undefined);

/**
 * The hop reference of a hop's spans (its request span carries `switchyard.hop.id`),
 * kept `windowMs` after the hop ended; undefined for a task step's spans, a hop that
 * reached no specialist, or a window of 0.
 *
 * @example
 * hopRefOf(trace.tracer.spans, 86_400_000) // { hop: "hop_…", tenant: "dev", specialist: "units", label: "units.convert", … }
 */
export function hopRefOf(spans: readonly SpanRecord[], windowMs: number): HopRef | undefined {
  if (!(windowMs > 0)) return undefined;
  const root = spans.find((s) => s.kind === "server" && str(s.attributes[ATTR.hop]) !== undefined);
  if (!root) return undefined;
  // an LLM router's call (under the escalation span) is not the hop's
  const asides = new Set(spans.filter((s) => s.name === SPAN.escalation).map((s) => s.spanId));
  const calls = spans.filter((s) => (s.name === SPAN.call || s.name === SPAN.admission) && !asides.has(s.parentSpanId ?? ""));
  const specialist = str(root.attributes[ATTR.specialist]) ?? str(calls.at(-1)?.attributes[ATTR.specialist]);
  const tenant = str(root.attributes[ATTR.tenant]);
  if (!specialist || !tenant) return undefined;
  const intent = spans.find((s) => s.name === SPAN.intent);
  const label = str(root.attributes[ATTR.intentLabel]) ?? str(intent?.attributes[ATTR.intentLabel]);
  const intentId = str(intent?.attributes[ATTR.intentId]);
  const at = root.endMs ?? root.startMs;
  return { hop: String(root.attributes[ATTR.hop]), tenant, specialist, ...(label ? { label } : {}), ...(intentId ? { intentId } : {}), at, expiresAt: at + windowMs };
}
