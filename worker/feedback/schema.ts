import { z } from "@hono/zod-openapi";
import { HopId } from "../hops/schemas.ts";
import { IntentId } from "../http/schemas.ts";
import { TaskId } from "../http/task-schemas.ts";

const SpecialistId = z.string().regex(/^[a-z][a-z0-9_-]{0,63}$/, "a specialist id");
const StepId = z.string().regex(/^[a-z][a-z0-9_-]{0,63}$/, "a step id");
const Label = z.string().min(1).max(128);

/** Longest `comment`, characters. */
export const MAX_COMMENT = 2_000;

/**
 * `POST /v1/feedback`'s body: exactly one target (`hopId`, `intentId`, or `taskId` with
 * `stepId`), the outcome, and optionally a correction (`correctLabel`,
 * `correctSpecialist`: only with `outcome: "bad"`), a score in [0, 1] and a comment.
 * Unknown members are refused (400 naming them).
 */
export const FeedbackRequest = z
  .strictObject({
    hopId: HopId.optional().openapi({ description: "a one-hop request's id (`id` of /v1/route, `switchyard.hop` of chat, `_meta[\"switchyard/hop\"]` of an MCP tool call)" }),
    intentId: IntentId.optional().openapi({ description: "an intent id (POST /v1/intents, X-Intent-Id): feedback on its classification" }),
    taskId: TaskId.optional().openapi({ description: "with stepId: a task step" }),
    stepId: StepId.optional(),
    outcome: z.enum(["good", "bad"]),
    correctLabel: Label.optional().openapi({ description: "the intent label it should have had: a label of the config (outcome bad only)" }),
    correctSpecialist: SpecialistId.optional().openapi({ description: "the specialist that should have served it: a registered specialist that takes hops (outcome bad only)" }),
    score: z.number().min(0).max(1).optional().openapi({ description: "a graded judgement in [0, 1]" }),
    comment: z.string().max(MAX_COMMENT).optional(),
  })
  .superRefine((b, ctx) => {
    const named = (["hopId", "intentId", "taskId"] as const).filter((k) => b[k] !== undefined);
    if (b.stepId !== undefined && b.taskId === undefined) ctx.addIssue({ code: "custom", path: ["stepId"], message: "a step is named with its taskId" });
    if (b.taskId !== undefined && b.stepId === undefined) ctx.addIssue({ code: "custom", path: ["stepId"], message: "name the task's step: stepId" });
    if (named.length === 0) ctx.addIssue({ code: "custom", path: [], message: "name one target: hopId, intentId, or taskId with stepId" });
    if (named.length > 1) ctx.addIssue({ code: "custom", path: [named[1]!], message: `name one target only (got ${named.join(" and ")})` });
    if (b.outcome === "good")
      for (const k of ["correctLabel", "correctSpecialist"] as const)
        if (b[k] !== undefined) ctx.addIssue({ code: "custom", path: [k], message: "a correction goes with outcome 'bad'" });
  })
  .openapi("FeedbackRequest");
export type FeedbackRequest = z.infer<typeof FeedbackRequest>;

const Target = z
  .union([
    z.object({ kind: z.literal("hop"), hopId: z.string() }),
    z.object({ kind: z.literal("intent"), intentId: z.string() }),
    z.object({ kind: z.literal("step"), taskId: z.string(), stepId: z.string() }),
  ])
  .openapi("FeedbackTarget");

/** A stored feedback record as the API shows it (its input and tenant are not shown). */
export const FeedbackView = z
  .object({
    id: z.string().openapi({ description: "`fb_` and 32 hex digits; the same for every version of one target's feedback" }),
    target: Target,
    specialist: z.string().openapi({ description: "the specialist that served the target (an intent's: the one it resolved to)" }),
    label: z.string().nullable().openapi({ description: "the intent label the target was routed by (null: none, e.g. a pinned hop)" }),
    intentId: z.string().nullable(),
    outcome: z.enum(["good", "bad"]),
    score: z.number().optional(),
    correctLabel: z.string().optional(),
    correctSpecialist: z.string().optional(),
    comment: z.string().optional(),
    inputKnown: z.boolean().openapi({ description: "whether the target's input text was known and stored with it (for corrections)" }),
    by: z.string().openapi({ description: "who gave it (the key's principal)" }),
    createdAt: z.string().openapi({ description: "when feedback on this target was first given" }),
    updatedAt: z.string().openapi({ description: "when this version was given" }),
    revision: z.number().int().openapi({ description: "1, then one more each time a different body replaced it (latest wins)" }),
    replaced: z.boolean().openapi({ description: "whether this version replaced an earlier, different one" }),
    learned: z
      .discriminatedUnion("status", [
        z.object({ status: z.enum(["active", "pending"]), example: z.string().openapi({ description: "the learned example's id (GET /v1/admin/learned)" }), note: z.string().optional() }),
        z.object({ status: z.literal("refused"), reason: z.enum(["rate", "full"]), detail: z.string(), withdrawn: z.number().int().optional() }),
        z.object({ status: z.literal("not-learned"), detail: z.string(), withdrawn: z.number().int().optional() }),
        z.object({ status: z.literal("withdrawn"), examples: z.number().int().openapi({ description: "learned examples the earlier version taught, reverted" }) }),
      ])
      .optional()
      .openapi({
        description:
          "What the correction taught the classifier (absent: no correction, or the same feedback again): an example `active` now or `pending` an admin's review; `refused` by a guard (learning.correctionsPerHour, learning.maxPerScope); `not-learned` (input unknown or too long, a specialist with several labels and no correctLabel); `withdrawn`: this version replaced one that corrected, and what it taught was reverted (a replacing correction that is refused or not learned says `withdrawn: n` too)",
      }),
  })
  .openapi("Feedback");

export const FeedbackListQuery = z.object({
  specialist: SpecialistId.optional().openapi({ description: "a configured specialist: only its feedback" }),
  label: Label.optional(),
  outcome: z.enum(["good", "bad"]).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
});

export const FeedbackList = z.object({ feedback: z.array(FeedbackView) }).openapi("FeedbackList");
