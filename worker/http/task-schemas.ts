import { z } from "@hono/zod-openapi";
import { Callback } from "../queues/callbacks.ts";
import { Plan } from "../tasks/plan.ts";
import { JsonValue } from "./schemas.ts";

const SpecialistId = z.string().regex(/^[a-z][a-z0-9_-]{0,63}$/);

export const TaskId = z.string().regex(/^task_[0-9a-f]{32}$/, "a task id: 'task_' and 32 hex digits");

export const TaskRequest = z
  .strictObject({
    goal: z.string().min(1).max(10_000),
    input: z.string().min(1).max(100_000).optional(),
    context: z.record(z.string(), JsonValue).optional(),
    plan: Plan.optional(),
    workflow: SpecialistId.optional(),
    /** `true`: the configured `tasks.planner`; or a specialist id. */
    planner: z.union([z.literal(true), SpecialistId]).optional(),
    idempotencyKey: z.string().min(1).max(255).optional(),
    /** Shorter approval expiry for this task (capped by the config's `tasks.approvalTtlSeconds`). */
    approvalTtlSeconds: z.number().int().min(1).max(30 * 86_400).optional(),
    /** Where the task's state changes are POSTed, signed with `secret` (docs/queues.md, "Webhooks"). */
    callback: Callback.optional().openapi({
      description: "POSTed a signed event (Standard Webhooks) when the task succeeds, fails, is cancelled or rejected, or waits for approval; the secret is never shown again",
    }),
  })
  .refine((b) => [b.plan, b.workflow, b.planner].filter((x) => x !== undefined).length <= 1, { message: "give at most one of plan, workflow, planner" })
  .openapi("TaskRequest");
export type TaskRequest = z.infer<typeof TaskRequest>;

export const TaskAccepted = z
  .object({
    id: TaskId,
    status: z.string(),
    links: z.record(z.string(), z.string()),
  })
  .openapi("TaskAccepted");

export const Decision = z.strictObject({
  by: z.string().min(1).max(200).openapi({ description: "who decides (a person or system name)" }),
  reason: z.string().min(1).max(2000),
});

/** Approving a gate: a reviewer settling an ensemble's disagreement may `pick` the candidate whose answer the step takes (docs/coordination.md). */
export const ApproveDecision = Decision.extend({
  pick: z
    .string()
    .regex(/^c[1-9]$/, "a candidate id: c1, c2, …")
    .optional()
    .openapi({ description: "for a step paused on an ensemble's disagreement: the candidate (its coordination.ensemble.candidates[].id) whose answer the step takes; without it, the vote's answer" }),
});

export const CancelRequest = z.strictObject({ by: z.string().min(1).max(200).optional(), reason: z.string().min(1).max(2000).optional() });

const ScreeningVerdict = z.object({ flagged: z.boolean(), score: z.number(), signals: z.array(z.string()) }).openapi("ScreeningResult");
const EpochMs = z.number().openapi({ description: "epoch milliseconds" });

/** One step as `GET /v1/tasks/:id` shows it (the TaskAgent's StepDoc). */
export const StepView = z
  .object({
    id: z.string(),
    status: z.enum(["pending", "running", "awaiting_approval", "succeeded", "failed", "skipped", "cancelled"]),
    attempts: z.number().int(),
    specialist: z.string().optional(),
    intentId: z.string().optional(),
    input: z.string().optional().openapi({ description: "the rendered input, once the step started" }),
    output: JsonValue.optional(),
    error: z.string().optional(),
    startedAt: z.string().optional(),
    finishedAt: z.string().optional(),
    leaseUntil: EpochMs.optional().openapi({ description: "while running: when a crashed run is presumed dead (epoch ms)" }),
    dispatch: z
      .object({ attempt: z.number().int(), at: EpochMs, runAt: EpochMs.optional() })
      .optional()
      .openapi({ description: "the run went through the steps queue (beyond tasks.inlineSteps): the attempt its message was for, when it was sent, and when the run began" }),
    approved: z.boolean().optional(),
    unverifiedOutput: JsonValue.optional().openapi({ description: "an output that failed verification, waiting for a human to accept it" }),
    verdicts: z.array(z.object({ verifier: z.string(), specialist: z.string(), pass: z.boolean(), score: z.number(), reason: z.string(), at: z.string() })),
    costUsd: z.number(),
    screening: ScreeningVerdict.optional(),
    crashes: z.number().int().optional(),
    notBefore: EpochMs.optional().openapi({ description: "waiting out a transient refusal: not run before this (epoch ms)" }),
    waitingSince: EpochMs.optional(),
    waits: z.number().int().optional(),
    coordination: z
      .object({ strategy: z.string(), ensemble: z.looseObject({}).optional(), hedge: z.looseObject({}).optional() })
      .optional()
      .openapi({ description: "how the step was coordinated (docs/coordination.md): the strategy and why; an ensemble's candidates, votes, agreement, judge and decision; a hedge's delay, whether it hedged and who won" }),
  })
  .openapi("TaskStep");

/** A task as the task routes answer it (the TaskAgent's TaskDoc, its steps, and its links). */
export const TaskView = z
  .object({
    id: TaskId,
    tenant: z.string(),
    goal: z.string(),
    input: z.string(),
    status: z.enum(["planning", "running", "awaiting_approval", "succeeded", "failed", "cancelled", "rejected"]),
    plan: Plan.nullable(),
    planner: z.string().nullable(),
    workflow: z.string().nullable(),
    bodyHash: z.string(),
    createdAt: z.string(),
    updatedAt: z.string(),
    result: JsonValue.optional(),
    error: z.string().optional(),
    context: z.record(z.string(), JsonValue).optional(),
    contextRef: z.object({ sha256: z.string(), bytes: z.number().int() }).optional().openapi({ description: "large context, stored once: GET links.self/context/{sha256}" }),
    intentId: z.string().optional(),
    approvalTtlSeconds: z.number(),
    traceparent: z.string(),
    costUsd: z.number(),
    hops: z.number().int(),
    awaiting: z.object({ step: z.string(), reason: z.string(), since: z.string(), expiresAt: EpochMs }).optional(),
    inputGate: z.string().optional(),
    inputScreening: ScreeningVerdict.optional(),
    indexed: z.boolean().optional().openapi({ description: "the control plane's task index has it" }),
    callback: z.object({ url: z.string(), signed: z.boolean() }).optional().openapi({ description: "where state changes are POSTed, and whether they are signed (the secret is never shown)" }),
    steps: z.array(StepView),
    links: z.record(z.string(), z.string()),
  })
  .openapi("Task");

const AuditEntry = z.object({ seq: z.number().int(), at: z.string(), actor: z.string(), action: z.string(), detail: z.record(z.string(), JsonValue), prevHash: z.string(), hash: z.string() }).openapi("AuditEntry");

/** Whether a hash chain verifies (and against its anchored head). */
export const ChainVerdict = z
  .union([
    z.object({ ok: z.literal(true), entries: z.number().int(), head: z.string(), anchoredAt: z.number().int().optional() }),
    z.object({ ok: z.literal(false), brokenAt: z.number().int(), reason: z.string() }),
  ])
  .openapi("ChainVerdict");

export const AuditView = z.object({ entries: z.array(AuditEntry), verification: ChainVerdict }).openapi("Audit");
