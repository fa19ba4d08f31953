import { z } from "zod";

/** An OTLP/HTTP collector that receives every sampled trace (JSON encoding). */
export const OtlpSettings = z.lazy(() =>
  z.strictObject({
    /** The collector's base URL (`/v1/traces` is appended) or its full traces URL. */
    url: z.url({ protocol: /^https?$/ }),
    /** Extra request headers (not secret). */
    headers: z.record(z.string(), z.string()).default({}),
    /** Name of a Worker secret holding more headers as a JSON object (a collector's API key). */
    headersSecret: z
      .string()
      .regex(/^[A-Z][A-Z0-9_]*$/, "a SCREAMING_SNAKE binding name")
      .optional(),
    /** `service.name` of the exported resource. */
    serviceName: z.string().min(1).max(200).default("switchyard"),
    /** Per export request. */
    timeoutMs: z.number().int().min(100).max(60_000).default(5_000),
  }),
);

/** Tracing, metrics and logs (docs/observability.md). Everything runs after the response. */
export const ObservabilitySettings = z.lazy(() =>
  z.strictObject({
    /** Export spans to an OpenTelemetry collector; absent: no export. */
    otlp: OtlpSettings.optional(),
    /** One JSON log line per hop (`console.log`, for Workers Logs). */
    logs: z.boolean().default(true),
    /** Per-specialist counters in the Metrics Durable Objects (`GET /v1/metrics`). */
    metrics: z.boolean().default(true),
    /**
     * Each isolate adds up its counters and sends them at most this often (one call per
     * specialist), so metrics cost no Durable Object call per hop; `GET /v1/metrics`
     * lags by up to this much per isolate. 0 sends after every hop.
     */
    metricsFlushMs: z.number().int().min(0).max(60_000).default(1_000),
    /**
     * Share of new traces (requests that bring no `traceparent`) that are sampled:
     * stored for `GET /v1/hops/:id/trace` (one KV write per hop) and exported over
     * OTLP. Decided from the trace id, so every span of a trace agrees. A caller's
     * `traceparent` decides for its own trace (its `sampled` flag). Logs and metrics
     * cover every hop whatever this says.
     */
    sampleRatio: z.number().min(0).max(1).default(0.1),
    /** How long a one-hop trace stays readable at `GET /v1/hops/:id/trace` (KV `TRACES`). */
    hopTraceTtlSeconds: z
      .number()
      .int()
      .min(60)
      .max(30 * 86_400)
      .default(86_400),
    /**
     * How long a hop takes feedback (`POST /v1/feedback` with its `hopId`), at least:
     * every hop's reference (tenant, specialist, intent) is kept this long in its
     * specialist's Metrics object, sent with the metrics (one SQLite row per hop, so
     * only while `metrics` is on). 0 keeps none: only sampled hops (their stored trace,
     * for `hopTraceTtlSeconds`) take feedback then.
     */
    feedbackWindowSeconds: z
      .number()
      .int()
      .min(0)
      .max(30 * 86_400)
      .default(86_400),
  }),
);
export type ObservabilitySettings = z.infer<typeof ObservabilitySettings>;
