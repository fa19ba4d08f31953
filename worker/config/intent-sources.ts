import { BuiltinEncoder } from "../intent/builtin-encoder.ts";
import type { Encoder } from "../intent/encoder.ts";
import type { IntentSettings } from "../intent/intent-service.ts";
import type { IntentSource } from "../intent/model.ts";
import type { Config } from "./schema.ts";

/**
 * The intent sources a config declares: one per intent of each specialist, in
 * config order, `{ specialist: <specialist id>, label, examples }`. The Worker fits
 * its model on exactly these; `check-config` and `npm run eval` use the same list,
 * so what they measure is what the Worker routes with.
 *
 * @example
 * intentSources(config) // [{ specialist: "arithmetic", label: "math.evaluate", examples: ["what is 12 times 7", …] }, …]
 */
export function intentSources(config: Pick<Config, "specialists">): IntentSource[] {
  return config.specialists.flatMap((s) => s.intents.map((i) => ({ specialist: s.id, label: i.label, examples: i.examples })));
}

/**
 * The intent service's settings under a config's router settings, for a model on
 * `encoder`: shared cache tiers are read before classifying only when classifying
 * costs more than a network read (any encoder but the built-in one).
 *
 * @example
 * intentSettings(config.router, new BuiltinEncoder()) // { minConfidence: 0.35, fallback: "general", topK: 3, sharedReadsForInputs: false }
 */
export function intentSettings(router: Pick<Config["router"], "minConfidence" | "fallback" | "topK"> & Partial<Pick<Config["router"], "escalation">>, encoder: Encoder): IntentSettings {
  const e = router.escalation;
  return {
    minConfidence: router.minConfidence,
    fallback: router.fallback,
    topK: router.topK,
    sharedReadsForInputs: !(encoder instanceof BuiltinEncoder),
    ...(e ? { escalation: { specialist: e.specialist, below: e.below, maxCandidates: e.maxCandidates } } : {}),
  };
}
