import { binding, type Env } from "../env.ts";
import { namedId } from "../object-ids.ts";
import type { HopLog } from "./log.ts";
import type { HopRef } from "./hop-refs.ts";
import { addDays, deltasFromSpans, type SpecialistDay } from "./metrics-model.ts";
import { otlpJson, tracesUrl } from "./otlp.ts";
import { addBuckets, bucketsFromSpans, type BucketDelta } from "./timeseries.ts";
import type { ObservabilitySettings } from "./settings.ts";
import type { SpanRecord } from "./span.ts";

// Where finished spans go after the response: metrics (Durable Objects), OTLP
// (a collector), one-hop trace storage (KV) and the hop log line (console).

/** The Metrics object of a specialist. */
export function metricsStub(env: Env, specialist: string) {
  const ns = env.METRICS;
  return ns ? ns.get(namedId(ns, `specialist:${specialist}`)) : undefined;
}

/** This isolate's counters not sent yet, by specialist and UTC day. */
const pending = new Map<string, SpecialistDay>();
/** Its time-series minute deltas not sent yet, by specialist, tenant and minute (sent with the counters, in the same call). */
const pendingBuckets = new Map<string, BucketDelta>();
let lastFlush = 0;

const bucketKey = (b: BucketDelta) => `${b.specialist}\u0000${b.tenant}\u0000${b.start}`;
function keepBucket(b: BucketDelta): void {
  const had = pendingBuckets.get(bucketKey(b));
  pendingBuckets.set(bucketKey(b), had ? { ...addBuckets(had, b), specialist: b.specialist, tenant: b.tenant } : b);
}

let scheduled: Promise<void> | undefined;

/**
 * Adds the counter deltas of `spans` to this isolate's pending counters and sends
 * them all to each specialist's Metrics object (one call per specialist) at most once
 * per `flushMs`: now if that long has passed since the last send, else when it has
 * (this hop's after-response work waits for it), so the counters of an isolate that
 * gets no more traffic still arrive within `flushMs`. With `hopWindowMs`, a hop's
 * reference goes with them (feedback on it is taken that long). The time series'
 * minute deltas (timeseries.ts), counted for `tenant`, go in the same call: no send
 * more per hop. Runs after the response.
 */
export async function recordMetrics(env: Env, spans: readonly SpanRecord[], flushMs = 0, now = Date.now(), hopWindowMs = 0, tenant = ""): Promise<void> {
  for (const d of deltasFromSpans(spans, { hopWindowMs })) {
    const key = `${d.specialist}\u0000${d.day}`;
    const had = pending.get(key);
    pending.set(key, had ? addDays(had, d) : d);
  }
  for (const b of bucketsFromSpans(spans, tenant)) keepBucket(b);
  if (pending.size === 0 && pendingBuckets.size === 0) return;
  const wait = flushMs - (now - lastFlush);
  if (wait > 0) {
    scheduled ??= new Promise<void>((resolve) => setTimeout(resolve, wait)).then(() => {
      scheduled = undefined;
      return flush(env, Date.now());
    });
    return scheduled;
  }
  return flush(env, now);
}

/**
 * A hop's reference among this isolate's counters not sent yet (a hop it served within
 * the last `metricsFlushMs`), if it is the tenant's: feedback right after a hop does not
 * wait for the send.
 */
export function pendingHopRef(hop: string, tenant: string): HopRef | undefined {
  for (const d of pending.values()) {
    const ref = d.hopRefs?.find((r) => r.hop === hop);
    if (ref) return ref.tenant === tenant ? ref : undefined;
  }
  return undefined;
}

