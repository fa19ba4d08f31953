import { ATTR, SPAN } from "./attributes.ts";
import type { Tracer } from "./span.ts";

/** Where a task step's spans go: its tracer, under the step's (or verification's) span. */
export interface StepTrace {
  tracer: Tracer;
  parent: string;
}

type Chosen = { ok: true; specialist: { id: string }; intent?: { id: string; label: string; confidence: number } } | { ok: false; detail: string };

/**
 * Runs a step's choice of specialist; when it is routed by its input's intent (not
 * named, not by label, not forced), records the `intent` span: `known` when the
 * task's own intent id was reused, else `classified` (cache tiers included).
 */
export async function tracedChoice<T extends Chosen>(trace: StepTrace | undefined, how: "known" | "classified" | undefined, choose: () => Promise<T>): Promise<T> {
  if (!trace || how === undefined) return choose();
  const span = trace.tracer.start(SPAN.intent, { parent: trace.parent, attributes: { [ATTR.intentSource]: how } });
  try {
    const c = await choose();
    if (c.ok)
      span.end({ code: "ok" }, { [ATTR.intentId]: c.intent?.id, [ATTR.intentLabel]: c.intent?.label, [ATTR.intentConfidence]: c.intent?.confidence, [ATTR.specialist]: c.specialist.id });
    else span.end({ code: "error", message: c.detail });
    return c;
  } catch (e) {
    span.end({ code: "error", message: String(e) });
    throw e;
  }
}

/**
 * Runs a verification in a `verification` span (the verifier's admission and call
 * nest under it) and records the verdict.
 */
export async function tracedVerification<V extends { pass: boolean; score: number; reason: string }>(
  trace: StepTrace | undefined,
  verifier: string,
  checked: string,
  verify: (inner: StepTrace | undefined) => Promise<V>,
): Promise<V> {
  if (!trace) return verify(undefined);
  const span = trace.tracer.start(SPAN.verification, { parent: trace.parent, attributes: { [ATTR.verifier]: verifier, [ATTR.specialist]: checked } });
  try {
    const v = await verify({ tracer: trace.tracer, parent: span.spanId });
    span.end(v.pass ? { code: "ok" } : { code: "error", message: v.reason }, { [ATTR.verdictPass]: v.pass, [ATTR.verdictScore]: v.score });
    return v;
  } catch (e) {
    span.end({ code: "error", message: String(e) });
    throw e;
  }
}
