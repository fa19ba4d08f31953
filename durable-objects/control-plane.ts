import { DurableObject } from "cloudflare:workers";
import type { Env } from "../worker/env.ts";
import type { Json } from "../worker/json.ts";
import type { AuditEntry, ChainVerdict } from "../worker/tasks/audit.ts";
import { AuditLog } from "./audit-log.ts";
import type { ApprovalFilter, ApprovalReport, ApprovalRow, AssignDecision } from "../worker/tasks/approvals.ts";
import { ApprovalTable } from "./approval-table.ts";
import { DeadLetterTable, type DeadLetter, type DeadLetterFilter, type DeadLetterRecord } from "./dead-letter-table.ts";
import type { AdmitLimits, LearnedExample } from "../worker/intent/learned.ts";
import { LearnedTable, type LearnedFilter, type LearnResult, type NewLearned, type ReviewAction, type ReviewResult } from "./learned-table.ts";

export { MAX_DEAD_LETTERS, type DeadLetter, type DeadLetterRecord } from "./dead-letter-table.ts";

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
  /** Bumped by every change of the active learned examples (durable-objects/learned-table.ts). */
  learning: number;
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

/** The active learned examples at a learning version (what an isolate's models are fitted with). */
export interface LearnedState {
  learning: number;
  examples: LearnedExample[];
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
  readonly #deadLetters: DeadLetterTable;
  readonly #approvals: ApprovalTable;
  readonly #learned: LearnedTable;

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
    // the A2A contextId of a task (ListTasks filters on it); rows indexed before it existed have none and list under their id
    if (!this.#sql.exec<{ name: string }>("PRAGMA table_info(tasks)").toArray().some((r) => r.name === "context_id")) this.#sql.exec("ALTER TABLE tasks ADD COLUMN context_id TEXT");
    this.#audit = new AuditLog(this.#sql);
    this.#approvals = new ApprovalTable(this.#sql, this.#audit);
    this.#deadLetters = new DeadLetterTable(this.#sql, this.#audit);
    this.#learned = new LearnedTable(this.#sql, this.#audit, () => {
      this.#bump("version");
      this.#bump("learning");
    });
  }

  #bump(key: "version" | "registrations" | "learning"): number {
    return this.#sql.exec<{ value: number }>("INSERT INTO meta (key, value) VALUES (?, 1) ON CONFLICT (key) DO UPDATE SET value = value + 1 RETURNING value", key).one().value;
  }

  #meta(key: "version" | "registrations" | "learning"): number {
    return this.#sql.exec<{ value: number }>("SELECT value FROM meta WHERE key = ?", key).toArray()[0]?.value ?? 0;
  }

  /** The switches (what every isolate reads once per cache period). */
  switches(): SwitchState {
    const out: SwitchState = { version: this.#meta("version"), registrations: this.#meta("registrations"), learning: this.#meta("learning"), global: null, tenants: {}, specialists: {} };
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

  /** Stores a learned example under the guards (durable-objects/learned-table.ts). */
  learn(x: NewLearned, limits: AdmitLimits, review: boolean): Promise<LearnResult> {
    return this.#learned.learn(x, limits, review);
  }

  /** An admin's decision on a learned example. */
  reviewLearned(id: string, action: ReviewAction, by: string, note?: string): Promise<ReviewResult> {
    return this.#learned.review(id, action, by, note);
  }

  /** Reverts a scope's active and pending examples taught at or after `since` (all without it); how many. */
  revertLearned(scope: string, by: string, since?: string): Promise<number> {
    return this.#learned.revertScope(scope, by, since);
  }

  /** Reverts the examples a feedback taught (its latest version no longer corrects); how many. */
  withdrawLearned(ref: string, by: string): Promise<number> {
    return this.#learned.withdraw(ref, by);
  }

  /** Learned examples, newest first. */
  listLearned(filter: LearnedFilter): LearnedExample[] {
    return this.#learned.list(filter);
  }

  /** The active learned examples and their version (read by an isolate when the version changes). */
  learned(): LearnedState {
    return { learning: this.#meta("learning"), examples: this.#learned.active() };
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

  /** Stores a dead letter once per Queues message id (dead-letter-table.ts). */
  recordDeadLetter(letter: DeadLetterRecord): number {
    return this.#deadLetters.record(letter);
  }

  /** Dead letters, oldest first, after `after`, of one queue and/or tenant; at most `limit` (dead-letter-table.ts). */
  deadLetters(filter: DeadLetterFilter): DeadLetter[] {
    return this.#deadLetters.list(filter);
  }

  /** One dead letter by sequence number. */
  deadLetter(seq: number): DeadLetter | null {
    return this.#deadLetters.get(seq);
  }

  /** Removes a replayed or discarded dead letter, audited; false if it was already gone (dead-letter-table.ts). */
  resolveDeadLetter(seq: number, action: "replayed" | "discarded", by: string, reason: string): Promise<boolean> {
    return this.#deadLetters.resolve(seq, action, by, reason);
  }

  /** Records a task's new status and the approval gate it waits on now (`null`: none) (approval-table.ts). */
  taskChanged(id: string, status: string, gate: ApprovalReport | null): void {
    this.taskStatus(id, status);
    this.#approvals.report(id, gate);
  }

  /** A tenant's open approvals at `now` (epoch ms), soonest-expiring first (approval-table.ts). */
  approvals(tenant: string, filter: ApprovalFilter, now: number, limit = 100): ApprovalRow[] {
    return this.#approvals.list(tenant, filter, now, limit);
  }

  /** One open approval of a tenant's task at `now`, if it is in the inbox. */
  approval(tenant: string, taskId: string, now: number): ApprovalRow | undefined {
    return this.#approvals.get(tenant, taskId, now);
  }

  /** Assigns a tenant's open approval to `reviewer` (`null` unassigns) under the per-reviewer cap, audited (approval-table.ts). */
  assignApproval(tenant: string, taskId: string, reviewer: string | null, by: string, cap: number, now: number): Promise<{ decision: AssignDecision; row?: ApprovalRow }> {
    return this.#approvals.assign(tenant, taskId, reviewer, by, cap, now);
  }

  /** Takes a tenant's task out of the inbox (its TaskAgent says it waits on no gate: a report that never arrived). */
  dropApproval(tenant: string, taskId: string): void {
    this.#approvals.drop(tenant, taskId);
  }
}
