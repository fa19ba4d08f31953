import { describe, expect, it } from "vitest";
import { ATTR, SPAN } from "../../../worker/observe/attributes.ts";
import { hopRefOf } from "../../../worker/observe/hop-refs.ts";
import { addIntents, emptyIntentCounts, labelsOf } from "../../../worker/observe/intent-counts.ts";
import { addDays, deltasFromSpans, emptyDay, summarize } from "../../../worker/observe/metrics-model.ts";
import type { SpanRecord } from "../../../worker/observe/span.ts";

const END = Date.parse("2026-11-22T12:00:00.000Z");
let n = 0;
function span(name: string, parent: string | undefined, attributes: SpanRecord["attributes"], ms = 10, kind: SpanRecord["kind"] = "internal"): SpanRecord {
  return { traceId: "b".repeat(32), spanId: String(++n).padStart(16, "0"), ...(parent ? { parentSpanId: parent } : {}), name, kind, startMs: END - ms, endMs: END, attributes, status: { code: "unset" } };
}
const call = (parent: string, specialist: string, outcome: string, ms = 10, cost = 0.001) => span(SPAN.call, parent, { [ATTR.specialist]: specialist, [ATTR.outcome]: outcome, [ATTR.costUsd]: cost }, ms, "client");

/** A hop's spans: the request span (with the label when `served`), its intent span, and calls under the request. */
function hop(label: string | undefined, calls: [string, string, number?][], o: { served?: boolean; hop?: string; tenant?: string; intentId?: string } = {}) {
  const root = span("POST /v1/route", undefined, {
    [ATTR.hop]: o.hop ?? "hop_00000000-0000-0000-0000-000000000001",
    [ATTR.tenant]: o.tenant ?? "acme",
    ...(o.served !== false && calls.length ? { [ATTR.specialist]: calls.at(-1)![0], ...(label ? { [ATTR.intentLabel]: label } : {}) } : {}),
  }, 50, "server");
  const intent = span(SPAN.intent, root.spanId, label ? { [ATTR.intentLabel]: label, [ATTR.intentId]: o.intentId ?? "in_" + "1".repeat(32) } : { [ATTR.intentSource]: "pinned" });
  return [intent, ...calls.map(([s, outcome, ms]) => call(root.spanId, s, outcome, ms)), root];
}