async function flush(env: Env, now: number): Promise<void> {
  if (pending.size === 0 && pendingBuckets.size === 0) return;
  lastFlush = now;
  const bySpecialist = new Map<string, { days: SpecialistDay[]; buckets: BucketDelta[] }>();
  const of = (id: string) => bySpecialist.get(id) ?? bySpecialist.set(id, { days: [], buckets: [] }).get(id)!;
  for (const d of pending.values()) of(d.specialist).days.push(d);
  for (const b of pendingBuckets.values()) of(b.specialist).buckets.push(b);
  pending.clear();
  pendingBuckets.clear();
  // a send that fails puts its counters back (added to whatever arrived meanwhile) for the next flush
  await Promise.all(
    [...bySpecialist].map(async ([id, { days, buckets }]) => {
      try {
        await metricsStub(env, id)?.record(days, buckets);
      } catch (e) {
        for (const d of days) {
          const key = `${d.specialist}\u0000${d.day}`;
          const had = pending.get(key);
          pending.set(key, had ? addDays(had, d) : d);
        }
        for (const b of buckets) keepBucket(b);
        console.warn(JSON.stringify({ msg: "metrics send failed; kept for the next flush", specialist: id, error: String(e) }));
      }
    }),
  );
}

/** Headers of the OTLP request: the configured ones, plus the JSON object in `headersSecret`. */
function otlpHeaders(env: Env, o: NonNullable<ObservabilitySettings["otlp"]>): Record<string, string> {
  const headers: Record<string, string> = { ...o.headers, "content-type": "application/json" };
  if (o.headersSecret === undefined) return headers;
  const raw = binding(env, o.headersSecret);
  try {
    const extra = typeof raw === "string" ? (JSON.parse(raw) as unknown) : undefined;
    if (extra && typeof extra === "object") for (const [k, v] of Object.entries(extra)) if (typeof v === "string") headers[k] = v;
  } catch {
    console.warn(JSON.stringify({ msg: "otlp headersSecret is not a JSON object of strings", secret: o.headersSecret }));
  }
  return headers;
}

/** POSTs `spans` to the collector (OTLP/HTTP JSON); a failed export is logged, never thrown. */
export async function exportOtlp(env: Env, o: ObservabilitySettings["otlp"], spans: readonly SpanRecord[]): Promise<void> {
  if (!o || spans.length === 0) return;
  const body = otlpJson(spans, { serviceName: o.serviceName, serviceVersion: env.VERSION });
  try {
    const res = await fetch(tracesUrl(o.url), { method: "POST", headers: otlpHeaders(env, o), body, signal: AbortSignal.timeout(o.timeoutMs) });
    await res.body?.cancel();
    if (!res.ok) console.warn(JSON.stringify({ msg: "otlp export refused", status: res.status, spans: spans.length }));
  } catch (e) {
    console.warn(JSON.stringify({ msg: "otlp export failed", error: String(e), spans: spans.length }));
  }
}

/** What `GET /v1/hops/:id/trace` reads back. */
export interface StoredHopTrace {
  hop: string;
  tenant: string;
  traceId: string;
  spans: SpanRecord[];
}

const hopKey = (id: string) => `hop:${id}`;

/** Stores a one-hop trace in KV `TRACES` for `ttlSeconds`. */
export async function storeHopTrace(env: Env, t: StoredHopTrace, ttlSeconds: number): Promise<void> {
  await env.TRACES?.put(hopKey(t.hop), JSON.stringify(t), { expirationTtl: ttlSeconds });
}

/** A stored one-hop trace, if it is the tenant's and has not expired. */
export async function readHopTrace(env: Env, hop: string, tenant: string): Promise<StoredHopTrace | undefined> {
  const t = (await env.TRACES?.get<StoredHopTrace>(hopKey(hop), "json")) ?? undefined;
  return t && t.tenant === tenant ? t : undefined;
}

/** Writes the hop's log line (Workers Logs indexes the JSON fields). */
export function writeLog(line: HopLog): void {
  console.log(JSON.stringify(line));
}

/** Runs after the response; failures are logged and never reach the caller. */
export function settle(defer: (p: Promise<unknown>) => void, what: string, p: Promise<unknown>): void {
  defer(p.catch((e: unknown) => console.warn(JSON.stringify({ msg: `${what} failed`, error: String(e) }))));
}
