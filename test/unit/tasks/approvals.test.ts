import { describe, expect, it } from "vitest";
import { approvalItem, approvalReport, decideAssignment, INBOX_GOAL_CHARS, isOpen, reviewerName, type ApprovalRow } from "../../../worker/tasks/approvals.ts";

const NOW = Date.parse("2026-03-01T12:00:00.000Z");
const row = (over: Partial<ApprovalRow> = {}): ApprovalRow => ({
  taskId: `task_${"a".repeat(32)}`,
  tenant: "acme",
  goal: "pay the invoice",
  step: "pay",
  reason: "step 'pay' requires approval",
  requestedAt: "2026-03-01T11:00:00.000Z",
  expiresAt: NOW + 60_000,
  assignee: null,
  assignedBy: null,
  assignedAt: null,
  ...over,
});

describe("approvalReport", () => {
  const awaiting = { step: "pay", reason: "step 'pay' requires approval", since: "2026-03-01T11:00:00.000Z", expiresAt: NOW + 60_000 };

  it("reports the gate a waiting task is at, with its goal cut to the inbox's length", () => {
    const goal = "g".repeat(INBOX_GOAL_CHARS + 50);
    expect(approvalReport({ tenant: "acme", goal, status: "awaiting_approval", awaiting })).toEqual({
      tenant: "acme",
      goal: "g".repeat(INBOX_GOAL_CHARS),
      step: "pay",
      reason: "step 'pay' requires approval",
      requestedAt: "2026-03-01T11:00:00.000Z",
      expiresAt: NOW + 60_000,
    });
  });

  it("reports no gate for any other status, or a waiting task without one", () => {
    for (const status of ["planning", "running", "succeeded", "failed", "cancelled", "rejected"] as const) expect(approvalReport({ tenant: "acme", goal: "g", status, awaiting })).toBeNull();
    expect(approvalReport({ tenant: "acme", goal: "g", status: "awaiting_approval" })).toBeNull();
  });
});

describe("isOpen", () => {
  it("is open strictly before its expiry", () => {
    expect(isOpen(row({ expiresAt: NOW + 1 }), NOW)).toBe(true);
    expect(isOpen(row({ expiresAt: NOW }), NOW)).toBe(false);
    expect(isOpen(row({ expiresAt: NOW - 1 }), NOW)).toBe(false);
  });
});

describe("decideAssignment", () => {
  it("assigns while the reviewer is under the cap, and refuses at it, naming both", () => {
    expect(decideAssignment(row(), "alice", 19, 20, NOW)).toEqual({ ok: true, change: "assigned" });
    expect(decideAssignment(row(), "alice", 20, 20, NOW)).toEqual({ ok: false, reason: "at_capacity", held: 20, cap: 20 });
    expect(decideAssignment(row({ assignee: "bob" }), "alice", 25, 20, NOW)).toEqual({ ok: false, reason: "at_capacity", held: 25, cap: 20 });
  });

  it("changes nothing when the reviewer holds it already (the cap does not refuse it)", () => {
    expect(decideAssignment(row({ assignee: "alice" }), "alice", 20, 20, NOW)).toEqual({ ok: true, change: "unchanged" });
    expect(decideAssignment(row(), null, 0, 20, NOW)).toEqual({ ok: true, change: "unchanged" });
  });

  it("unassigns whatever the cap", () => {
    expect(decideAssignment(row({ assignee: "alice" }), null, 0, 1, NOW)).toEqual({ ok: true, change: "unassigned" });
  });

  it("finds no approval that is missing or expired", () => {
    expect(decideAssignment(undefined, "alice", 0, 20, NOW)).toEqual({ ok: false, reason: "not_found" });
    expect(decideAssignment(row({ expiresAt: NOW }), "alice", 0, 20, NOW)).toEqual({ ok: false, reason: "not_found" });
  });
});

describe("approvalItem", () => {
  it("shows the expiry as ISO 8601 and links the task and the inbox's actions", () => {
    const r = row({ assignee: "alice", assignedBy: 'tenant:acme as "lead"', assignedAt: "2026-03-01T11:30:00.000Z" });
    const item = approvalItem(r);
    expect(item).toMatchObject({ taskId: r.taskId, expiresAt: "2026-03-01T12:01:00.000Z", assignee: "alice", assignedBy: 'tenant:acme as "lead"' });
    expect(item).not.toHaveProperty("tenant");
    expect(item.links).toEqual({
      task: `/v1/tasks/${r.taskId}`,
      approve: `/v1/approvals/${r.taskId}/approve`,
      reject: `/v1/approvals/${r.taskId}/reject`,
      assign: `/v1/approvals/${r.taskId}/assign`,
      dashboard: `/ui/tasks/${r.taskId}`,
    });
  });
});

describe("reviewerName", () => {
  it("folds case, surrounding and inner spaces and compatibility forms into one name", () => {
    expect(["Carol", " carol ", "CAROL", "Ｃａｒｏｌ", "carol"].map(reviewerName)).toEqual(Array(5).fill("carol"));
    expect(reviewerName("  Carol \t  Smith ")).toBe("carol smith");
    expect(reviewerName("Zoë")).toBe("zoë");
  });
});
