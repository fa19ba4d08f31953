import { DurableObject } from "cloudflare:workers";
import { controlStub } from "../worker/control.ts";
import type { Env } from "../worker/env.ts";
import { auditDetail, feedbackId, nextRecord, targetKey, type FeedbackAnswer, type FeedbackRecord, type FeedbackSubmission } from "../worker/feedback/record.ts";
import type { HopRef } from "../worker/observe/hop-refs.ts";
import type { FeedbackTally } from "../worker/observe/intent-summary.ts";
import { addDays, emptyDay, type SpecialistDay } from "../worker/observe/metrics-model.ts";
import type { Bucket, BucketDelta } from "../worker/observe/timeseries.ts";
import { afterCalls, armNow, feedbackArms } from "../worker/routing/arm-stats.ts";
import type { ArmStats } from "../worker/routing/selection.ts";
import { anchored, type AuditEntry, type ChainVerdict } from "../worker/tasks/audit.ts";
import { ArmTable } from "./arm-table.ts";
import { AuditLog } from "./audit-log.ts";
import { FeedbackTable } from "./feedback-table.ts";
import { HopRefTable } from "./hop-ref-table.ts";
import { SeriesTable } from "./series-table.ts";

/** Days of counters a Metrics object keeps (today and the week before). */
export const KEEP_DAYS = 8;

/**
 * One specialist's outcomes, named `specialist:<id>`: its request counters, error
 * counts, cost and latency histogram per UTC day, with the same per intent label it
 * served (`days`, `GET /v1/metrics`); the hops it served, for feedback on them
 * (`hop_refs`); the explicit feedback on its hops, steps and intents (`feedback`,
 * `POST /v1/feedback`) with its hash-chained audit log (`audit`, anchored in the
 * control plane as `feedback:<id>`); and its {@link ArmStats} per intent label
 * (`arms`) for outcome-aware selection; and its time series per tenant, per minute
 * for 48 hours and per hour for 30 days (`series`, series-table.ts).
 *
 * One object per specialist rather than one for all: each object's write rate is its
 * specialist's call rate (the rate its RateLimitPool already takes), not the sum of
 * every specialist's, and a slow or hot specialist never delays another's counters.
 * Feedback lives here too, not in an object of its own: a feedback and the arm it moves
 * are written by one call to one object (no second object to keep in step), and
 * feedback is rare next to calls. The cost is that a tenant's feedback list and a hop
 * that is not in KV are looked up across the specialists' objects. Workers send their
 * deltas after the response (`waitUntil`), never on the response path.
 */
