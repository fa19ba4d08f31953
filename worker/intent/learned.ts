/**
 * Learned examples (issue 17, docs/intents.md "Learning from feedback"): inputs whose
 * right label a user, a verifier or an escalation said, kept as training examples
 * beside the config's. Pure: which status a new example gets (the poisoning guards),
 * and the intent sources a scope's model is fitted on. The store is the control
 * plane's (durable-objects/learned-table.ts).
 */
import type { IntentSource } from "./model.ts";
import { normalizeInput } from "./normalize.ts";

/** The scope every tenant's model learns from; any other scope is a tenant's name. */
export const GLOBAL_SCOPE = "*";

/**
 * `active`: trained on. `pending`: waiting for an admin (over its label's cap, or
 * proposed by an escalation). `rejected`: an admin refused a pending one. `reverted`:
 * an admin took an active one back.
 */
export type LearnedStatus = "active" | "pending" | "rejected" | "reverted";

/** Where an example came from: a user's feedback, an LLM router's pick, an admin. */
export type LearnedOrigin = "feedback" | "escalation" | "admin";

/** One learned example as stored and listed (`GET /v1/admin/learned`). */
export interface LearnedExample {
  /** `lx_` + 24 hex digits. */
  id: string;
  /** A tenant's name, or {@link GLOBAL_SCOPE}. */
  scope: string;
  label: string;
  specialist: string;
  /** The input as sent (at most `learning.maxExampleChars` characters). */
  input: string;
  status: LearnedStatus;
  origin: LearnedOrigin;
  /** What it came from: the feedback's id, the intent id of an escalation. */
  ref?: string | undefined;
  /** Who taught it (`tenant:<name>`, `admin:<tenant>`, `router`). */
  by: string;
  /** Why it is in its status (the guard that held it, the reviewer's reason). */
  note?: string | undefined;
  createdAt: string;
  updatedAt: string;
  /** Who last reviewed it (approve, reject, revert). */
  reviewedBy?: string | undefined;
}

/** The guards a new example passes, from `learning` and the config's examples of its label. */
export interface AdmitLimits {
  /** Corrections one teacher may give per rolling hour (`learning.correctionsPerHour`). */
  perHour: number;
  /** Active examples its label may hold in the scope without review ({@link labelCap}). */
  labelCap: number;
  /** Examples (active or pending) a scope may hold (`learning.maxPerScope`). */
  maxPerScope: number;
}

/** What the store counts in the scope when an example arrives. */
export interface ScopeCounts {
  /** Corrections (origin `feedback`) the same teacher (tenant) gave in the last hour, any status. */
  lastHour: number;
  /** Active examples of the same label. */
  activeForLabel: number;
  /** Active and pending examples. */
  held: number;
}

/** The status a new example gets, or why it is refused (nothing stored). */
export type Admission = { status: "active" | "pending"; note?: string } | { refused: "rate" | "full"; detail: string };

/**
 * Decides a new example's status: refused over the hourly rate or when the scope is
 * full; `pending` when it is a proposal (`review`) or its label already holds its cap
 * of active examples; else `active`.
 *
 * @example
 * admit({ lastHour: 0, activeForLabel: 5, held: 9 }, { perHour: 30, labelCap: 5, maxPerScope: 500 }, false)
 * // { status: "pending", note: "label holds 5 learned examples, its cap without review" }
 */
export function admit(counts: ScopeCounts, limits: AdmitLimits, review: boolean): Admission {
  if (counts.lastHour >= limits.perHour) return { refused: "rate", detail: `${limits.perHour} corrections an hour is a tenant's limit (learning.correctionsPerHour)` };
  if (counts.held >= limits.maxPerScope) return { refused: "full", detail: `this scope holds ${limits.maxPerScope} learned examples, its limit (learning.maxPerScope): an admin must review or revert some first` };
  if (review) return { status: "pending", note: "proposed for review" };
  if (counts.activeForLabel >= limits.labelCap) return { status: "pending", note: `label holds ${limits.labelCap} learned examples, its cap without review (learning.maxShare, learning.minPerLabel)` };
  return { status: "active" };
}

/** Active learned examples a label may hold in one scope without review: `max(minPerLabel, ⌊maxShare × configured⌋)`. */
export function labelCap(configured: number, settings: { maxShare: number; minPerLabel: number }): number {
  return Math.max(settings.minPerLabel, Math.floor(settings.maxShare * configured));
}

/**
 * The sources a scope's model is fitted on: the config's, then one source per label
 * with its learned examples (oldest first, then by id: the same examples give the
 * same model key wherever they are read). Examples of a label the config no longer
 * has, and inputs the label's config examples already hold (after normalisation),
 * are left out.
 */
export function withLearned(base: readonly IntentSource[], learned: readonly Pick<LearnedExample, "id" | "label" | "input" | "createdAt">[]): IntentSource[] {
  if (learned.length === 0) return [...base];
  const specialistOf = new Map<string, string>();
  const known = new Map<string, Set<string>>();
  for (const s of base) {
    specialistOf.set(s.label, s.specialist);
    const set = known.get(s.label) ?? new Set<string>();
    for (const e of s.examples) set.add(normalizeInput(e));
    known.set(s.label, set);
  }
  const byLabel = new Map<string, string[]>();
  const sorted = [...learned].sort((a, b) => (a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  for (const x of sorted) {
    const seen = known.get(x.label);
    if (!seen || seen.has(normalizeInput(x.input))) continue;
    seen.add(normalizeInput(x.input));
    byLabel.set(x.label, [...(byLabel.get(x.label) ?? []), x.input]);
  }
  const labels = [...byLabel.keys()].sort();
  return [...base, ...labels.map((label) => ({ specialist: specialistOf.get(label)!, label, examples: byLabel.get(label)! }))];
}
