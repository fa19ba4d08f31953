import { z } from "@hono/zod-openapi";

// The shapes of `GET /v1/metrics` (worker/routes/metrics.ts).

export const Day = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, "a UTC day: YYYY-MM-DD")
  .refine((d) => {
    const t = Date.parse(`${d}T00:00:00Z`);
    return !Number.isNaN(t) && new Date(t).toISOString().startsWith(d); // 2026-02-30 parses as March 2nd
  }, "not a calendar day");
const Latency = z.object({ p50: z.number().nullable(), p95: z.number().nullable(), p99: z.number().nullable(), max: z.number().nullable(), mean: z.number().nullable() });
const Counts = z.record(z.string(), z.number().int());
export const Pool = z
  .object({
    name: z.string(),
    limited: z.boolean(),
    requests: z.object({ used: z.number(), limit: z.number().nullable() }),
    leases: z.object({ active: z.number(), limit: z.number().nullable() }),
    budget: z.object({ spentUsd: z.number(), limitUsd: z.number().nullable() }),
  })
  .nullable();
const Verdicts = z.object({ pass: z.number().int(), fail: z.number().int() }).openapi({ description: "verifiers' verdicts on the specialist's outputs (task steps with a verifier)" });
const Feedback = z
  .object({ good: z.number().int(), bad: z.number().int(), scored: z.number().int(), meanScore: z.number().nullable() })
  .openapi({ description: "explicit feedback (POST /v1/feedback) counted on the day of each target's latest version; a target counts once" });
const IntentFigures = {
  label: z.string(),
  requests: z.number().int().openapi({ description: "calls made for this label (every retry and fallback attempt)" }),
  ok: z.number().int(),
  errors: z.number().int(),
  refused: z.number().int(),
  cancelled: z.number().int(),
  successRate: z.number().nullable().openapi({ description: "ok / requests (null with none)" }),
  verifications: Verdicts,
  verifiedRate: z.number().nullable().openapi({ description: "pass / (pass + fail) (null with no verdict)" }),
  feedback: Feedback,
  latencyMs: z.object({ mean: z.number().nullable() }),
  costUsd: z.number(),
};
const IntentMetrics = z.object(IntentFigures).openapi("IntentMetrics");
const IntentRow = z
  .object({ ...IntentFigures, specialist: z.string() })
  .openapi("IntentSpecialistMetrics", { description: "one (intent label, specialist): the calls it served for the label, the verdicts on them, the feedback on them" });
const SpecialistMetrics = z
  .object({
    id: z.string(),
    requests: z.number().int().openapi({ description: "calls made (every retry and fallback attempt)" }),
    ok: z.number().int(),
    errors: z.number().int().openapi({ description: "calls that failed (the specialist's fault): by kind in failures" }),
    errorRate: z.number().openapi({ description: "errors / requests; refusals and cancelled calls are not errors" }),
    failures: Counts,
    refused: z.number().int().openapi({ description: "calls whose input the specialist refused (its 4xx about the input)" }),
    cancelled: z.number().int().openapi({ description: "calls whose client went away" }),
    denied: z.number().int().openapi({ description: "attempts refused before a call: pool limit, breaker open, kill switch, policy" }),
    denials: Counts,
    latencyMs: Latency,
    costUsd: z.number(),
    tools: z
      .record(z.string(), z.object({ calls: z.number().int(), ok: z.number().int(), errors: z.number().int(), denied: z.number().int() }))
      .optional()
      .openapi({ description: "the MCP door's tool calls among these, per tool (its name in the door's catalogue: a server's `<server>__<tool>`, or the `route` or specialist tool it was reached by)" }),
    escalations: z
      .object({ count: z.number().int(), outcomes: Counts, costUsd: z.number() })
      .optional()
      .openapi({ description: "its escalations as the LLM router (router.escalation), by outcome, and their cost; each one's call is among the requests, its cost in costUsd" }),
    coordination: z
      .object({ hedges: z.number().int(), hedged: z.number().int(), hedgeWins: z.number().int(), budgetDenied: z.number().int(), ensembles: z.number().int(), disagreements: z.number().int() })
      .optional()
      .openapi({ description: "hedges and ensembles of calls decided for it (docs/coordination.md): how many, how many hedged, won by the hedge, refused by the budget; ensembles and those not accepted" }),
    confidence: z
      .array(z.number().int())
      .length(10)
      .optional()
      .openapi({ description: "the classifier's confidence for what was routed to it by intent: counts in bins of 0.1 from 0 (the last holds 1.0)" }),
    verifications: Verdicts,
    feedback: Feedback,
    intents: z.array(IntentMetrics).openapi({ description: "per intent label it served (calls, verdicts or feedback), by label" }),
    breaker: z.enum(["closed", "open", "half-open"]).nullable().openapi({ description: "the worst state across the pool's shards (open if any shard is open); null without a breaker" }),
    pool: Pool,
  })
  .openapi("SpecialistMetrics");
export const MetricsView = z
  .object({
    day: Day,
    generatedAt: z.string(),
    totals: z.object({
      requests: z.number().int(),
      errors: z.number().int(),
      errorRate: z.number(),
      denied: z.number().int(),
      costUsd: z.number(),
      escalations: z.number().int().openapi({ description: "escalations to LLM routers (router.escalation)" }),
      feedback: Feedback,
    }),
    specialists: z.array(SpecialistMetrics),
    intents: z.array(IntentRow).openapi({ description: "every (intent label, specialist) of the day, by label then specialist: the per-intent view" }),
  })
  .openapi("Metrics");


const SeriesPoint = z
  .object({
    t: z.string().openapi({ description: "the interval's start (ISO 8601, UTC)" }),
    requests: z.number().int().openapi({ description: "calls made (every retry and fallback attempt)" }),
    ok: z.number().int(),
    errors: z.number().int(),
    errorsByKind: Counts,
    refused: z.number().int(),
    cancelled: z.number().int(),
    denied: z.number().int().openapi({ description: "attempts refused before a call: pool limit, breaker open (circuit_open), kill switch, policy" }),
    deniedByKind: Counts,
    costUsd: z.number(),
    inputTokens: z.number(),
    outputTokens: z.number(),
    latencyMs: z.object({ p50: z.number().nullable(), p95: z.number().nullable() }).openapi({ description: "quantiles of the interval's merged latency histogram; null with no calls" }),
    breaker: z
      .object({
        changes: Counts.openapi({ description: "the specialist's circuit breaker state changes in the interval, by the state entered: open, half-open, closed" }),
        state: z.enum(["open", "half-open", "closed"]).nullable().openapi({ description: "the state the last change entered; null: no change in the interval" }),
      })
      .openapi({ description: "breaker state changes (not per tenant: a tenant's series has none)" }),
  })
  .openapi("MetricsPoint");
export const SeriesView = z
  .object({
    from: z.string(),
    to: z.string(),
    resolution: z.enum(["1m", "5m", "15m", "1h", "1d"]),
    series: z.array(
      z.object({
        specialist: z.string().optional(),
        tenant: z.string().optional(),
        points: z.array(SeriesPoint).openapi({ description: "one per interval of [from, to), zeros where nothing was counted" }),
      }),
    ),
  })
  .openapi("MetricsSeries");
