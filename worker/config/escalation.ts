/**
 * `router.escalation` (docs/intents.md, "Escalation to an LLM router"): when the
 * built-in classifier is unsure of an input, ask a chat specialist to pick among the
 * specialists. Off unless configured. schema.ts adds it to the router settings and runs
 * {@link escalationIssues} with the other cross-field checks.
 */
import { z } from "zod";
import type { Endpoint } from "./endpoints.ts";

/** Endpoint types that are chat models (their adapter answers `{ text, … }`): the ones that can be asked to pick. */
export const CHAT_ENDPOINT_TYPES: ReadonlySet<Endpoint["type"]> = new Set(["openai-chat", "anthropic", "gemini", "workers-ai"]);

/**
 * Settings of escalation to an LLM router. The call to `specialist` goes through its
 * own governance (kill switch, policy, pool, breaker, budget, the tenant's pool); a
 * call that cannot be made, fails, times out or answers anything but the strict JSON
 * keeps the classifier's answer.
 *
 * @example
 * EscalationSettings.parse({ specialist: "llm-router", below: 0.5 })
 * // { specialist: "llm-router", below: 0.5, timeoutMs: 3000, maxTokens: 256, maxInputChars: 2000, propose: false }
 */
export const EscalationSettings = z.lazy(() =>
  z.strictObject({
    /** The chat specialist asked (an `openai-chat`, `anthropic`, `gemini` or `workers-ai` one). */
    specialist: z.string().regex(/^[a-z][a-z0-9_-]{0,63}$/, "a specialist id"),
    /** The classifier's confidence below which an input is escalated (0–1; compare `router.minConfidence`). */
    below: z.number().min(0).max(1),
    /** How long the router waits for the pick, admission included, ms; then the classifier's answer is kept. */
    timeoutMs: z.number().int().min(50).max(60_000).default(3000),
    /**
     * Offer only the classifier's best this many labels (2–500); unset, every label of
     * every specialist that takes hops is offered (a larger prompt).
     */
    maxCandidates: z.number().int().min(2).max(500).optional(),
    /** `max_tokens` of the answer: one short JSON object (a thinking model spends some on thinking first). */
    maxTokens: z.number().int().min(16).max(4096).default(256),
    /** The input is cut to this many characters in the question (a longer one is marked as cut). */
    maxInputChars: z.number().int().min(100).max(100_000).default(2000),
    /**
     * Propose each pick that differs from the classifier's label as a learned example
     * for review (`pending`, origin `escalation`, in the tenant's scope or the global one
     * as `learning.scope` says; docs/intents.md "Learning from feedback"). An admin
     * approves it to teach the classifier.
     */
    propose: z.boolean().default(false),
  }),
);
export type EscalationSettings = z.infer<typeof EscalationSettings>;

/**
 * What `router.escalation` may not name: a specialist that is not registered, or one
 * that is no chat model (the question is a chat conversation, its answer a reply's text).
 */
export function escalationIssues(cfg: { router: { escalation?: EscalationSettings | undefined }; specialists: readonly { id: string; endpoint: { type: Endpoint["type"] } }[] }): { path: (string | number)[]; message: string }[] {
  const e = cfg.router.escalation;
  if (e === undefined) return [];
  const s = cfg.specialists.find((x) => x.id === e.specialist);
  const path = ["router", "escalation", "specialist"];
  if (!s) return [{ path, message: `unknown specialist '${e.specialist}'` }];
  if (!CHAT_ENDPOINT_TYPES.has(s.endpoint.type))
    return [{ path, message: `'${e.specialist}' is a '${s.endpoint.type}' specialist; escalation asks a chat model (${[...CHAT_ENDPOINT_TYPES].join(", ")})` }];
  return [];
}
