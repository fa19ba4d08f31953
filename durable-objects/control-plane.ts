import { DurableObject } from "cloudflare:workers";
import type { Env } from "../worker/env.ts";
import type { Json } from "../worker/json.ts";
import type { AuditEntry, ChainVerdict } from "../worker/tasks/audit.ts";
import { AuditLog } from "./audit-log.ts";
import { decideAssignment, type ApprovalFilter, type ApprovalReport, type ApprovalRow, type AssignDecision } from "../worker/tasks/approvals.ts";

/** A switch's state: who turned it off, when and why. */
export interface Switch {
  disabled: boolean;
  by: string;
  reason: string;
  at: string;
}

/**
 * The kill switches (small: every isolate polls it), versioned so caches can tell it
 * changed. `registrations` counts changes to the runtime registrations only, so an
 * isolate rebuilds its runtime when they change and not when a switch flips.
 */
export interface SwitchState {
  /** Bumped by every change (switch or registration). */
  version: number;
  /** Bumped by every registration change. */
  registrations: number;
  global: Switch | null;
  tenants: Record<string, Switch>;
  specialists: Record<string, Switch>;
}

/** The specialists registered at runtime (raw config entries, validated by the Worker), at a registrations version. */
export interface Registrations {
  registrations: number;
  /** JSON (not `unknown`): RPC types a result holding `unknown` as `never`. */
  registered: Record<string, Json>;
}

/** The dead letters the store keeps (the newest; older ones are dropped). */
export const MAX_DEAD_LETTERS = 10_000;

/** A dead letter to store (worker/queues/dead-letters.ts). Times ISO 8601. */
export interface DeadLetterRecord {
  /** The work queue it came from: `hops`, `webhooks`, `steps`. */
  queue: string;
  /** The Queues message id. */
  messageId: string;
  /** The envelope's idempotency id, kind and tenant, when it was an envelope. */
  envelopeId: string | null;
  kind: string | null;
  tenant: string | null;
  /** The message body as delivered. */
  body: Json;
  reason: string;
  attempts: number;
  firstFailureAt: string | null;
  lastFailureAt: string | null;
}

/** A stored dead letter: its sequence number (its id in the admin API) and when it was stored. */
export interface DeadLetter extends DeadLetterRecord {
  seq: number;
  deadAt: string;
}

interface DeadLetterRow extends Record<string, SqlStorageValue> {
  seq: number;
  queue: string;
  message_id: string;
  envelope_id: string | null;
  kind: string | null;
  tenant: string | null;
  body: string;
  reason: string;
  attempts: number;
  first_failure_at: string | null;
  last_failure_at: string | null;
  dead_at: string;
}

function deadLetterOf(r: DeadLetterRow): DeadLetter {
  return {
    seq: r.seq,
    queue: r.queue,
    messageId: r.message_id,
    envelopeId: r.envelope_id,
    kind: r.kind,
    tenant: r.tenant,
    body: JSON.parse(r.body) as Json,
    reason: r.reason,
    attempts: r.attempts,
    firstFailureAt: r.first_failure_at,
    lastFailureAt: r.last_failure_at,
    deadAt: r.dead_at,
  };
}

/** Everything: the switches and the registrations. */
export type ControlState = SwitchState & Registrations;

/**
 * The router's control plane: kill switches (global, per tenant, per specialist),
 * specialists registered at runtime, and an index of running tasks per tenant (for
 * cancelling them all), with a hash-chained audit log of every change. One object
 * (`control`) for the whole deployment; isolates cache its state briefly.
 */
