/**
 * What a learned choice reads (`router.selection: "learned"`, routing/decide.ts): the
 * candidates' outcome counts for the intent's label from their `Metrics` objects
 * (`arm(label)`), through this isolate's {@link ArmCache}.
 */
import type { Runtime } from "./runtime.ts";
import type { Env } from "./env.ts";
import type { IntentRecord } from "./intent/record.ts";
import { metricsStub } from "./observe/sinks.ts";
import { ArmCache } from "./routing/arm-cache.ts";
import type { LearnedChoice } from "./routing/decide.ts";
import { DEFAULT_SELECTION } from "./routing/selection.ts";

/** How long a hop waits for counts it has never read (then the candidate has its prior). */
const FIRST_READ_MS = 100;

let cache: ArmCache | undefined;

function armCache(env: Env): ArmCache {
  // one per isolate: every request of an isolate has the same bindings
  return (cache ??= new ArmCache(async (specialist, label) => (await metricsStub(env, specialist)?.arm(label)) ?? undefined));
}

/**
 * The learned choice's inputs for a hop with this intent, or undefined when the config
 * chooses statically or the intent is out of scope. Candidates read: the intended
 * specialist, the intent's other top-k specialists and the intended one's fallbacks.
 */
export async function learnedChoice(env: Env, rt: Runtime, intent: IntentRecord | undefined, defer: (p: Promise<unknown>) => void, now = Date.now()): Promise<LearnedChoice | undefined> {
  // an LLM router's pick is the decision as it is (routing/decide.ts): no counts to read for it
  if (rt.config.router.selection !== "learned" || !intent?.inScope || intent.escalation?.outcome === "picked") return undefined;
  const ids = new Set([intent.specialist, ...intent.topK.map((c) => c.specialist), ...(rt.registry.get(intent.specialist)?.fallbacks ?? [])].filter((id) => rt.registry.has(id)));
  const o = rt.config.learning.selection;
  const stats = await armCache(env).get(intent.label, [...ids], now, { ttlMs: o.statsTtlMs, firstReadMs: FIRST_READ_MS, defer });
  return { stats, now, rng: Math.random, settings: { ...DEFAULT_SELECTION, costWeight: o.costWeight, latencyWeight: o.latencyWeight } };
}
