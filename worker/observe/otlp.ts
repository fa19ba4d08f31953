import { SpanKind, SpanStatusCode, TraceFlags, type HrTime } from "@opentelemetry/api";
import { JsonTraceSerializer } from "@opentelemetry/otlp-transformer";
import { resourceFromAttributes } from "@opentelemetry/resources";
import type { ReadableSpan } from "@opentelemetry/sdk-trace";
import { ATTR_SERVICE_NAME, ATTR_SERVICE_VERSION } from "@opentelemetry/semantic-conventions";
import type { SpanRecord } from "./span.ts";

/**
 * OTLP/HTTP JSON export of the router's spans. The wire format is produced by
 * OpenTelemetry's own serializer (`@opentelemetry/otlp-transformer`'s
 * `JsonTraceSerializer`: hex ids, nanosecond times as strings, KeyValue/AnyValue
 * attributes, status codes): it bundles for workerd without Node built-ins and
 * adds about 10 KB. The router's span records are adapted to the SDK's
 * `ReadableSpan` shape; no SDK tracer runs.
 */
export interface OtlpResource {
  serviceName: string;
  serviceVersion?: string | undefined;
  /** More resource attributes (e.g. `deployment.environment.name`). */
  attributes?: Record<string, string>;
}

const KIND = { server: SpanKind.SERVER, client: SpanKind.CLIENT, internal: SpanKind.INTERNAL } as const;
const STATUS = { unset: SpanStatusCode.UNSET, ok: SpanStatusCode.OK, error: SpanStatusCode.ERROR } as const;

/** Epoch ms → OTel `HrTime` ([seconds, nanoseconds]), keeping the sub-ms part the clock gave. */
export function hrTime(ms: number): HrTime {
  const seconds = Math.floor(ms / 1000);
  return [seconds, Math.round((ms - seconds * 1000) * 1e6)];
}

const SCOPE = { name: "switchyard" };

function readable(s: SpanRecord, resource: ReadableSpan["resource"], version: string | undefined, remoteParent: boolean): ReadableSpan {
  const end = s.endMs ?? s.startMs;
  const ctx = { traceId: s.traceId, spanId: s.spanId, traceFlags: TraceFlags.SAMPLED };
  return {
    name: s.name,
    kind: KIND[s.kind],
    spanContext: () => ctx,
    ...(s.parentSpanId ? { parentSpanContext: { traceId: s.traceId, spanId: s.parentSpanId, traceFlags: TraceFlags.SAMPLED, isRemote: remoteParent } } : {}),
    startTime: hrTime(s.startMs),
    endTime: hrTime(end),
    status: { code: STATUS[s.status.code], ...(s.status.message ? { message: s.status.message } : {}) },
    attributes: s.attributes,
    links: [],
    events: [],
    duration: hrTime(end - s.startMs),
    ended: true,
    resource,
    instrumentationScope: { ...SCOPE, ...(version ? { version } : {}) },
    droppedAttributesCount: 0,
    droppedEventsCount: 0,
    droppedLinksCount: 0,
  };
}

/**
 * The OTLP `ExportTraceServiceRequest` JSON for `spans` (closed spans only).
 * The parent of a server span (the request's span) is the caller's: marked remote.
 *
 * @example
 * const body = otlpJson(spans, { serviceName: "switchyard" });
 * await fetch(`${collector}/v1/traces`, { method: "POST", headers: { "content-type": "application/json" }, body });
 */
export function otlpJson(spans: readonly SpanRecord[], r: OtlpResource): string {
  const resource = resourceFromAttributes({ ...(r.attributes ?? {}), [ATTR_SERVICE_NAME]: r.serviceName, ...(r.serviceVersion ? { [ATTR_SERVICE_VERSION]: r.serviceVersion } : {}) });
  const closed = spans.filter((s) => s.endMs !== null).map((s) => readable(s, resource, r.serviceVersion, s.kind === "server"));
  return new TextDecoder().decode(JsonTraceSerializer.serializeRequest(closed));
}

/** The collector's traces URL: `url` as given when it ends in `/v1/traces`, else with it appended. */
export function tracesUrl(url: string): string {
  const u = url.replace(/\/+$/, "");
  return u.endsWith("/v1/traces") ? u : `${u}/v1/traces`;
}
