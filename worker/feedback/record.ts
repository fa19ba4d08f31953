/**
 * Feedback records (issue 17, `POST /v1/feedback`): one per (tenant, target), latest
 * wins. Pure: the Metrics object (durable-objects/metrics.ts) stores them and the route
 * resolves targets (./resolve.ts).
 */
import { sha256Hex } from "../intent/record.ts";
import type { JsonObject } from "../json.ts";
import { canonicalJson } from "../tasks/audit.ts";

/** What feedback is about: a one-hop request, an intent (its classification), or a task step. */
export type FeedbackTarget = { kind: "hop"; hopId: string } | { kind: "intent"; intentId: string } | { kind: "step"; taskId: string; stepId: string };

/** What the caller said: the body without its target. */
export interface FeedbackBody {
  outcome: "good" | "bad";
  score?: number;
  correctLabel?: string;
  correctSpecialist?: string;
  comment?: string;
}

/** A target resolved by the router: who served it, by which intent, on what input (when still known). */
export interface ResolvedTarget {
  specialist: string;
  label?: string | undefined;
  intentId?: string | undefined;
  input?: string | undefined;
}

/** One feedback, as the specialist's Metrics object stores it (and returns it over RPC). */
export interface FeedbackRecord extends FeedbackBody {
  /** `fb_` and 32 hex digits of SHA-256(tenant, target): one id per target and tenant. */
  id: string;
  tenant: string;
  target: FeedbackTarget;
  specialist: string;
  label: string | null;
  intentId: string | null;
  /** The target's input text, when it was known (for the learned-example store's corrections). */
  input?: string;
  /** The principal that gave this version (`tenant:<name>` or `admin:<name>`). */
  by: string;
  createdAt: string;
  updatedAt: string;
  /** When this version was counted, epoch ms (a replacement takes its arm outcome back from then). */
  at: number;
  revision: number;
  /** SHA-256 of the canonical body: the same body again is the same feedback. */
  bodyHash: string;
}

/** What the route hands the Metrics object. */
export interface FeedbackSubmission {
  tenant: string;
  actor: string;
  target: FeedbackTarget;
  resolved: ResolvedTarget;
  body: FeedbackBody;
  bodyHash: string;
  /** The request's `Idempotency-Key` header. */
  idempotencyKey?: string | undefined;
}

/** The Metrics object's answer: stored anew, the same body again, a different body replacing it, or a key reused for another request. */
export type FeedbackAnswer = { kind: "created" | "same" | "replaced"; record: FeedbackRecord } | { kind: "conflict" };

/** The target's key within a tenant: `hop:<id>`, `intent:<id>`, `step:<task>/<step>`. */
export function targetKey(t: FeedbackTarget): string {
  switch (t.kind) {
    case "hop":
      return `hop:${t.hopId}`;
    case "intent":
      return `intent:${t.intentId}`;
    case "step":
      return `step:${t.taskId}/${t.stepId}`;
  }
}

/** The target a (validated) request names. */
export function targetOf(b: { hopId?: string | undefined; intentId?: string | undefined; taskId?: string | undefined; stepId?: string | undefined }): FeedbackTarget {
  if (b.hopId !== undefined) return { kind: "hop", hopId: b.hopId };
  if (b.intentId !== undefined) return { kind: "intent", intentId: b.intentId };
  return { kind: "step", taskId: b.taskId!, stepId: b.stepId! };
}

/** The body's members other than its target, without the absent ones. */
export function bodyOf(b: FeedbackBody): FeedbackBody {
  return {
    outcome: b.outcome,
    ...(b.score !== undefined ? { score: b.score } : {}),
    ...(b.correctLabel !== undefined ? { correctLabel: b.correctLabel } : {}),
    ...(b.correctSpecialist !== undefined ? { correctSpecialist: b.correctSpecialist } : {}),
    ...(b.comment !== undefined ? { comment: b.comment } : {}),
  };
}