describe("per-intent counts from spans", () => {
  it("counts each call for the label of the hop it served, by outcome, with cost and latency", () => {
    const [d] = deltasFromSpans(hop("units.convert", [["units", "ok", 10], ["units", "timeout", 30]]));
    expect(d!.intents).toEqual({ "units.convert": { ...emptyIntentCounts(), calls: 2, ok: 1, errors: 1, costUsd: 0.002, latencyMsSum: 40 } });
    expect(d).toMatchObject({ calls: 2, ok: 1, errors: 1 }); // the specialist's own counters as before
  });

  it("finds the label on the intent span when the request span has none (a hop that failed)", () => {
    const deltas = deltasFromSpans(hop("math.evaluate", [["arithmetic", "http_error"], ["general", "refused"]], { served: false }));
    const by = Object.fromEntries(deltas.map((d) => [d.specialist, d.intents]));
    expect(by.arithmetic).toEqual({ "math.evaluate": expect.objectContaining({ calls: 1, errors: 1 }) });
    expect(by.general).toEqual({ "math.evaluate": expect.objectContaining({ calls: 1, refused: 1 }) });
  });

  it("counts a pinned hop's calls for no label", () => {
    const [d] = deltasFromSpans(hop(undefined, [["units", "ok"]]));
    expect(d).not.toHaveProperty("intents");
    expect(d!.calls).toBe(1);
  });

  it("counts a step's verdicts for the checked specialist and the step's label, and the verifier's own calls for no label", () => {
    const step = span(SPAN.step, undefined, { [ATTR.step]: "s", [ATTR.intentLabel]: "units.convert" });
    const c = call(step.spanId, "units", "ok");
    const verification = span(SPAN.verification, step.spanId, { [ATTR.verifier]: "checker", [ATTR.specialist]: "units", [ATTR.verdictPass]: false, [ATTR.verdictScore]: 0.1 });
    const verifierCall = call(verification.spanId, "checker", "ok");
    const broken = span(SPAN.verification, step.spanId, { [ATTR.verifier]: "checker", [ATTR.specialist]: "units" }); // the verifier failed: no verdict
    const deltas = deltasFromSpans([c, verifierCall, verification, broken, step]);
    const by = Object.fromEntries(deltas.map((d) => [d.specialist, d]));
    expect(by.units!.intents).toEqual({ "units.convert": expect.objectContaining({ calls: 1, ok: 1, verifiedPass: 0, verifiedFail: 1 }) });
    expect(by.units!.verifications).toEqual({ pass: 0, fail: 1 });
    expect(by.checker).toMatchObject({ calls: 1, ok: 1 });
    expect(by.checker).not.toHaveProperty("intents");
  });

  it("counts an LLM router's call (under the escalation span) for the router, never for the label it was asked about, nor as the hop's", () => {
    const spans = hop("units.convert", [["units", "ok"]]);
    const root = spans.at(-1)!;
    const escalation = span(SPAN.escalation, root.spanId, { [ATTR.specialist]: "llm", [ATTR.intentLabel]: "units.convert", [ATTR.escalationOutcome]: "picked" });
    const asked = call(escalation.spanId, "llm", "ok");
    const deltas = deltasFromSpans([escalation, asked, ...spans], { hopWindowMs: 1 });
    const by = Object.fromEntries(deltas.map((d) => [d.specialist, d]));
    expect(by.llm).toMatchObject({ calls: 1, ok: 1 });
    expect(by.llm).not.toHaveProperty("intents");
    expect(by.units!.intents).toEqual({ "units.convert": expect.objectContaining({ calls: 1 }) });
    const failed = hop("units.convert", [], { served: false });
    const esc = span(SPAN.escalation, failed.at(-1)!.spanId, { [ATTR.specialist]: "llm" });
    expect(hopRefOf([esc, call(esc.spanId, "llm", "timeout"), ...failed], 1)).toBeUndefined();
  });

  it("a step routed by its input takes the label of the intent span under it", () => {
    const step = span(SPAN.step, undefined, { [ATTR.step]: "s" });
    const intent = span(SPAN.intent, step.spanId, { [ATTR.intentLabel]: "text.count", [ATTR.specialist]: "text-stats" });
    const verification = span(SPAN.verification, step.spanId, { [ATTR.specialist]: "text-stats", [ATTR.verdictPass]: true });
    const [d] = deltasFromSpans([intent, call(step.spanId, "text-stats", "ok"), verification, step]);
    expect(d!.intents).toEqual({ "text.count": expect.objectContaining({ calls: 1, ok: 1, verifiedPass: 1 }) });
  });

  it("labelsOf: the parent's label first, else an intent span's under the same parent; none without a parent", () => {
    const root = span("r", undefined, { [ATTR.intentLabel]: "own" });
    const other = span("r2", undefined, {});
    const spans = [root, other, span(SPAN.intent, root.spanId, { [ATTR.intentLabel]: "sibling" }), span(SPAN.intent, other.spanId, { [ATTR.intentLabel]: "sibling" }), span(SPAN.intent, other.spanId, { [ATTR.intentLabel]: "" })];
    const labelOf = labelsOf(spans);
    expect(labelOf(call(root.spanId, "x", "ok"))).toBe("own");
    expect(labelOf(call(other.spanId, "x", "ok"))).toBe("sibling");
    expect(labelOf(span(SPAN.call, undefined, {}))).toBeUndefined();
    expect(labelOf(call("f".repeat(16), "x", "ok"))).toBeUndefined();
  });

  it("adds per-label counts and verdicts across deltas, keeping labels only one side has, changing neither side", () => {
    const [a] = deltasFromSpans(hop("l1", [["s", "ok"]]));
    const [b] = deltasFromSpans([...hop("l1", [["s", "client_closed"]]), ...hop("l2", [["s", "ok"]])]);
    const before = structuredClone(a!.intents);
    const sum = addDays(a!, b!);
    expect(sum.intents!.l1).toMatchObject({ calls: 2, ok: 1, cancelled: 1 });
    expect(sum.intents!.l2).toMatchObject({ calls: 1, ok: 1 });
    expect(a!.intents).toEqual(before);
    expect(addDays(emptyDay("s", a!.day), emptyDay("s", a!.day))).not.toHaveProperty("intents");
    expect(addIntents(undefined, undefined)).toBeUndefined();
    expect(addDays({ ...emptyDay("s", a!.day), verifications: { pass: 1, fail: 2 } }, { ...emptyDay("s", a!.day), verifications: { pass: 3, fail: 0 } }).verifications).toEqual({ pass: 4, fail: 2 });
  });
});

