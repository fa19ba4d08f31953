import { decideAssignment, type ApprovalFilter, type ApprovalReport, type ApprovalRow, type AssignDecision } from "../worker/tasks/approvals.ts";
import type { AuditLog } from "./audit-log.ts";

/**
 * The approvals inbox's storage in the control plane (its SQLite table `approvals`):
 * one row per task waiting at an approval gate, reported by each TaskAgent with its
 * status; the rules are worker/tasks/approvals.ts's.
 */
export class ApprovalTable {
  readonly #sql: SqlStorage;
  readonly #audit: AuditLog;

  constructor(sql: SqlStorage, audit: AuditLog) {
    this.#sql = sql;
    this.#audit = audit;
    // the approvals inbox: one row per task waiting at an approval gate (worker/tasks/approvals.ts)
    sql.exec(`CREATE TABLE IF NOT EXISTS approvals (task_id TEXT PRIMARY KEY, tenant TEXT NOT NULL, goal TEXT NOT NULL, step TEXT NOT NULL, reason TEXT NOT NULL,
        requested_at TEXT NOT NULL, expires_at INTEGER NOT NULL, assignee TEXT, assigned_by TEXT, assigned_at TEXT);
      CREATE INDEX IF NOT EXISTS approvals_by_expiry ON approvals (tenant, expires_at);
      CREATE INDEX IF NOT EXISTS approvals_by_assignee ON approvals (tenant, assignee);`);
  }

  /**
   * Records the approval gate a task waits on now:
   * a gate opens or stays in the inbox, `null` takes the task out of it (approved,
   * rejected, expired, cancelled, ended). A gate reported again keeps its assignee; a
   * new gate of the same task (another step, or the same one opened again) starts
   * unassigned.
   */
  report(id: string, gate: ApprovalReport | null): void {
    if (!gate) {
      this.#sql.exec("DELETE FROM approvals WHERE task_id = ?", id);
      return;
    }
    this.#sql.exec(
      `INSERT INTO approvals (task_id, tenant, goal, step, reason, requested_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (task_id) DO UPDATE SET tenant = excluded.tenant, goal = excluded.goal, reason = excluded.reason, expires_at = excluded.expires_at,
         assignee = CASE WHEN approvals.step = excluded.step AND approvals.requested_at = excluded.requested_at THEN approvals.assignee END,
         assigned_by = CASE WHEN approvals.step = excluded.step AND approvals.requested_at = excluded.requested_at THEN approvals.assigned_by END,
         assigned_at = CASE WHEN approvals.step = excluded.step AND approvals.requested_at = excluded.requested_at THEN approvals.assigned_at END,
         step = excluded.step, requested_at = excluded.requested_at`,
      id,
      gate.tenant,
      gate.goal,
      gate.step,
      gate.reason,
      gate.requestedAt,
      gate.expiresAt,
    );
  }

  /**
   * A tenant's open approvals at `now` (epoch ms), soonest-expiring first (then the
   * earliest requested): all, one reviewer's (`assignee`), or the unassigned ones.
   * Expired rows are never listed, and are dropped (their tasks reject themselves).
   */
  list(tenant: string, filter: ApprovalFilter, now: number, limit = 100): ApprovalRow[] {
    this.#sql.exec("DELETE FROM approvals WHERE tenant = ? AND expires_at <= ?", tenant, now);
    const where = filter.assignee !== undefined ? " AND assignee = ?" : filter.unassigned ? " AND assignee IS NULL" : "";
    return this.#sql
      .exec<ApprovalSqlRow>(
        `SELECT * FROM approvals WHERE tenant = ? AND expires_at > ?${where} ORDER BY expires_at, requested_at, task_id LIMIT ?`,
        tenant,
        now,
        ...(filter.assignee !== undefined ? [filter.assignee] : []),
        Math.max(1, Math.min(limit, 500)),
      )
      .toArray()
      .map(approvalRow);
  }

  /** One open approval of a tenant's task at `now`, if it is in the inbox. */
  get(tenant: string, taskId: string, now: number): ApprovalRow | undefined {
    const r = this.#sql.exec<ApprovalSqlRow>("SELECT * FROM approvals WHERE task_id = ? AND tenant = ? AND expires_at > ?", taskId, tenant, now).toArray()[0];
    return r ? approvalRow(r) : undefined;
  }

  /**
   * Assigns a tenant's open approval to `reviewer` (`null` unassigns), unless that
   * reviewer already holds `cap` other open approvals of the tenant; the check and the
   * change are one step (no other call interleaves). Each change is audited in the
   * control plane's chain (`approval.assigned` / `approval.unassigned`, by `by`).
   * Answers the decision and the row as it is afterwards.
   */
  async assign(tenant: string, taskId: string, reviewer: string | null, by: string, cap: number, now: number): Promise<{ decision: AssignDecision; row?: ApprovalRow }> {
    const row = this.get(tenant, taskId, now);
    const held =
      reviewer === null
        ? 0
        : this.#sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM approvals WHERE tenant = ? AND assignee = ? AND expires_at > ? AND task_id != ?", tenant, reviewer, now, taskId).one().n;
    const decision = decideAssignment(row, reviewer, held, cap, now);
    if (!decision.ok || !row) return { decision };
    if (decision.change === "unchanged") return { decision, row };
    const at = new Date(now).toISOString();
    this.#sql.exec("UPDATE approvals SET assignee = ?, assigned_by = ?, assigned_at = ? WHERE task_id = ?", reviewer, reviewer === null ? null : by, reviewer === null ? null : at, taskId);
    await this.#audit.append(by, `approval.${decision.change}`, { tenant, task: taskId, step: row.step, reviewer, previous: row.assignee });
    return { decision, row: this.get(tenant, taskId, now) };
  }

  /** Takes a tenant's task out of the inbox (its TaskAgent says it waits on no gate: a report that never arrived). */
  drop(tenant: string, taskId: string): void {
    this.#sql.exec("DELETE FROM approvals WHERE task_id = ? AND tenant = ?", taskId, tenant);
  }
}

type ApprovalSqlRow = {
  task_id: string;
  tenant: string;
  goal: string;
  step: string;
  reason: string;
  requested_at: string;
  expires_at: number;
  assignee: string | null;
  assigned_by: string | null;
  assigned_at: string | null;
};

const approvalRow = (r: ApprovalSqlRow): ApprovalRow => ({
  taskId: r.task_id,
  tenant: r.tenant,
  goal: r.goal,
  step: r.step,
  reason: r.reason,
  requestedAt: r.requested_at,
  expiresAt: r.expires_at,
  assignee: r.assignee,
  assignedBy: r.assigned_by,
  assignedAt: r.assigned_at,
});
