import type { TaskDoc } from "./types.ts";

// The approvals inbox (the human-attention pool): every open approval gate of a
// tenant's tasks in one list, soonest-expiring first, each optionally assigned to a
// reviewer who may hold only so many at once. The rows live in the control plane;
// this module holds the decisions and shapes, with no Workers imports.

/** An open approval gate, as a task reports it to the control plane's inbox. */
export interface ApprovalReport {
  tenant: string;
  goal: string;
  /** The step the gate holds. */
  step: string;
  /** What the gate waits on (a step that requires approval, a failed verification, a policy, flagged input). */
  reason: string;
  /** When the gate opened (ISO 8601). */
  requestedAt: string;
  /** When the gate rejects itself (epoch ms). */
  expiresAt: number;
}

/** One open approval in the inbox, as the control plane stores it. */
export interface ApprovalRow extends ApprovalReport {
  taskId: string;
  /** The reviewer it is assigned to, if any. */
  assignee: string | null;
  /** The principal who assigned it (`tenant:acme as "bob"`), and when (ISO 8601). */
  assignedBy: string | null;
  assignedAt: string | null;
}

/** Which of a tenant's open approvals to list. */
export interface ApprovalFilter {
  /** Only those assigned to this reviewer. */
  assignee?: string | undefined;
  /** Only those assigned to no one. */
  unassigned?: boolean | undefined;
}

/** Longest goal kept in an inbox row (the task keeps the whole goal). */
export const INBOX_GOAL_CHARS = 200;

/**
 * The gate a task waits on now, for the inbox; `null` when it waits on none (the task
 * left `awaiting_approval`: approved, rejected, expired, cancelled or ended), which
 * takes it out of the inbox.
 *
 * @example
 * approvalReport({ ...task, status: "awaiting_approval", awaiting: { step: "pay", reason: "step 'pay' requires approval", since: "2026-01-01T00:00:00.000Z", expiresAt: 1767229200000 } })
 * // { tenant: task.tenant, goal: task.goal, step: "pay", reason: "step 'pay' requires approval", requestedAt: "2026-01-01T00:00:00.000Z", expiresAt: 1767229200000 }
 */
export function approvalReport(task: Pick<TaskDoc, "tenant" | "goal" | "status" | "awaiting">): ApprovalReport | null {
  if (task.status !== "awaiting_approval" || !task.awaiting) return null;
  const { step, reason, since, expiresAt } = task.awaiting;
  return { tenant: task.tenant, goal: task.goal.slice(0, INBOX_GOAL_CHARS), step, reason, requestedAt: since, expiresAt };
}

/** Whether an approval is still open at `now` (epoch ms): an expired gate has left the inbox, whatever its task has done yet. */
export const isOpen = (row: Pick<ApprovalRow, "expiresAt">, now: number): boolean => row.expiresAt > now;

/** The outcome of an assignment: what changed, or why it is refused. */
export type AssignDecision =
  | { ok: true; change: "assigned" | "unassigned" | "unchanged" }
  | { ok: false; reason: "not_found" }
  | { ok: false; reason: "at_capacity"; held: number; cap: number };

/**
 * Decides an assignment of an open approval to `reviewer` (`null` unassigns), given how
 * many other open approvals that reviewer already holds (`held`) and the per-reviewer
 * `cap`. An approval that is missing or expired is `not_found`; assigning it to the
 * reviewer who holds it already changes nothing (and is never refused by the cap).
 *
 * @example
 * decideAssignment(row, "alice", 20, 20, now) // { ok: false, reason: "at_capacity", held: 20, cap: 20 }
 * decideAssignment(row, null, 0, 20, now)     // { ok: true, change: "unassigned" } (or "unchanged" if it had no assignee)
 */
export function decideAssignment(row: ApprovalRow | undefined, reviewer: string | null, held: number, cap: number, now: number): AssignDecision {
  if (!row || !isOpen(row, now)) return { ok: false, reason: "not_found" };
  if (row.assignee === reviewer) return { ok: true, change: "unchanged" };
  if (reviewer === null) return { ok: true, change: "unassigned" };
  if (held >= cap) return { ok: false, reason: "at_capacity", held, cap };
  return { ok: true, change: "assigned" };
}

/** Where to look at and decide an approval (API paths, and the dashboard's task page). */
export function approvalLinks(taskId: string): Record<"task" | "approve" | "reject" | "assign" | "dashboard", string> {
  return {
    task: `/v1/tasks/${taskId}`,
    approve: `/v1/approvals/${taskId}/approve`,
    reject: `/v1/approvals/${taskId}/reject`,
    assign: `/v1/approvals/${taskId}/assign`,
    dashboard: `/ui/tasks/${taskId}`,
  };
}

/** One inbox item as `GET /v1/approvals` answers it. */
export interface ApprovalItem {
  taskId: string;
  goal: string;
  step: string;
  reason: string;
  requestedAt: string;
  /** ISO 8601 (the row keeps epoch ms). */
  expiresAt: string;
  assignee: string | null;
  assignedBy: string | null;
  assignedAt: string | null;
  links: ReturnType<typeof approvalLinks>;
}

/** An inbox row as the API shows it. */
export function approvalItem(row: ApprovalRow): ApprovalItem {
  return {
    taskId: row.taskId,
    goal: row.goal,
    step: row.step,
    reason: row.reason,
    requestedAt: row.requestedAt,
    expiresAt: new Date(row.expiresAt).toISOString(),
    assignee: row.assignee,
    assignedBy: row.assignedBy,
    assignedAt: row.assignedAt,
    links: approvalLinks(row.taskId),
  };
}

/**
 * A reviewer's name as the inbox stores and compares it: Unicode NFKC (full-width and
 * compatibility forms folded), trimmed, inner whitespace collapsed to one space, lower
 * case. Names the schema let through (no control or format characters) only.
 *
 * @example
 * reviewerName("  Ｃarol   Smith ") // "carol smith"
 */
export function reviewerName(raw: string): string {
  return raw.normalize("NFKC").trim().replace(/\s+/gu, " ").toLowerCase();
}
