import { createRoute, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { requireControl } from "../control.ts";
import type { AppEnv } from "../env.ts";
import { actorOf } from "../http/auth.ts";
import { routeGroup } from "../http/openapi-app.ts";
import { notFound, ProblemError } from "../http/problem.ts";
import { commonProblems, JsonValue, problemResponse } from "../http/schemas.ts";
import { replayDeadLetter, shownDeadLetter } from "../queues/dead-letters.ts";
import { WORK_QUEUES, type WorkQueue } from "../queues/names.ts";
import { requireAdmin } from "./admin.ts";

const json = <T extends z.ZodType>(schema: T, description: string) => ({ description, content: { "application/json": { schema } } });
const adminProblems = { ...commonProblems, 403: problemResponse("Not an admin key") };
const Queue = z.enum(Object.keys(WORK_QUEUES) as [WorkQueue, ...WorkQueue[]]);
const Seq = z.object({ seq: z.coerce.number().int().min(1).max(Number.MAX_SAFE_INTEGER).openapi({ description: "the dead letter's sequence number" }) });
const Why = z.strictObject({ by: z.string().min(1).max(200).optional(), reason: z.string().min(1).max(2000).optional() });

const DeadLetterView = z
  .object({
    seq: z.number().int(),
    queue: z.string().openapi({ description: "the work queue it came from: hops, webhooks, steps" }),
    messageId: z.string().openapi({ description: "the Queues message id" }),
    envelopeId: z.string().nullable().openapi({ description: "the envelope's idempotency id (null: the body was not an envelope)" }),
    kind: z.string().nullable(),
    tenant: z.string().nullable(),
    reason: z.string().openapi({ description: "why it died: the last failure its deliveries noted, or why it was refused" }),
    attempts: z.number().int(),
    firstFailureAt: z.string().nullable(),
    lastFailureAt: z.string().nullable(),
    deadAt: z.string(),
    body: JsonValue.openapi({ description: "the message as delivered, every member named `secret` redacted (a replay sends the original)" }),
  })
  .openapi("DeadLetter");
const Resolved = z.object({ seq: z.number().int(), queue: z.string(), action: z.enum(["replayed", "discarded"]) }).openapi("DeadLetterResolved");

const list = createRoute({
  method: "get",
  path: "/v1/admin/dead-letters",
  summary: "Dead letters of the router's queues, oldest first",
  request: {
    query: z.object({
      queue: Queue.optional(),
      tenant: z.string().min(1).max(64).optional(),
      after: z.coerce.number().int().min(0).optional().openapi({ description: "only letters after this sequence number (the last page's `next`)" }),
      limit: z.coerce.number().int().min(1).max(500).default(50),
    }),
  },
  responses: { 200: json(z.object({ deadLetters: z.array(DeadLetterView), next: z.number().int().nullable().openapi({ description: "`after` for the next page; null on the last" }) }), "Dead letters"), ...adminProblems },
});
const get = createRoute({ method: "get", path: "/v1/admin/dead-letters/{seq}", summary: "One dead letter", request: { params: Seq }, responses: { 200: json(DeadLetterView, "The dead letter"), 404: problemResponse("Unknown sequence number"), ...adminProblems } });
const resolve = (action: "replay" | "discard") =>
  createRoute({
    method: "post",
    path: `/v1/admin/dead-letters/{seq}/${action}`,
    summary: action === "replay" ? "Send a dead letter's original message to its work queue again, and remove the letter" : "Remove a dead letter without sending it",
    request: { params: Seq, body: { required: false, content: { "application/json": { schema: Why } } } },
    responses: { 200: json(Resolved, action === "replay" ? "Re-sent and removed (audited)" : "Removed (audited)"), 404: problemResponse("Unknown sequence number"), ...adminProblems },
  });

const control = (c: Context<AppEnv>) => requireControl(c.env);

async function letterOr404(c: Context<AppEnv>, seq: number) {
  const d = await control(c).deadLetter(seq);
  if (!d) throw notFound(`no dead letter ${seq}`);
  return d;
}

/** `/v1/admin/dead-letters…` (admin key only; docs/queues.md, "Dead letters"): list, read, replay, discard. */
export const deadLetterRoutes = routeGroup();
deadLetterRoutes.use("/v1/admin/dead-letters", requireAdmin());
deadLetterRoutes.use("/v1/admin/dead-letters/*", requireAdmin());
deadLetterRoutes
  .openapi(list, async (c) => {
    const q = c.req.valid("query");
    const letters = await control(c).deadLetters({ queue: q.queue, tenant: q.tenant, after: q.after, limit: q.limit });
    return c.json({ deadLetters: letters.map(shownDeadLetter), next: letters.length === q.limit ? letters.at(-1)!.seq : null }, 200);
  })
  .openapi(get, async (c) => c.json(shownDeadLetter(await letterOr404(c, c.req.valid("param").seq)), 200))
  .openapi(resolve("replay"), async (c) => {
    const { seq } = c.req.valid("param");
    const why = c.req.valid("json") ?? {};
    const d = await letterOr404(c, seq);
    try {
      await replayDeadLetter(c.env, d);
    } catch (e) {
      throw new ProblemError({ status: 503, slug: "replay-failed", title: "Replay failed", detail: `dead letter ${seq} was not re-sent (it is kept): ${e instanceof Error ? e.message : String(e)}` });
    }
    // sent: the letter goes (a concurrent replay or discard may have taken it first: the send stands, the ledger deduplicates)
    await control(c).resolveDeadLetter(seq, "replayed", actorOf(c.get("principal"), why.by), why.reason ?? "replayed");
    return c.json({ seq, queue: d.queue, action: "replayed" as const }, 200);
  })
  .openapi(resolve("discard"), async (c) => {
    const { seq } = c.req.valid("param");
    const why = c.req.valid("json") ?? {};
    const d = await letterOr404(c, seq);
    if (!(await control(c).resolveDeadLetter(seq, "discarded", actorOf(c.get("principal"), why.by), why.reason ?? "discarded"))) throw notFound(`no dead letter ${seq}`);
    return c.json({ seq, queue: d.queue, action: "discarded" as const }, 200);
  });
