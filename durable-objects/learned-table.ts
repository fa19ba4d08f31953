import { admit, type AdmitLimits, type LearnedExample, type LearnedOrigin, type LearnedStatus } from "../worker/intent/learned.ts";
import { normalizeInput } from "../worker/intent/normalize.ts";
import type { AuditLog } from "./audit-log.ts";

/** A new example as the Worker sends it (the label's specialist resolved, the guards' limits from the config). */
export interface NewLearned {
  scope: string;
  label: string;
  specialist: string;
  input: string;
  origin: LearnedOrigin;
  ref?: string | undefined;
  by: string;
}

/** What `learn` did: stored (or found the same example already held), or refused by a guard (nothing stored). */
export type LearnResult = { ok: true; example: LearnedExample; existing: boolean } | { ok: false; refused: "rate" | "full"; detail: string };

/** An admin's decision on one example. */
export type ReviewAction = "approve" | "reject" | "revert";

/** What `review` did, or why it could not (`missing`: no such example; `conflict`: not in a status the action applies to). */
export type ReviewResult = { ok: true; example: LearnedExample } | { ok: false; reason: "missing" | "conflict"; detail: string };

/** Filters of a listing (all optional); `limit` at most 500. */
export interface LearnedFilter {
  scope?: string | undefined;
  status?: LearnedStatus | undefined;
  label?: string | undefined;
  limit?: number | undefined;
}

/** The statuses an action moves an example from, and to. */
const TRANSITIONS: Record<ReviewAction, { from: LearnedStatus[]; to: LearnedStatus }> = {
  approve: { from: ["pending"], to: "active" },
  reject: { from: ["pending"], to: "rejected" },
  revert: { from: ["active", "pending"], to: "reverted" },
};

type Row = {
  id: string;
  scope: string;
  label: string;
  specialist: string;
  input: string;
  status: LearnedStatus;
  origin: LearnedOrigin;
  ref: string | null;
  by: string;
  note: string | null;
  created_at: string;
  updated_at: string;
  reviewed_by: string | null;
};

function toExample(r: Row): LearnedExample {
  return {
    id: r.id,
    scope: r.scope,
    label: r.label,
    specialist: r.specialist,
    input: r.input,
    status: r.status,
    origin: r.origin,
    ...(r.ref === null ? {} : { ref: r.ref }),
    by: r.by,
    ...(r.note === null ? {} : { note: r.note }),
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    ...(r.reviewed_by === null ? {} : { reviewedBy: r.reviewed_by }),
  };
}

function newId(): string {
  const b = crypto.getRandomValues(new Uint8Array(12));
  return `lx_${[...b].map((x) => x.toString(16).padStart(2, "0")).join("")}`;
}

/**
 * The learned examples' storage in the control plane (SQLite table `learned`): one
 * row per (scope, normalised input); the rules are worker/intent/learned.ts's. Every
 * change of the active set calls `changed` (the control plane bumps its `learning`
 * version, which every isolate polls with the kill switches) and is audited.
 */
export class LearnedTable {
  readonly #sql: SqlStorage;
  readonly #audit: AuditLog;
  readonly #changed: () => void;

  constructor(sql: SqlStorage, audit: AuditLog, changed: () => void) {
    this.#sql = sql;
    this.#audit = audit;
    this.#changed = changed;
    sql.exec(`CREATE TABLE IF NOT EXISTS learned (id TEXT PRIMARY KEY, scope TEXT NOT NULL, input_key TEXT NOT NULL, label TEXT NOT NULL, specialist TEXT NOT NULL,
        input TEXT NOT NULL, status TEXT NOT NULL, origin TEXT NOT NULL, ref TEXT, by TEXT NOT NULL, note TEXT, created_at TEXT NOT NULL, updated_at TEXT NOT NULL, reviewed_by TEXT);
      CREATE INDEX IF NOT EXISTS learned_by_scope ON learned (scope, status, label);
      CREATE INDEX IF NOT EXISTS learned_by_input ON learned (scope, input_key);
      CREATE INDEX IF NOT EXISTS learned_by_time ON learned (scope, created_at);
      CREATE INDEX IF NOT EXISTS learned_by_teacher ON learned (by, created_at);
      CREATE INDEX IF NOT EXISTS learned_by_ref ON learned (ref);`);
  }