/** SHA-256 of a body's canonical JSON (member order does not matter). */
export function bodyHash(b: FeedbackBody): Promise<string> {
  return sha256Hex(canonicalJson(bodyOf(b)));
}

/** The feedback id of a tenant's target. */
export async function feedbackId(tenant: string, target: FeedbackTarget): Promise<string> {
  return `fb_${(await sha256Hex(`${tenant}\u0000${targetKey(target)}`)).slice(0, 32)}`;
}

/**
 * The record after a submission at `now`: a new one (revision 1), or the next version
 * of `existing` (latest wins: every member of the body is the new one's; the input is
 * kept when it is no longer known).
 */
export function nextRecord(existing: FeedbackRecord | undefined, id: string, s: FeedbackSubmission, now: number): FeedbackRecord {
  const at = new Date(now).toISOString();
  const input = s.resolved.input ?? existing?.input;
  return {
    id,
    tenant: s.tenant,
    target: s.target,
    specialist: s.resolved.specialist,
    label: s.resolved.label ?? null,
    intentId: s.resolved.intentId ?? null,
    ...(input !== undefined ? { input } : {}),
    ...bodyOf(s.body),
    by: s.actor,
    createdAt: existing?.createdAt ?? at,
    updatedAt: at,
    at: now,
    revision: (existing?.revision ?? 0) + 1,
    bodyHash: s.bodyHash,
  };
}

/** The record as the API shows it: no tenant, input, hash or clock. */
export function viewOf(r: FeedbackRecord) {
  const { tenant: _t, input, bodyHash: _h, at: _a, ...shown } = r;
  return { ...shown, inputKnown: input !== undefined, replaced: r.revision > 1 };
}

/**
 * The audit entry's detail of a stored version: who it is about and what was said; the
 * comment and input by hash and length only (the chain cannot be edited to erase them).
 */
export async function auditDetail(r: FeedbackRecord, previous: FeedbackRecord | undefined): Promise<JsonObject> {
  const opt = (k: string, v: string | number | null | undefined): JsonObject => (v === undefined || v === null ? {} : { [k]: v });
  return {
    feedback: r.id,
    tenant: r.tenant,
    target: targetKey(r.target),
    specialist: r.specialist,
    ...opt("label", r.label),
    ...opt("intentId", r.intentId),
    outcome: r.outcome,
    ...opt("score", r.score),
    ...opt("correctLabel", r.correctLabel),
    ...opt("correctSpecialist", r.correctSpecialist),
    ...(r.comment !== undefined ? { commentSha256: await sha256Hex(r.comment), commentChars: r.comment.length } : {}),
    ...(r.input !== undefined ? { inputSha256: await sha256Hex(r.input) } : {}),
    revision: r.revision,
    ...(previous ? { previous: { outcome: previous.outcome, revision: previous.revision, bodyHash: previous.bodyHash } } : {}),
  };
}

/**
 * What is wrong with a correction against the config: a `correctLabel` no specialist
 * declares, a `correctSpecialist` that is not registered or takes no hops. Empty when
 * nothing is.
 */
export function correctionIssues(b: FeedbackBody, labels: ReadonlySet<string>, takesHops: (id: string) => boolean | undefined): { path: string; message: string }[] {
  const issues: { path: string; message: string }[] = [];
  if (b.correctLabel !== undefined && !labels.has(b.correctLabel)) issues.push({ path: "correctLabel", message: `no specialist declares the intent label '${b.correctLabel}'` });
  if (b.correctSpecialist !== undefined) {
    const takes = takesHops(b.correctSpecialist);
    if (takes === undefined) issues.push({ path: "correctSpecialist", message: `no registered specialist '${b.correctSpecialist}'` });
    else if (!takes) issues.push({ path: "correctSpecialist", message: `'${b.correctSpecialist}' is an MCP server: it takes tool calls, not hops` });
  }
  return issues;
}
