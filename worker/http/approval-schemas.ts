import { z } from "@hono/zod-openapi";
import { Problem } from "./schemas.ts";
import { TaskId } from "./task-schemas.ts";

/**
 * A reviewer's name in a tenant's approvals inbox: free text, without control or
 * invisible formatting characters; compared and stored as `reviewerName` makes it
 * (worker/tasks/approvals.ts: NFKC, trimmed, inner spaces collapsed, lower case), so
 * `Carol`, ` carol ` and `carol` are one reviewer under one cap.
 */
export const Reviewer = z
  .string()
  .min(1)
  .max(200)
  .regex(/\S/, "a reviewer's name, not only spaces")
  .regex(/^[^\p{Cc}\p{Cf}]*$/u, "a reviewer's name without control or invisible formatting characters")
  .openapi({ description: "a reviewer (a person or team name; case, surrounding spaces and Unicode compatibility forms are not significant)", example: "alice" });

/** `GET /v1/approvals` filters: one reviewer's, or the unassigned ones (not both), and how many. */
export const ApprovalsQuery = z.object({
  assignee: Reviewer.optional().openapi({ description: "only the approvals assigned to this reviewer" }),
  unassigned: z.enum(["true", "false"]).optional().openapi({ description: "`true`: only the approvals assigned to no one" }),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});

/** `POST /v1/approvals/:taskId/assign`: `reviewer: null` unassigns; `by` is the caller's claim of who assigns. */
export const AssignRequest = z.strictObject({
  reviewer: Reviewer.nullable().openapi({ description: "the reviewer to assign, or null to unassign" }),
  by: z.string().min(1).max(200).optional().openapi({ description: "who assigns (kept in the audit log as the caller's claim)" }),
});

/** One open approval of the inbox. */
export const ApprovalItem = z
  .object({
    taskId: TaskId,
    goal: z.string().openapi({ description: "the task's goal (its first 200 characters)" }),
    step: z.string().openapi({ description: "the step the gate holds" }),
    reason: z.string().openapi({ description: "what the gate waits on" }),
    requestedAt: z.string().openapi({ description: "when the gate opened (ISO 8601)" }),
    expiresAt: z.string().openapi({ description: "when the gate rejects itself (ISO 8601)" }),
    assignee: z.string().nullable(),
    assignedBy: z.string().nullable().openapi({ description: "the principal who assigned it (`tenant:acme as \"bob\"`)" }),
    assignedAt: z.string().nullable(),
    links: z.object({ task: z.string(), approve: z.string(), reject: z.string(), assign: z.string(), dashboard: z.string() }),
  })
  .openapi("Approval");

/** `GET /v1/approvals`: the open approvals, soonest-expiring first, and the per-reviewer cap. */
export const ApprovalInbox = z
  .object({
    approvals: z.array(ApprovalItem),
    maxOpenPerReviewer: z.number().int().openapi({ description: "open approvals one reviewer may hold (tasks.maxOpenApprovalsPerReviewer)" }),
  })
  .openapi("ApprovalInbox");

/** The 409 of an assignment over the per-reviewer cap: who, how many they hold, and the cap. */
export const ReviewerAtCapacity = Problem.extend({
  reviewer: z.string(),
  held: z.number().int().openapi({ description: "open approvals the reviewer holds" }),
  cap: z.number().int().openapi({ description: "tasks.maxOpenApprovalsPerReviewer" }),
}).openapi("ReviewerAtCapacity");
