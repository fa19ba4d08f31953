/**
 * Routing figures of the bundled specialists: fits the config's intents exactly as
 * the Worker does (same sources, encoder, settings and `IntentService` path) and
 * scores eval cases on the decisions it makes.
 */
import { intentSettings, intentSources } from "../../worker/config/intent-sources.ts";
import type { Config } from "../../worker/config/schema.ts";
import { BuiltinEncoder } from "../../worker/intent/builtin-encoder.ts";
import { IntentService } from "../../worker/intent/intent-service.ts";
import type { FitOptions } from "../../worker/intent/classifier.ts";
import { buildIntentModel } from "../../worker/intent/model.ts";
import type { CachedIntent } from "../../worker/intent/record.ts";
import { TieredCache } from "../../worker/intent/tiered-cache.ts";
import { OUT_OF_SCOPE, type EvalCase } from "./eval-cases.ts";

/** What the router decided for one input (the fields of its intent record that matter here). */
export interface Decision {
  specialist: string;
  label: string;
  confidence: number;
  inScope: boolean;
}

/** A router over a config: text → decision. */
export interface BundledRouter {
  fallback: string | undefined;
  route(text: string): Promise<Decision>;
}

/**
 * The Worker's intent path for `config` (built-in encoder only: the eval runs offline),
 * with an isolate-only cache sized so no case is answered from another's entry.
 * `fit` overrides the fit's options (e.g. `{ seed: 7 }` to see how much a figure moves
 * between fit seeds); the Worker fits with the defaults.
 */
export async function bundledRouter(config: Config, fit?: FitOptions): Promise<BundledRouter> {
  if (config.router.encoder !== "builtin") throw new Error("the bundled eval needs router.encoder = builtin");
  const model = await buildIntentModel(intentSources(config), new BuiltinEncoder(), fit);
  const service = await IntentService.create(model, new TieredCache<CachedIntent>(16, [], 60), intentSettings(config.router, model.encoder));
  return {
    fallback: config.router.fallback,
    async route(text) {
      const { record } = await service.classify(text, () => {}, "eval");
      return { specialist: record.specialist, label: record.label, confidence: record.confidence, inScope: record.inScope };
    },
  };
}

/** A case with the decision made for it and whether that decision is right. */
export interface Scored {
  c: EvalCase;
  d: Decision;
  ok: boolean;
}

/**
 * Right decision: an in-scope case reaches its specialist; an out-of-scope case
 * reaches the fallback (below `minConfidence`, or a fallback intent such as
 * `general.out-of-scope`).
 */
export function isRight(c: EvalCase, d: Decision, fallback: string | undefined): boolean {
  return c.expect === OUT_OF_SCOPE ? fallback !== undefined && d.specialist === fallback : d.specialist === c.expect;
}

/** Routes every case. */
export async function scoreCases(router: BundledRouter, cases: readonly EvalCase[]): Promise<Scored[]> {
  const out: Scored[] = [];
  for (const c of cases) {
    const d = await router.route(c.text);
    out.push({ c, d, ok: isRight(c, d, router.fallback) });
  }
  return out;
}

/** A count and its share (`rate` in [0, 1]; 0 when `of` is 0). */
export interface Rate {
  right: number;
  of: number;
  rate: number;
}

const rate = (right: number, of: number): Rate => ({ right, of, rate: of === 0 ? 0 : right / of });

/** Figures of one set of scored cases. */
export interface Figures {
  /** In-scope cases routed to their specialist. */
  inScopeAccuracy: Rate;
  /** In-scope cases with an expected intent that got that label, in scope. */
  intentAccuracy: Rate;
  /** Out-of-scope cases routed to the fallback. */
  oosRecall: Rate;
  /** Per expected specialist (and `out-of-scope`): right decisions. */
  bySpecialist: Record<string, Rate>;
}

/**
 * Sums up scored cases.
 *
 * @example
 * figures(scored).oosRecall // { right: 101, of: 111, rate: 0.91 }
 */
export function figures(scored: readonly Scored[]): Figures {
  const inScope = scored.filter((s) => s.c.expect !== OUT_OF_SCOPE);
  const oos = scored.filter((s) => s.c.expect === OUT_OF_SCOPE);
  const withIntent = inScope.filter((s) => s.c.intent !== undefined);
  const bySpecialist: Record<string, Rate> = {};
  for (const key of [...new Set(scored.map((s) => s.c.expect))]) {
    const group = scored.filter((s) => s.c.expect === key);
    bySpecialist[key] = rate(group.filter((s) => s.ok).length, group.length);
  }
  return {
    inScopeAccuracy: rate(inScope.filter((s) => s.ok).length, inScope.length),
    intentAccuracy: rate(withIntent.filter((s) => s.d.inScope && s.d.label === s.c.intent).length, withIntent.length),
    oosRecall: rate(oos.filter((s) => s.ok).length, oos.length),
    bySpecialist,
  };
}