export class ControlPlane extends DurableObject<Env> {
  readonly #sql: SqlStorage;
  readonly #audit: AuditLog;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.#sql = ctx.storage.sql;
    this.#sql.exec(`CREATE TABLE IF NOT EXISTS switches (kind TEXT NOT NULL, name TEXT NOT NULL, doc TEXT NOT NULL, PRIMARY KEY (kind, name));
      CREATE TABLE IF NOT EXISTS registered (id TEXT PRIMARY KEY, doc TEXT NOT NULL);
      CREATE TABLE IF NOT EXISTS tasks (id TEXT PRIMARY KEY, tenant TEXT NOT NULL, goal TEXT NOT NULL DEFAULT '', status TEXT NOT NULL DEFAULT 'running', created_at TEXT NOT NULL DEFAULT '', updated_at TEXT NOT NULL DEFAULT '');
      CREATE INDEX IF NOT EXISTS tasks_by_tenant ON tasks (tenant, created_at);
      CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL);
      CREATE TABLE IF NOT EXISTS anchors (chain TEXT PRIMARY KEY, seq INTEGER NOT NULL, hash TEXT NOT NULL);
      CREATE TABLE IF NOT EXISTS revoked_sessions (digest TEXT PRIMARY KEY, exp INTEGER NOT NULL);`);
    // the approvals inbox: one row per task waiting at an approval gate (worker/tasks/approvals.ts)
    this.#sql.exec(`CREATE TABLE IF NOT EXISTS approvals (task_id TEXT PRIMARY KEY, tenant TEXT NOT NULL, goal TEXT NOT NULL, step TEXT NOT NULL, reason TEXT NOT NULL,
        requested_at TEXT NOT NULL, expires_at INTEGER NOT NULL, assignee TEXT, assigned_by TEXT, assigned_at TEXT);
      CREATE INDEX IF NOT EXISTS approvals_by_expiry ON approvals (tenant, expires_at);
      CREATE INDEX IF NOT EXISTS approvals_by_assignee ON approvals (tenant, assignee);`);
    // the A2A contextId of a task (ListTasks filters on it); rows indexed before it existed have none and list under their id
    if (!this.#sql.exec<{ name: string }>("PRAGMA table_info(tasks)").toArray().some((r) => r.name === "context_id")) this.#sql.exec("ALTER TABLE tasks ADD COLUMN context_id TEXT");
    this.#audit = new AuditLog(this.#sql);
    // dead letters of the router's queues (worker/queues/): listed, replayed or discarded by an admin
    this.#sql.exec(`CREATE TABLE IF NOT EXISTS dead_letters (seq INTEGER PRIMARY KEY AUTOINCREMENT, queue TEXT NOT NULL, message_id TEXT NOT NULL UNIQUE,
      envelope_id TEXT, kind TEXT, tenant TEXT, body TEXT NOT NULL, reason TEXT NOT NULL, attempts INTEGER NOT NULL, first_failure_at TEXT, last_failure_at TEXT, dead_at TEXT NOT NULL);
      CREATE INDEX IF NOT EXISTS dead_letters_by_queue ON dead_letters (queue, seq);`);
  }

  #bump(key: "version" | "registrations"): number {
    return this.#sql.exec<{ value: number }>("INSERT INTO meta (key, value) VALUES (?, 1) ON CONFLICT (key) DO UPDATE SET value = value + 1 RETURNING value", key).one().value;
  }

  #meta(key: "version" | "registrations"): number {
    return this.#sql.exec<{ value: number }>("SELECT value FROM meta WHERE key = ?", key).toArray()[0]?.value ?? 0;
  }

  /** The switches (what every isolate reads once per cache period). */
  switches(): SwitchState {
    const out: SwitchState = { version: this.#meta("version"), registrations: this.#meta("registrations"), global: null, tenants: {}, specialists: {} };
    for (const r of this.#sql.exec<{ kind: string; name: string; doc: string }>("SELECT kind, name, doc FROM switches").toArray()) {
      const sw = JSON.parse(r.doc) as Switch;
      if (!sw.disabled) continue;
      if (r.kind === "global") out.global = sw;
      else if (r.kind === "tenant") out.tenants[r.name] = sw;
      else out.specialists[r.name] = sw;
    }
    return out;
  }

  /** The runtime registrations (read by an isolate when their version changes). */
  registrations(): Registrations {
    const registered: Record<string, Json> = {};
    for (const r of this.#sql.exec<{ id: string; doc: string }>("SELECT id, doc FROM registered").toArray()) registered[r.id] = JSON.parse(r.doc);
    return { registrations: this.#meta("registrations"), registered };
  }

  /** The whole state (the admin view). */
  state(): ControlState {
    return { ...this.switches(), ...this.registrations() };
  }

  /** Turns a switch off (`disabled`) or back on. */
  async setSwitch(kind: "global" | "tenant" | "specialist", name: string, disabled: boolean, by: string, reason: string): Promise<ControlState> {
    const sw: Switch = { disabled, by, reason, at: new Date().toISOString() };
    this.#sql.exec("INSERT OR REPLACE INTO switches (kind, name, doc) VALUES (?, ?, ?)", kind, kind === "global" ? "*" : name, JSON.stringify(sw));
    this.#bump("version");
    await this.#audit.append(by, `${kind}.${disabled ? "disabled" : "enabled"}`, { ...(kind === "global" ? {} : { [kind]: name }), reason });
    return this.state();
  }

  /** Stores (or replaces) a runtime-registered specialist. */
  async register(id: string, spec: unknown, by: string, specHash: string): Promise<ControlState> {
    const existed = this.#sql.exec("SELECT id FROM registered WHERE id = ?", id).toArray().length > 0;
    this.#sql.exec("INSERT OR REPLACE INTO registered (id, doc) VALUES (?, ?)", id, JSON.stringify(spec));
    this.#bump("version");
    this.#bump("registrations");
    await this.#audit.append(by, existed ? "specialist.replaced" : "specialist.registered", { specialist: id, specHash });
    return this.state();
  }

  /** Removes a runtime-registered specialist; false if there was none. */
  async unregister(id: string, by: string): Promise<boolean> {
    const gone = this.#sql.exec("DELETE FROM registered WHERE id = ? RETURNING id", id).toArray().length > 0;
    if (!gone) return false;
    this.#bump("version");
    this.#bump("registrations");
    await this.#audit.append(by, "specialist.deleted", { specialist: id });
    return true;
  }

  /** Indexes a new task of a tenant (for listings and the tenant-wide cancel). */
  trackTask(id: string, tenant: string, goal = "", status = "running", contextId?: string): void {
    const now = new Date().toISOString();
    this.#sql.exec(
      "INSERT OR IGNORE INTO tasks (id, tenant, goal, status, created_at, updated_at, context_id) VALUES (?, ?, ?, ?, ?, ?, ?)",
      id,
      tenant,
      goal.slice(0, 200),
      status,
      now,
      now,
      contextId ?? null,
    );
    // keep the index bounded: the newest 1,000 ended tasks per tenant stay listed
    this.#sql.exec(
      "DELETE FROM tasks WHERE tenant = ? AND status IN ('succeeded','failed','cancelled','rejected') AND id NOT IN (SELECT id FROM tasks WHERE tenant = ? ORDER BY created_at DESC LIMIT 1000)",
      tenant,
      tenant,
    );
  }

  /** Records a task's new status (ended tasks stay listed but are no longer running). */
  taskStatus(id: string, status: string): void {
    this.#sql.exec("UPDATE tasks SET status = ?, updated_at = ? WHERE id = ?", status, new Date().toISOString(), id);
  }

  runningTasks(tenant: string): string[] {
    return this.#sql
      .exec<{ id: string }>("SELECT id FROM tasks WHERE tenant = ? AND status NOT IN ('succeeded','failed','cancelled','rejected') ORDER BY id", tenant)
      .toArray()
      .map((r) => r.id);
  }

  /** A tenant's tasks, newest first. */
  recentTasks(tenant: string, limit = 50): { id: string; goal: string; status: string; createdAt: string; updatedAt: string }[] {
    return this.#sql
      .exec<{ id: string; goal: string; status: string; created_at: string; updated_at: string }>(
        "SELECT id, goal, status, created_at, updated_at FROM tasks WHERE tenant = ? ORDER BY created_at DESC, id LIMIT ?",
        tenant,
        Math.max(1, Math.min(limit, 500)),
      )
      .toArray()
      .map((r) => ({ id: r.id, goal: r.goal, status: r.status, createdAt: r.created_at, updatedAt: r.updated_at }));
  }

  /**
   * A page of a tenant's tasks for A2A `ListTasks`, most recently updated first (then by id, descending),
   * with the filters' total: `statuses` (TaskAgent statuses; an empty list matches nothing),
   * `contextId` (a task without one has its id as contextId), `updatedAfter` (ISO, inclusive) and
   * `after`, the last row of the previous page (keyset paging). `limit` is at most 101 (a page of 100, and one to tell there is more).
   */
  listTasks(
    tenant: string,
    q: { statuses?: string[]; contextId?: string; updatedAfter?: string; after?: { updatedAt: string; id: string }; limit: number },
  ): { rows: { id: string; updatedAt: string }[]; total: number } {
    const where = ["tenant = ?"];
    const args: (string | number)[] = [tenant];
    if (q.statuses) {
      if (q.statuses.length === 0) return { rows: [], total: 0 };
      where.push(`status IN (${q.statuses.map(() => "?").join(", ")})`);
      args.push(...q.statuses);
    }
    if (q.contextId !== undefined) {
      where.push("COALESCE(context_id, id) = ?");
      args.push(q.contextId);
    }
    if (q.updatedAfter !== undefined) {
      where.push("updated_at >= ?");
      args.push(q.updatedAfter);
    }
    const total = this.#sql.exec<{ n: number }>(`SELECT COUNT(*) AS n FROM tasks WHERE ${where.join(" AND ")}`, ...args).one().n;
    if (q.after) {
      where.push("(updated_at < ? OR (updated_at = ? AND id < ?))");
      args.push(q.after.updatedAt, q.after.updatedAt, q.after.id);
    }
    const rows = this.#sql
      .exec<{ id: string; updated_at: string }>(`SELECT id, updated_at FROM tasks WHERE ${where.join(" AND ")} ORDER BY updated_at DESC, id DESC LIMIT ?`, ...args, Math.max(1, Math.min(q.limit, 101)))
      .toArray()
      .map((r) => ({ id: r.id, updatedAt: r.updated_at }));
    return { rows, total };
  }

  /** Audits a tenant-wide cancel: the tasks it cancelled, and those it could not reach (with why). */
  async recordCancelAll(tenant: string, by: string, reason: string, cancelled: string[], failed: { task: string; detail: string }[] = []): Promise<void> {
    await this.#audit.append(by, "tenant.tasks_cancelled", { tenant, reason, count: cancelled.length, tasks: cancelled, ...(failed.length ? { failed } : {}) });
  }

  audit(): Promise<{ entries: AuditEntry[]; verification: ChainVerdict }> {
    return this.#audit.read();
  }

  /**
   * Records the newest head of another object's audit chain (a task's), keeping the
   * highest `seq`: the anchor that chain is verified against, outside the object that
   * writes it.
   */
  anchor(chain: string, seq: number, hash: string): void {
    this.#sql.exec(
      "INSERT INTO anchors (chain, seq, hash) VALUES (?, ?, ?) ON CONFLICT(chain) DO UPDATE SET seq = excluded.seq, hash = excluded.hash WHERE excluded.seq > anchors.seq",
      chain,
      seq,
      hash,
    );
  }

  /** Revokes a dashboard session (by its cookie's digest) until it would have expired (epoch seconds). */
  revokeSession(digest: string, exp: number): void {
    this.#sql.exec("INSERT OR REPLACE INTO revoked_sessions (digest, exp) VALUES (?, ?)", digest, exp);
    this.#sql.exec("DELETE FROM revoked_sessions WHERE exp < ?", Math.floor(Date.now() / 1000));
  }

  /** Whether a dashboard session was revoked (signed out). */
  sessionRevoked(digest: string): boolean {
    return this.#sql.exec("SELECT 1 FROM revoked_sessions WHERE digest = ?", digest).toArray().length > 0;
  }

  /** The anchored head of a chain, if any. */
  anchorOf(chain: string): { seq: number; hash: string } | undefined {
    return this.#sql.exec<{ seq: number; hash: string }>("SELECT seq, hash FROM anchors WHERE chain = ?", chain).toArray()[0];
  }

  /**
   * Stores a dead letter (once per Queues message id: the dead-letter queue delivers at
   * least once too). Keeps the newest {@link MAX_DEAD_LETTERS}; returns its sequence
   * number, or the existing one.
   */
  recordDeadLetter(letter: DeadLetterRecord): number {
    const existing = this.#sql.exec<{ seq: number }>("SELECT seq FROM dead_letters WHERE message_id = ?", letter.messageId).toArray()[0];
    if (existing) return existing.seq;
    const seq = this.#sql
      .exec<{ seq: number }>(
        "INSERT INTO dead_letters (queue, message_id, envelope_id, kind, tenant, body, reason, attempts, first_failure_at, last_failure_at, dead_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING seq",
        letter.queue,
        letter.messageId,
        letter.envelopeId,
        letter.kind,
        letter.tenant,
        JSON.stringify(letter.body),
        letter.reason.slice(0, 2000),
        letter.attempts,
        letter.firstFailureAt,
        letter.lastFailureAt,
        new Date().toISOString(),
      )
      .one().seq;
    this.#sql.exec("DELETE FROM dead_letters WHERE seq <= ?", seq - MAX_DEAD_LETTERS);
    return seq;
  }

  /** Dead letters, oldest first, after `after` (a sequence number), optionally of one queue and/or tenant; at most `limit`. */
  deadLetters(filter: { queue?: string | undefined; tenant?: string | undefined; after?: number | undefined; limit: number }): DeadLetter[] {
    const rows = this.#sql
      .exec<DeadLetterRow>(
        "SELECT * FROM dead_letters WHERE seq > ? AND (? IS NULL OR queue = ?) AND (? IS NULL OR tenant = ?) ORDER BY seq LIMIT ?",
        filter.after ?? 0,
        filter.queue ?? null,
        filter.queue ?? null,
        filter.tenant ?? null,
        filter.tenant ?? null,
        filter.limit,
      )
      .toArray();
    return rows.map(deadLetterOf);
  }

  /** One dead letter by sequence number. */
  deadLetter(seq: number): DeadLetter | null {
    const r = this.#sql.exec<DeadLetterRow>("SELECT * FROM dead_letters WHERE seq = ?", seq).toArray()[0];
    return r ? deadLetterOf(r) : null;
  }

  /**
   * Removes a dead letter that was replayed (re-sent to its work queue by the caller
   * first) or discarded, audited (`dead_letter.replayed` / `dead_letter.discarded`).
   * False if it was already gone.
   */
  async resolveDeadLetter(seq: number, action: "replayed" | "discarded", by: string, reason: string): Promise<boolean> {
    const gone = this.#sql.exec<DeadLetterRow>("DELETE FROM dead_letters WHERE seq = ? RETURNING *", seq).toArray()[0];
    if (!gone) return false;
    await this.#audit.append(by, `dead_letter.${action}`, {
      seq,
      queue: gone.queue,
      messageId: gone.message_id,
      ...(gone.envelope_id ? { id: gone.envelope_id } : {}),
      ...(gone.kind ? { kind: gone.kind } : {}),
      ...(gone.tenant ? { tenant: gone.tenant } : {}),
      reason,
    });
    return true;
  }

  // ── the approvals inbox (issue 14): every open approval gate of a tenant's tasks ──

  /**
   * Records a task's new status (as `taskStatus`) and the approval gate it waits on now:
   * a gate opens or stays in the inbox, `null` takes the task out of it (approved,
   * rejected, expired, cancelled, ended). A gate reported again keeps its assignee; a
   * new gate of the same task (another step, or the same one opened again) starts
   * unassigned.
   */
  taskChanged(id: string, status: string, gate: ApprovalReport | null): void {
    this.taskStatus(id, status);
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
  approvals(tenant: string, filter: ApprovalFilter, now: number, limit = 100): ApprovalRow[] {
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
  approval(tenant: string, taskId: string, now: number): ApprovalRow | undefined {
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
  async assignApproval(tenant: string, taskId: string, reviewer: string | null, by: string, cap: number, now: number): Promise<{ decision: AssignDecision; row?: ApprovalRow }> {
    const row = this.approval(tenant, taskId, now);
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
    return { decision, row: this.approval(tenant, taskId, now) };
  }

  /** Takes a tenant's task out of the inbox (its TaskAgent says it waits on no gate: a report that never arrived). */
  dropApproval(tenant: string, taskId: string): void {
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