  #row(id: string): Row | undefined {
    return this.#sql.exec<Row>("SELECT * FROM learned WHERE id = ?", id).toArray()[0] as Row | undefined;
  }

  #count(sql: string, ...args: string[]): number {
    return this.#sql.exec<{ n: number }>(`SELECT COUNT(*) AS n FROM learned WHERE ${sql}`, ...args).one().n;
  }

  /**
   * Stores a new example under the guards (worker/intent/learned.ts `admit`): the
   * same input already held (active or pending) in the scope with the same label is
   * answered as is (`existing`); with another label, the held one is reverted and the
   * new one takes its place. `review` holds it for an admin whatever the cap.
   */
  async learn(x: NewLearned, limits: AdmitLimits, review: boolean, now = Date.now()): Promise<LearnResult> {
    const key = normalizeInput(x.input);
    const held = this.#sql.exec<Row>("SELECT * FROM learned WHERE scope = ? AND input_key = ? AND status IN ('active', 'pending')", x.scope, key).toArray()[0] as Row | undefined;
    if (held && held.label === x.label) return { ok: true, example: toExample(held), existing: true };
    const hourAgo = new Date(now - 3_600_000).toISOString();
    const verdict = admit(
      {
        lastHour: this.#count("by = ? AND created_at > ? AND origin = 'feedback'", x.by, hourAgo),
        activeForLabel: this.#count("scope = ? AND label = ? AND status = 'active'", x.scope, x.label),
        held: this.#count("scope = ? AND status IN ('active', 'pending')", x.scope) - (held ? 1 : 0),
      },
      x.origin === "feedback" ? limits : { ...limits, perHour: Number.POSITIVE_INFINITY },
      review,
    );
    if ("refused" in verdict) {
      await this.#audit.append(x.by, "learned.refused", { scope: x.scope, label: x.label, origin: x.origin, reason: verdict.refused, ...(x.ref ? { ref: x.ref } : {}) });
      return { ok: false, refused: verdict.refused, detail: verdict.detail };
    }
    const at = new Date(now).toISOString();
    const id = newId();
    if (held) {
      this.#sql.exec("UPDATE learned SET status = 'reverted', note = ?, updated_at = ?, reviewed_by = ? WHERE id = ?", `replaced by ${id} (label '${x.label}')`, at, x.by, held.id);
      await this.#audit.append(x.by, "learned.replaced", { id: held.id, by: id, scope: x.scope, from: held.label, to: x.label });
    }
    this.#sql.exec(
      "INSERT INTO learned (id, scope, input_key, label, specialist, input, status, origin, ref, by, note, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
      id,
      x.scope,
      key,
      x.label,
      x.specialist,
      x.input,
      verdict.status,
      x.origin,
      x.ref ?? null,
      x.by,
      verdict.note ?? null,
      at,
      at,
    );
    if (verdict.status === "active" || held?.status === "active") this.#changed();
    await this.#audit.append(x.by, verdict.status === "active" ? "learned.added" : "learned.held", {
      id,
      scope: x.scope,
      label: x.label,
      specialist: x.specialist,
      origin: x.origin,
      ...(x.ref ? { ref: x.ref } : {}),
      ...(verdict.note ? { note: verdict.note } : {}),
    });
    return { ok: true, example: toExample(this.#row(id)!), existing: false };
  }

  /** An admin's decision: approve or reject a pending example, revert an active or pending one. */
  async review(id: string, action: ReviewAction, by: string, note?: string): Promise<ReviewResult> {
    const row = this.#row(id);
    if (!row) return { ok: false, reason: "missing", detail: `no learned example '${id}'` };
    const t = TRANSITIONS[action];
    if (!t.from.includes(row.status))
      return { ok: false, reason: "conflict", detail: `example '${id}' is ${row.status}: only ${t.from.map((x) => (x === "active" ? "an active" : `a ${x}`)).join(" or ")} one can be ${action === "approve" ? "approved" : action === "reject" ? "rejected" : "reverted"}` };
    this.#sql.exec("UPDATE learned SET status = ?, note = ?, updated_at = ?, reviewed_by = ? WHERE id = ?", t.to, note ?? row.note, new Date().toISOString(), by, id);
    if (row.status === "active" || t.to === "active") this.#changed();
    await this.#audit.append(by, `learned.${t.to}`, { id, scope: row.scope, label: row.label, from: row.status, ...(note ? { note } : {}) });
    return { ok: true, example: toExample(this.#row(id)!) };
  }

  /**
   * Reverts every active and pending example of a scope taught at or after `since`
   * (ISO; all of them without it): the bulk undo after a bad batch. Returns how many.
   */
  async revertScope(scope: string, by: string, since?: string): Promise<number> {
    const at = new Date().toISOString();
    // counted before the update: RETURNING gives the rows as updated (all 'reverted')
    const active = this.#count("scope = ? AND status = 'active' AND created_at >= ?", scope, since ?? "");
    const rows = this.#sql
      .exec<{ id: string }>(
        "UPDATE learned SET status = 'reverted', note = 'reverted in bulk', updated_at = ?, reviewed_by = ? WHERE scope = ? AND status IN ('active', 'pending') AND created_at >= ? RETURNING id",
        at,
        by,
        scope,
        since ?? "",
      )
      .toArray();
    if (active > 0) this.#changed();
    if (rows.length) await this.#audit.append(by, "learned.reverted", { scope, count: rows.length, ...(since ? { since } : {}) });
    return rows.length;
  }

  /**
   * Reverts the active and pending examples a feedback taught (`ref` its id, origin
   * `feedback`): its latest version no longer corrects. Returns how many.
   */
  async withdraw(ref: string, by: string): Promise<number> {
    const active = this.#count("ref = ? AND origin = 'feedback' AND status = 'active'", ref);
    const rows = this.#sql
      .exec<{ id: string }>(
        "UPDATE learned SET status = 'reverted', note = 'its feedback no longer corrects', updated_at = ?, reviewed_by = ? WHERE ref = ? AND origin = 'feedback' AND status IN ('active', 'pending') RETURNING id",
        new Date().toISOString(),
        by,
        ref,
      )
      .toArray();
    if (active > 0) this.#changed();
    for (const r of rows) await this.#audit.append(by, "learned.withdrawn", { id: r.id, ref });
    return rows.length;
  }

  /** Examples, newest first, by the filters. */
  list(f: LearnedFilter): LearnedExample[] {
    const where: string[] = [];
    const args: string[] = [];
    for (const [col, v] of [["scope", f.scope], ["status", f.status], ["label", f.label]] as const)
      if (v !== undefined) {
        where.push(`${col} = ?`);
        args.push(v);
      }
    const limit = Math.max(1, Math.min(f.limit ?? 100, 500));
    return this.#sql
      .exec<Row>(`SELECT * FROM learned ${where.length ? `WHERE ${where.join(" AND ")}` : ""} ORDER BY created_at DESC, id DESC LIMIT ${limit}`, ...args)
      .toArray()
      .map((r) => toExample(r as Row));
  }

  /** Every active example (what the isolates train on), oldest first. */
  active(): LearnedExample[] {
    return this.#sql
      .exec<Row>("SELECT * FROM learned WHERE status = 'active' ORDER BY created_at, id")
      .toArray()
      .map((r) => toExample(r as Row));
  }
}
