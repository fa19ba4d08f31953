import { z } from "@hono/zod-openapi";
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

export const CancelRequest = z.strictObject({ by: z.string().min(1).max(200).optional(), reason: z.string().min(1).max(2000).optional() });

export const TaskView = z.object({ id: TaskId, status: z.string(), steps: z.array(z.record(z.string(), z.unknown())) }).passthrough().openapi("Task");

export const AuditView = z
  .object({
    entries: z.array(z.object({ seq: z.number(), at: z.string(), actor: z.string(), action: z.string(), detail: z.record(z.string(), z.unknown()), prevHash: z.string(), hash: z.string() })),
    verification: z.object({ ok: z.boolean() }).passthrough(),
  })
  .openapi("Audit");