describe("summaries per intent, with feedback", () => {
  it("shows rates, mean latency and the day's feedback per label (a label with feedback only too), and the specialist's feedback", () => {
    const [d] = deltasFromSpans(hop("units.convert", [["units", "ok", 10], ["units", "timeout", 30], ["units", "ok", 20]]));
    const tally = { total: { good: 3, bad: 2, scored: 2, scoreSum: 1.5 }, byLabel: { "units.convert": { good: 1, bad: 1, scored: 1, scoreSum: 0.5 }, "units.data": { good: 1, bad: 0, scored: 0, scoreSum: 0 } } };
    const s = summarize(d!, tally);
    expect(s.feedback).toEqual({ good: 3, bad: 2, scored: 2, meanScore: 0.75 });
    expect(s.verifications).toEqual({ pass: 0, fail: 0 });
    expect(s.intents).toEqual([
      { label: "units.convert", requests: 3, ok: 2, errors: 1, refused: 0, cancelled: 0, successRate: 0.666667, verifications: { pass: 0, fail: 0 }, verifiedRate: null, feedback: { good: 1, bad: 1, scored: 1, meanScore: 0.5 }, latencyMs: { mean: 20 }, costUsd: 0.003 },
      { label: "units.data", requests: 0, ok: 0, errors: 0, refused: 0, cancelled: 0, successRate: null, verifications: { pass: 0, fail: 0 }, verifiedRate: null, feedback: { good: 1, bad: 0, scored: 0, meanScore: null }, latencyMs: { mean: null }, costUsd: 0 },
    ]);
  });

  it("an empty day has no intents and zero feedback", () => {
    expect(summarize(emptyDay("x", "2026-01-01"))).toMatchObject({ intents: [], feedback: { good: 0, bad: 0, scored: 0, meanScore: null }, verifications: { pass: 0, fail: 0 } });
  });
});

describe("hop references for feedback", () => {
  it("names the hop, its tenant, the specialist that served it, its label and intent id, kept for the window", () => {
    const spans = hop("units.convert", [["general", "timeout"], ["units", "ok"]], { hop: "hop_00000000-0000-0000-0000-0000000000aa", tenant: "acme", intentId: "in_" + "a".repeat(32) });
    expect(hopRefOf(spans, 1000)).toEqual({ hop: "hop_00000000-0000-0000-0000-0000000000aa", tenant: "acme", specialist: "units", label: "units.convert", intentId: "in_" + "a".repeat(32), at: END, expiresAt: END + 1000 });
  });

  it("travels with the delta of the specialist that served it, and adds up across deltas", () => {
    const deltas = deltasFromSpans(hop("units.convert", [["general", "timeout"], ["units", "ok"]]), { hopWindowMs: 60_000 });
    const by = Object.fromEntries(deltas.map((d) => [d.specialist, d]));
    expect(by.units!.hopRefs).toEqual([expect.objectContaining({ specialist: "units", expiresAt: END + 60_000 })]);
    expect(by.general).not.toHaveProperty("hopRefs");
    expect(addDays(by.units!, by.units!).hopRefs).toHaveLength(2);
    expect(deltasFromSpans(hop("units.convert", [["units", "ok"]]))[0]).not.toHaveProperty("hopRefs"); // no window: none
  });

  it("a failed hop names the specialist tried last; a hop with no specialist, a step's spans or a zero window have none", () => {
    expect(hopRefOf(hop("l", [["a", "http_error"], ["b", "timeout"]], { served: false }), 1)).toMatchObject({ specialist: "b", label: "l" });
    expect(hopRefOf(hop("l", [], { served: false }), 1)).toBeUndefined();
    expect(hopRefOf([span(SPAN.step, undefined, { [ATTR.step]: "s" })], 1)).toBeUndefined();
    expect(hopRefOf(hop("l", [["a", "ok"]]), 0)).toBeUndefined();
    const pinned = hopRefOf(hop(undefined, [["a", "ok"]]), 1)!;
    expect(pinned).not.toHaveProperty("label");
    expect(pinned).not.toHaveProperty("intentId");
  });
});
