import { z } from "zod";

/** One candidate in an intent's top-k. */
export const IntentCandidate = z.object({
  label: z.string(),
  specialist: z.string(),
  confidence: z.number().min(0).max(1),
});
export type IntentCandidate = z.infer<typeof IntentCandidate>;

/** How an escalation to an LLM router ended (intent/escalation.ts): only `picked` and `none` change the record. */
export const ESCALATION_OUTCOMES = ["picked", "none", "invalid", "timeout", "skipped", "failed"] as const;
export type EscalationOutcome = (typeof ESCALATION_OUTCOMES)[number];

/**
 * What an escalation did to a record (`router.escalation`): the chat specialist asked
 * (`by`), how it ended, the threshold the classifier's answer (`from`) was under, how
 * long it took (ms, admission included) and what the call cost (USD, as the pools count it).
 */
export const IntentEscalation = z.object({
  by: z.string(),
  outcome: z.enum(ESCALATION_OUTCOMES),
  below: z.number().min(0).max(1),
  from: IntentCandidate,
  ms: z.number().nonnegative(),
  costUsd: z.number().nonnegative(),
  /** Why the classifier's answer was kept (`invalid`, `timeout`, `skipped`, `failed`). */
  detail: z.string().optional(),
});
export type IntentEscalation = z.infer<typeof IntentEscalation>;

/**
 * The shared, cached representation of what a request is about (DESIGN §1).
 * `id` is a content hash of encoder version + normalised input; `specialist` is the
 * one the router resolved (the fallback when `inScope` is false).
 */
export const IntentRecord = z.object({
  id: z.string().regex(/^in_[0-9a-f]{32}$/),
  label: z.string(),
  specialist: z.string(),
  confidence: z.number().min(0).max(1),
  inScope: z.boolean(),
  topK: z.array(IntentCandidate),
  encoder: z.string(),
  model: z.string(),
  createdAt: z.string(),
  /** Present when the router asked an LLM router about this input (`router.escalation`). */
  escalation: IntentEscalation.optional(),
});
export type IntentRecord = z.infer<typeof IntentRecord>;

/**
 * What the cache stores: the record plus the input that produced it, so a later hop
 * that carries only the intent id can still hand the specialist its text.
 */
export const CachedIntent = IntentRecord.extend({ input: z.string() });
export type CachedIntent = z.infer<typeof CachedIntent>;

/** The record as the API shows it (without the stored input). */
export function publicRecord({ input: _input, ...record }: CachedIntent): IntentRecord {
  return record;
}

const ID_RE = /^in_[0-9a-f]{32}$/;

/** True when `s` has the shape of an intent id (checked before any cache lookup). */
export function isIntentId(s: string): boolean {
  return ID_RE.test(s);
}

/** Lowercase hex of a SHA-256 digest. */
export async function sha256Hex(text: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  let out = "";
  for (const b of new Uint8Array(digest)) out += b.toString(16).padStart(2, "0");
  return out;
}

/**
 * The intent id of a normalised input under an encoder version: the same input
 * gives the same id in every isolate and every location.
 *
 * @example
 * await intentId("builtin-hash/1", "what is 2 + 2") // "in_3f1c…" (32 hex digits)
 */
export async function intentId(encoderId: string, normalizedInput: string): Promise<string> {
  return `in_${(await sha256Hex(`${encoderId}\u0000${normalizedInput}`)).slice(0, 32)}`;
}