export class Metrics extends DurableObject<Env> {
  readonly #sql: SqlStorage;
  readonly #feedback: FeedbackTable;
  readonly #hops: HopRefTable;
  readonly #arms: ArmTable;
  readonly #series: SeriesTable;
  #auditLog: AuditLog | undefined;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.#sql = ctx.storage.sql;
    this.#sql.exec("CREATE TABLE IF NOT EXISTS days (day TEXT PRIMARY KEY, doc TEXT NOT NULL)");
    this.#feedback = new FeedbackTable(this.#sql);
    this.#hops = new HopRefTable(this.#sql);
    this.#arms = new ArmTable(this.#sql);
    this.#series = new SeriesTable(this.#sql);
  }

  #get(specialist: string, day: string): SpecialistDay {
    const row = this.#sql.exec<{ doc: string }>("SELECT doc FROM days WHERE day = ?", day).toArray()[0];
    return row ? (JSON.parse(row.doc) as SpecialistDay) : emptyDay(specialist, day);
  }

  /** The feedback audit chain, each new head anchored in the control plane as `feedback:<specialist>`. */
  #audit(specialist: string): AuditLog {
    return (this.#auditLog ??= new AuditLog(this.#sql, async (head) => controlStub(this.env)?.anchor(`feedback:${specialist}`, head.seq, head.hash)));
  }

  /**
   * Adds deltas (one per UTC day) to the stored counters, moves each label's arm by the
   * delta's calls and verdicts (worker/routing/arm-stats.ts `afterCalls`), keeps the
   * hop references it carries; adds the minute deltas of its time series (`buckets`,
   * sent in the same call); drops days older than {@link KEEP_DAYS} and expired hops.
   */
  record(deltas: SpecialistDay[], buckets: BucketDelta[] = []): void {
    const now = Date.now();
    this.#series.record(buckets, now);
    const refs: HopRef[] = [];
    for (const { hopRefs, ...d } of deltas) {
      const sum = addDays(this.#get(d.specialist, d.day), d);
      this.#sql.exec("INSERT OR REPLACE INTO days (day, doc) VALUES (?, ?)", d.day, JSON.stringify(sum));
      for (const [label, c] of Object.entries(d.intents ?? {})) {
        const arm = afterCalls(this.#arms.get(label), c, now);
        if (arm) this.#arms.put(label, arm);
      }
      if (hopRefs) refs.push(...hopRefs);
    }
    this.#hops.put(refs, now);
    const oldest = new Date(now - KEEP_DAYS * 86_400_000).toISOString().slice(0, 10);
    this.#sql.exec("DELETE FROM days WHERE day < ?", oldest);
  }

  /** The counters of one UTC day (zeros when nothing was recorded), with the feedback given that day. */
  day(specialist: string, day: string): SpecialistDay & { feedback: FeedbackTally } {
    return { ...this.#get(specialist, day), feedback: this.#feedback.tally(day) };
  }

  /**
   * Its stored buckets (`res`: 60000 minutes or 3600000 hours) in `[from, to)` merged to
   * `stepMs`, of one tenant or all (worker/observe/timeseries.ts: sparse, by start).
   */
  series(res: number, from: number, to: number, stepMs: number, tenant?: string): Bucket[] {
    return this.#series.range(res, from, to, stepMs, tenant);
  }

  /** As {@link series}, per tenant (series-table.ts `rangeByTenant`). */
  seriesByTenant(res: number, from: number, to: number, stepMs: number): { tenant: string; buckets: Bucket[] }[] {
    return this.#series.rangeByTenant(res, from, to, stepMs);
  }

  /** A hop this specialist served, if it is the tenant's and still takes feedback. */
  hopRef(hop: string, tenant: string): HopRef | undefined {
    return this.#hops.get(hop, tenant, Date.now());
  }

  /**
   * Stores feedback on a target this specialist served (worker/feedback/record.ts): the
   * same body again answers the stored record and changes nothing; a different body
   * replaces it (latest wins: its arm outcome is taken back and the new one counted;
   * the day's feedback counters count the latest version only). An `Idempotency-Key`
   * reused with another target or body is a conflict; reused with its own request, it
   * answers the stored record without replacing what came since. Each version stored
   * is appended to the audit chain (`feedback.given`, `feedback.replaced`).
   */
  async submitFeedback(s: FeedbackSubmission): Promise<FeedbackAnswer> {
    const target = targetKey(s.target);
    const id = await feedbackId(s.tenant, s.target);
    // from here to the writes nothing is awaited: no other submission reads in between
    const existing = this.#feedback.get(s.tenant, target);
    if (s.idempotencyKey !== undefined) {
      const used = this.#feedback.key(s.tenant, s.idempotencyKey);
      if (used && (used.target !== target || used.body !== s.bodyHash)) return { kind: "conflict" };
      if (used && existing) return { kind: "same", record: existing };
    }
    if (existing && existing.bodyHash === s.bodyHash) {
      if (s.idempotencyKey !== undefined) this.#feedback.putKey(s.tenant, s.idempotencyKey, target, s.bodyHash);
      return { kind: "same", record: existing };
    }
    const now = Date.now();
    const record = nextRecord(existing, id, s, now);
    // feedback on a bare intent judges a classification, not an answer of this specialist: it moves no arm (nor can one tenant's stream of them sink it for all)
    const armOf = (r: FeedbackRecord) => (r.target.kind === "intent" ? null : r.label);
    const arms = feedbackArms(
      existing ? { label: armOf(existing), good: existing.outcome === "good", at: existing.at } : undefined,
      { label: armOf(record), good: record.outcome === "good" },
      (label) => this.#arms.get(label),
      now,
    );
    this.ctx.storage.transactionSync(() => {
      this.#feedback.put(target, record);
      if (s.idempotencyKey !== undefined) this.#feedback.putKey(s.tenant, s.idempotencyKey, target, s.bodyHash);
      for (const [label, arm] of Object.entries(arms)) this.#arms.put(label, arm);
    });
    await this.#audit(record.specialist).append(s.actor, existing ? "feedback.replaced" : "feedback.given", await auditDetail(record, existing));
    return { kind: existing ? "replaced" : "created", record };
  }

  /** A tenant's feedback on this specialist's targets, newest first. */
  feedbackList(tenant: string, q: { label?: string | undefined; outcome?: string | undefined; limit: number }): FeedbackRecord[] {
    return this.#feedback.list(tenant, q);
  }

  /** The feedback audit chain and whether it verifies against its anchored head. */
  async feedbackAudit(specialist: string): Promise<{ entries: AuditEntry[]; verification: ChainVerdict }> {
    const { entries, verification } = await this.#audit(specialist).read();
    return { entries, verification: anchored(verification, entries, await controlStub(this.env)?.anchorOf(`feedback:${specialist}`)) };
  }

  /**
   * This specialist's {@link ArmStats} for an intent label, as of now (counts decayed
   * with worker/routing/arm-stats.ts `ARM_SETTINGS`), or undefined before any outcome.
   */
  arm(label: string): ArmStats | undefined {
    const s = this.#arms.get(label);
    return s ? armNow(s, Date.now()) : undefined;
  }

  /** Its {@link ArmStats} for every label it has outcomes for, as of now. */
  arms(): Record<string, ArmStats> {
    const now = Date.now();
    return Object.fromEntries(Object.entries(this.#arms.all()).map(([label, s]) => [label, armNow(s, now)]));
  }
}
