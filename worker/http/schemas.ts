import { z } from "@hono/zod-openapi";
import { isJson, type Json } from "../json.ts";
import { ESCALATION_OUTCOMES } from "../intent/record.ts";
import { Callback } from "../queues/callbacks.ts";

/**
 * Any JSON value, typed as {@link Json} (what Durable Object RPC can carry): a body
 * parsed from JSON always is one. `z.json()` would do, but the OpenAPI generator
 * recurses into it without end.
 */
export const JsonValue = z.custom<Json>(isJson, "a JSON value").openapi({ description: "any JSON value", type: ["object", "array", "string", "number", "boolean", "null"], additionalProperties: true });

export const Problem = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    errors: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
    // extension members (RFC 9457 §3.2), on the problems that carry them
    hop: z.string().optional().openapi({ description: "the hop's id (a failed hop): GET /v1/hops/{id}/trace" }),
    tried: z
      .array(z.object({ specialist: z.string(), attempt: z.number().int(), failure: z.string().optional(), status: z.number().int().optional() }))
      .optional()
      .openapi({ description: "every call attempt of a failed hop, in order" }),
    upstream: z
      .object({ status: z.number().int().nullable(), error: JsonValue.optional().openapi({ description: "an OpenAI-compatible specialist's own error object" }) })
      .optional()
      .openapi({ description: "a specialist's refusal, as it answered" }),
    screening: z.object({ flagged: z.boolean(), score: z.number(), signals: z.array(z.string()) }).optional().openapi({ description: "content-flagged: the screening verdict" }),
  })
  .openapi("Problem");

const problemResponse = (description: string) => ({
  description,
  content: { "application/problem+json": { schema: Problem } },
});

/** Problem responses shared by every authenticated route. */
export const commonProblems = {
  400: problemResponse("Bad input"),
  401: problemResponse("Missing or unknown API key"),
  403: problemResponse("The tenant is stopped by a kill switch"),
  405: problemResponse("The path does not take this method (see Allow)"),
  413: problemResponse("Body too large"),
  415: problemResponse("The body is not JSON (Content-Type)"),
  429: problemResponse("Too many unknown keys from this address, or over a limit (see Retry-After)"),
  503: problemResponse("The router is stopped by its global kill switch, has no keys, or its config does not validate"),
} as const;

export { problemResponse };

export const IntentId = z.string().regex(/^in_[0-9a-f]{32}$/, "an intent id: 'in_' and 32 hex digits");
const SpecialistId = z.string().regex(/^[a-z][a-z0-9_-]{0,63}$/, "a specialist id");

export const IntentCandidate = z.object({ label: z.string(), specialist: z.string(), confidence: z.number() });

export const IntentRecordSchema = z
  .object({
    id: IntentId,
    label: z.string(),
    specialist: z.string(),
    confidence: z.number(),
    inScope: z.boolean(),
    topK: z.array(IntentCandidate),
    encoder: z.string(),
    model: z.string(),
    createdAt: z.string(),
    escalation: z
      .object({
        by: z.string().openapi({ description: "the chat specialist asked (router.escalation.specialist)" }),
        outcome: z.enum(ESCALATION_OUTCOMES).openapi({ description: "picked or none decided the record; any other outcome kept the classifier's answer" }),
        below: z.number(),
        from: IntentCandidate.openapi({ description: "the classifier's own answer" }),
        ms: z.number(),
        costUsd: z.number(),
        detail: z.string().optional(),
      })
      .optional()
      .openapi({ description: "present when the classifier was unsure and an LLM router was asked (docs/intents.md, Escalation)" }),
  })
  .openapi("Intent");

/** Text to route: not empty, not only whitespace (a 400 like an empty string). */
const InputText = z.string().min(1).refine((t) => t.trim() !== "", "is only whitespace");
export const IntentRequest = z.strictObject({ input: InputText }).openapi("IntentRequest");

export const IntentResponse = IntentRecordSchema.extend({
  cached: z.string().nullable().openapi({ description: "tier that answered (lru, cache, kv), null when just classified" }),
}).openapi("IntentResponse");

export const RouteRequest = z
  .strictObject({
    input: InputText.optional(),
    intent: IntentId.optional(),
    specialist: SpecialistId.optional(),
    context: z.record(z.string(), z.unknown()).optional(),
    idempotencyKey: z.string().min(1).max(255).optional(),
    async: z.boolean().optional().openapi({ description: "true: answer 202 with a hop id at once and run the hop from the queue (GET /v1/hops/{id}); the Prefer: respond-async header does the same" }),
    callback: Callback.optional().openapi({ description: "an async hop only: where its end is POSTed (signed with the secret), as a hop.succeeded or hop.failed event" }),
  })
  .openapi("RouteRequest");
export type RouteRequest = z.infer<typeof RouteRequest>;

const ScreeningView = z.object({ flagged: z.boolean(), score: z.number(), signals: z.array(z.string()) });

export const Decision = z.object({
  specialist: z.string(),
  intent: z.object({ id: z.string(), label: z.string(), confidence: z.number() }).nullable(),
  reason: z.string(),
  alternatives: z.array(z.object({ specialist: z.string(), label: z.string(), confidence: z.number() })),
  candidates: z.array(z.string()).openapi({ description: "the specialists the decision would try, in order (fallbacks follow them)" }),
});

export const RouteResponse = z
  .object({
    id: z.string(),
    decision: Decision,
    output: z.unknown(),
    usage: z.object({
      specialist: z.string(),
      costUsd: z.number(),
      attempts: z.number().int(),
      units: z.number().optional(),
      inputTokens: z.number().optional(),
      outputTokens: z.number().optional(),
    }),
    attempts: z.array(
      z.object({ specialist: z.string(), attempt: z.number(), ok: z.boolean(), ms: z.number(), failure: z.string().optional() }),
    ),
    timings: z.object({ intentMs: z.number(), routeMs: z.number(), specialistMs: z.number(), totalMs: z.number() }),
    screening: z
      .object({ input: ScreeningView.optional(), output: ScreeningView.optional() })
      .optional()
      .openapi({ description: "present when screening (mode flag) flagged the input or the output as a likely prompt injection" }),
  })
  .openapi("RouteResponse");
