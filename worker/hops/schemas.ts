import { z } from "@hono/zod-openapi";
import { JsonValue } from "../http/schemas.ts";

/** A hop id: `hop_` and a UUID (an async hop's too: from its idempotency key, UUID-shaped). */
export const HopId = z.string().regex(/^hop_[0-9a-f-]{36}$/, "a hop id: 'hop_' and a UUID");

const HopStatus = z.enum(["queued", "running", "succeeded", "failed"]);
const Links = z.object({ self: z.string(), trace: z.string() });

/** `202 Accepted` of an async hop (`"async": true` or `Prefer: respond-async`). */
export const HopAccepted = z
  .object({ id: HopId, status: HopStatus, links: Links.openapi({ description: "self: poll it (GET /v1/hops/{id}); trace: its spans once it ran" }) })
  .openapi("HopAccepted");

/** `GET /v1/hops/{id}` (worker/hops/record.ts `hopView`). */
export const HopView = z
  .object({
    id: HopId,
    status: HopStatus,
    door: z.enum(["route", "chat"]).openapi({ description: "the front door it was submitted to: POST /v1/route or POST /v1/chat/completions" }),
    submittedAt: z.string(),
    startedAt: z.string().nullable().openapi({ description: "when its latest execution began" }),
    endedAt: z.string().nullable(),
    attempts: z.number().int().openapi({ description: "executions begun (a hop re-queued over a limit, or retried after an internal error, runs again)" }),
    retryAt: z.string().optional().openapi({ description: "a hop re-queued over a limit: when it is tried again" }),
    waiting: z.string().optional().openapi({ description: "why it waits (the limit's problem detail)" }),
    lastError: z.string().optional().openapi({ description: "an internal error of its latest execution (before any specialist call: it is retried)" }),
    callback: z.object({ url: z.string() }).optional().openapi({ description: "where its end is reported (the secret is never shown)" }),
    result: z
      .object({
        status: z.number().int().openapi({ description: "the status the synchronous request would have answered" }),
        headers: z.record(z.string(), z.string()).openapi({ description: "its answer headers: content-type, retry-after, x-intent-id, x-switchyard-specialist, x-switchyard-not-sent" }),
        body: JsonValue.optional().openapi({ description: "its body: the route's (or the chat completion's) JSON, or the problem (on the chat door, OpenAI's error)" }),
        bodyOmitted: z.boolean().optional().openapi({ description: "callback events only: the body was too large for a queue message; GET links.self" }),
      })
      .optional()
      .openapi({ description: "once ended: exactly what the synchronous request would have answered" }),
    expiresAt: z.string().openapi({ description: "when the router forgets it (24 h after its last change)" }),
    links: Links,
  })
  .openapi("AsyncHop");

/** The body of a `hop.run` message: which hop to run (its request is in its record). */
export const HopRunBody = z.object({ hop: HopId });

/** The `Prefer` request header, as the hop doors document it. */
export const PreferHeader = z.object({
  prefer: z
    .string()
    .optional()
    .openapi({ description: "RFC 7240: `respond-async` answers 202 with a hop id at once (GET /v1/hops/{id} for the result); `Preference-Applied: respond-async` says it was honoured" }),
});
