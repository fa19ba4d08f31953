import { describe, expect, it } from "vitest";
import { ATTR, SPAN } from "../../../worker/observe/attributes.ts";
import { addDays, deltasFromSpans, emptyDay, summarize, utcDay } from "../../../worker/observe/metrics-model.ts";
import type { SpanRecord } from "../../../worker/observe/span.ts";

const DAY1 = Date.parse("2026-11-22T23:59:59.000Z");
const DAY2 = Date.parse("2026-11-23T00:00:01.000Z");
let n = 0;
function span(name: string, endMs: number, ms: number, attributes: SpanRecord["attributes"]): SpanRecord {
  return { traceId: "a".repeat(32), spanId: String(++n).padStart(16, "0"), name, kind: "internal", startMs: endMs - ms, endMs, attributes, status: { code: "unset" } };
}
const call = (specialist: string, outcome: string, endMs: number, ms: number, cost: number) =>
  span(SPAN.call, endMs, ms, { [ATTR.specialist]: specialist, [ATTR.outcome]: outcome, [ATTR.costUsd]: cost });
const denial = (specialist: string, kind: string, endMs: number) => span(SPAN.admission, endMs, 0, { [ATTR.specialist]: specialist, [ATTR.admission]: "denied", [ATTR.errorType]: kind });

describe("metrics from spans", () => {
  it("counts calls, failures by kind, denials and cost per specialist and UTC day", () => {
    const deltas = deltasFromSpans([
      call("units", "ok", DAY1, 10, 0.001),
      call("units", "timeout", DAY1, 300, 0.001),
      call("units", "ok", DAY2, 20, 0.003),
      denial("units", "circuit_open", DAY2),
      span(SPAN.admission, DAY2, 1, { [ATTR.specialist]: "units", [ATTR.admission]: "admitted" }),
      call("general", "http_error", DAY2, 5, 0),
      span(SPAN.intent, DAY2, 1, { [ATTR.intentLabel]: "units.convert" }),
    ]);
    const byKey = Object.fromEntries(deltas.map((d) => [`${d.specialist}@${d.day}`, d]));
    expect(Object.keys(byKey).sort()).toEqual(["general@2026-11-23", "units@2026-11-22", "units@2026-11-23"]);
    expect(byKey["units@2026-11-22"]).toMatchObject({ calls: 2, ok: 1, errors: 1, failures: { timeout: 1 }, denied: 0, costUsd: 0.002 });
    expect(byKey["units@2026-11-23"]).toMatchObject({ calls: 1, ok: 1, errors: 0, denied: 1, denials: { circuit_open: 1 } });
    expect(byKey["general@2026-11-23"]).toMatchObject({ calls: 1, errors: 1, failures: { http_error: 1 } });
    expect(byKey["units@2026-11-22"]!.latency.count).toBe(2);
  });

  it("adds days and summarizes error rate, percentiles and cost", () => {
    const [a] = deltasFromSpans([call("units", "ok", DAY1, 10, 0.1), call("units", "ok", DAY1, 10, 0.1), call("units", "bad_response", DAY1, 100, 0.1)]);
    const [b] = deltasFromSpans([call("units", "ok", DAY1, 10, 0.1), call("units", "timeout", DAY1, 1000, 0.1)]);
    const sum = addDays(addDays(emptyDay("units", "2026-11-22"), a!), b!);
    const s = summarize(sum);
    expect(s).toMatchObject({ requests: 5, ok: 3, errors: 2, errorRate: 0.4, failures: { bad_response: 1, timeout: 1 }, costUsd: 0.5 });
    expect(s.latencyMs.p50).toBeGreaterThanOrEqual(10);
    expect(s.latencyMs.p50).toBeLessThan(12);
    expect(s.latencyMs.p95).toBe(1000);
    expect(s.latencyMs.max).toBe(1000);
    expect(s.latencyMs.mean).toBe(226);
  });

  it("summarizes an empty day as zeros, not NaN", () => {
    const s = summarize(emptyDay("x", "2026-01-01"));
    expect(s).toMatchObject({ requests: 0, errorRate: 0, costUsd: 0, latencyMs: { p50: null, p95: null, mean: null } });
  });

  it("uses the UTC day", () => {
    expect(utcDay(DAY1)).toBe("2026-11-22");
    expect(utcDay(DAY2)).toBe("2026-11-23");
  });
});

describe("metrics from spans: every counter", () => {
  it("refusals and client hang-ups are counted apart from errors; a call without an outcome is ok", () => {
    const [d] = deltasFromSpans([
      call("units", "refused", DAY1, 1, 0),
      call("units", "client_closed", DAY1, 1, 0),
      call("units", "client_closed", DAY1, 1, 0),
      span(SPAN.call, DAY1, 1, { [ATTR.specialist]: "units" }),
      span(SPAN.admission, DAY1, 0, { [ATTR.specialist]: "units", [ATTR.admission]: "denied" }),
    ]);
    expect(d).toMatchObject({ calls: 4, ok: 1, refused: 1, cancelled: 2, errors: 0, failures: {}, denied: 1, denials: { denied: 1 }, costUsd: 0 });
  });

  it("skips spans without a specialist or not ended, and counts a span by the day it ended", () => {
    const open = { ...call("units", "ok", DAY2, 5, 1), endMs: null };
    const crossing = span(SPAN.call, DAY2, 10_000, { [ATTR.specialist]: "units", [ATTR.outcome]: "ok" });
    const deltas = deltasFromSpans([open, span(SPAN.call, DAY1, 1, { [ATTR.outcome]: "ok" }), crossing]);
    expect(deltas.map((d) => [d.day, d.calls])).toEqual([["2026-11-23", 1]]);
  });

  it("adds every counter, old days without refused and cancelled too, and denials by kind", () => {
    const [a] = deltasFromSpans([call("units", "refused", DAY1, 1, 0), denial("units", "rate_limited", DAY1), denial("units", "circuit_open", DAY1)]);
    const [b] = deltasFromSpans([call("units", "client_closed", DAY1, 1, 0), call("units", "refused", DAY1, 1, 0), denial("units", "rate_limited", DAY1)]);
    expect(addDays(a!, b!)).toMatchObject({ calls: 3, refused: 2, cancelled: 1, denied: 3, denials: { rate_limited: 2, circuit_open: 1 } });
    const old = { ...emptyDay("units", "2026-11-22"), refused: undefined, cancelled: undefined } as never;
    expect(addDays(old, b!)).toMatchObject({ refused: 1, cancelled: 1 });
    expect(addDays(b!, old)).toMatchObject({ refused: 1, cancelled: 1 });
    expect(summarize(old)).toMatchObject({ refused: 0, cancelled: 0 });
    expect(a!.denials).toEqual({ rate_limited: 1, circuit_open: 1 });
  });
});

describe("metrics from spans: MCP tool calls", () => {
  const toolCall = (tool: string, outcome: string, endMs = DAY1) => span(SPAN.call, endMs, 5, { [ATTR.specialist]: "github", [ATTR.outcome]: outcome, [ATTR.costUsd]: 0, [ATTR.tool]: tool });
  const toolDenial = (tool: string, kind: string) => span(SPAN.admission, DAY1, 0, { [ATTR.specialist]: "github", [ATTR.admission]: "denied", [ATTR.errorType]: kind, [ATTR.tool]: tool });

  it("counts each tool's calls, successes, errors and denials; refusals and hang-ups are no errors", () => {
    const [d] = deltasFromSpans([
      toolCall("github__create_issue", "ok"),
      toolCall("github__create_issue", "timeout"),
      toolCall("github__create_issue", "refused"),
      toolCall("github__create_issue", "client_closed"),
      toolCall("github__create_issue", "exception"),
      span(SPAN.call, DAY1, 5, { [ATTR.specialist]: "github", [ATTR.tool]: "github__search" }),
      toolDenial("github__delete_repo", "approval_required"),
      toolDenial("github__search", "over_limit"),
      span(SPAN.admission, DAY1, 0, { [ATTR.specialist]: "github", [ATTR.admission]: "admitted", [ATTR.tool]: "github__search" }),
    ]);
    expect(d!.tools).toEqual({
      "github__create_issue": { calls: 5, ok: 1, errors: 2, denied: 0 },
      "github__search": { calls: 1, ok: 1, errors: 0, denied: 1 },
      "github__delete_repo": { calls: 0, ok: 0, errors: 0, denied: 1 },
    });
    expect(d).toMatchObject({ calls: 6, ok: 2, errors: 2, refused: 1, cancelled: 1, denied: 2 });
  });

  it("a day with no tool call has no tools, and a tool name that is no string counts none", () => {
    const [d] = deltasFromSpans([call("units", "ok", DAY1, 1, 0), span(SPAN.call, DAY1, 1, { [ATTR.specialist]: "units", [ATTR.tool]: 7 }), denial("units", "circuit_open", DAY1)]);
    expect(d).not.toHaveProperty("tools");
    expect(d!.calls).toBe(2);
  });

  it("keeps tools apart per specialist and day", () => {
    const deltas = deltasFromSpans([toolCall("github__a", "ok", DAY1), toolCall("github__a", "ok", DAY2), call("units", "ok", DAY2, 1, 0)]);
    expect(deltas.map((d) => [d.specialist, d.day, d.tools])).toEqual([
      ["github", "2026-11-22", { github__a: { calls: 1, ok: 1, errors: 0, denied: 0 } }],
      ["github", "2026-11-23", { github__a: { calls: 1, ok: 1, errors: 0, denied: 0 } }],
      ["units", "2026-11-23", undefined],
    ]);
  });

  it("addDays adds every tool counter, keeps tools only one side has, and changes neither side", () => {
    const [a] = deltasFromSpans([toolCall("github__a", "ok"), toolCall("github__b", "timeout"), toolDenial("github__b", "disabled")]);
    const [b] = deltasFromSpans([toolCall("github__a", "http_error"), toolCall("github__a", "ok"), toolCall("github__c", "ok")]);
    const before = structuredClone(a!.tools);
    expect(addDays(a!, b!).tools).toEqual({
      github__a: { calls: 3, ok: 2, errors: 1, denied: 0 },
      github__b: { calls: 1, ok: 0, errors: 1, denied: 1 },
      github__c: { calls: 1, ok: 1, errors: 0, denied: 0 },
    });
    expect(a!.tools).toEqual(before);
    const empty = emptyDay("github", "2026-11-22");
    expect(addDays(empty, a!).tools).toEqual(a!.tools);
    expect(addDays(a!, empty).tools).toEqual(a!.tools);
    expect(addDays(a!, empty).tools).not.toBe(a!.tools);
    expect(addDays(empty, empty)).not.toHaveProperty("tools");
  });

  it("summarize shows tools only for a day that has them", () => {
    const [d] = deltasFromSpans([toolCall("github__a", "ok"), toolDenial("github__a", "denied")]);
    expect(summarize(d!).tools).toEqual({ github__a: { calls: 1, ok: 1, errors: 0, denied: 1 } });
    expect(summarize(emptyDay("units", "2026-11-22"))).not.toHaveProperty("tools");
  });

  it("counts escalations per LLM router, by outcome, with their cost (their calls count as the router's calls)", () => {
    const esc = (specialist: string, outcome: string, cost: number) => span(SPAN.escalation, DAY1, 40, { [ATTR.specialist]: specialist, [ATTR.escalationOutcome]: outcome, [ATTR.costUsd]: cost });
    const [d, ...rest] = deltasFromSpans([esc("llm", "picked", 0.002), call("llm", "ok", DAY1, 30, 0.002), esc("llm", "skipped", 0), denial("llm", "disabled", DAY1), esc("llm", "picked", 0.001)]);
    expect(rest).toEqual([]);
    expect(d).toMatchObject({ specialist: "llm", calls: 1, denied: 1, costUsd: 0.002, escalations: { count: 3, outcomes: { picked: 2, skipped: 1 }, costUsd: 0.003 } });
    const twice = addDays(d!, d!);
    expect(twice.escalations).toEqual({ count: 6, outcomes: { picked: 4, skipped: 2 }, costUsd: 0.006 });
    expect(addDays(emptyDay("llm", d!.day), d!).escalations).toEqual(d!.escalations);
    expect(addDays(emptyDay("llm", d!.day), d!).escalations).not.toBe(d!.escalations);
    expect(addDays(emptyDay("llm", d!.day), emptyDay("llm", d!.day))).not.toHaveProperty("escalations");
    expect(summarize(d!).escalations).toEqual({ count: 3, outcomes: { picked: 2, skipped: 1 }, costUsd: 0.003 });
    expect(summarize(deltasFromSpans([call("llm", "ok", DAY1, 30, 0.002)])[0]!)).not.toHaveProperty("escalations");
  });
  it("counts hedges and ensembles for the specialist the call was decided for: hedged, won by the hedge, refused by the budget; ensembles not accepted", () => {
    const hedge = (hedged: boolean, winner: string, denied: boolean) =>
      span(SPAN.hedge, DAY1, 300, { [ATTR.specialist]: "slow", [ATTR.hedgeWith]: "fast", [ATTR.hedged]: hedged, [ATTR.hedgeWinner]: winner, [ATTR.hedgeBudgetDenied]: denied });
    const ensemble = (decision: string) => span(SPAN.ensemble, DAY1, 50, { [ATTR.specialist]: "slow", [ATTR.ensembleDecision]: decision });
    const [d, ...rest] = deltasFromSpans([hedge(true, "fast", false), hedge(true, "slow", false), hedge(false, "slow", true), hedge(false, "slow", false), ensemble("accepted"), ensemble("approval"), ensemble("failed")]);
    expect(rest).toEqual([]);
    expect(d).toMatchObject({ specialist: "slow", calls: 0, coordination: { hedges: 4, hedged: 2, hedgeWins: 1, budgetDenied: 1, ensembles: 3, disagreements: 2 } });
    expect(addDays(d!, d!).coordination).toEqual({ hedges: 8, hedged: 4, hedgeWins: 2, budgetDenied: 2, ensembles: 6, disagreements: 4 });
    expect(addDays(emptyDay("slow", d!.day), emptyDay("slow", d!.day))).not.toHaveProperty("coordination");
    expect(summarize(d!).coordination).toEqual(d!.coordination);
    expect(summarize(deltasFromSpans([call("slow", "ok", DAY1, 30, 0)])[0]!)).not.toHaveProperty("coordination");
  });
});

describe("confidence histogram", () => {
  it("bins the intent span's confidence under the hop's decided specialist (or a step's own), in bins of 0.1, 1.0 in the last; pinned calls count nothing", () => {
    const intent = (confidence: number | undefined, specialist?: string) => span(SPAN.intent, DAY1, 1, { ...(confidence === undefined ? {} : { [ATTR.intentConfidence]: confidence }), ...(specialist ? { [ATTR.specialist]: specialist } : {}) });
    const decide = (specialist: string) => span(SPAN.decide, DAY1, 0, { [ATTR.specialist]: specialist });
    const [hop] = deltasFromSpans([intent(0.93), decide("units"), call("units", "ok", DAY1, 30, 0)]);
    expect(hop!.confidence).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0, 1]);
    const [step] = deltasFromSpans([intent(0.05, "general")]);
    expect(step).toMatchObject({ specialist: "general", confidence: [1, 0, 0, 0, 0, 0, 0, 0, 0, 0] });
    expect(deltasFromSpans([intent(1, "a")])[0]!.confidence![9]).toBe(1);
    expect(deltasFromSpans([intent(0.5, "a")])[0]!.confidence![5]).toBe(1);
    expect(deltasFromSpans([intent(undefined), decide("units"), call("units", "ok", DAY1, 30, 0)])[0]).not.toHaveProperty("confidence"); // pinned
    expect(deltasFromSpans([intent(0.7)])).toEqual([]); // no specialist to count it for
    const both = addDays(hop!, hop!);
    expect(both.confidence![9]).toBe(2);
    expect(addDays(emptyDay("u", hop!.day), emptyDay("u", hop!.day))).not.toHaveProperty("confidence");
    expect(summarize(hop!).confidence).toEqual(hop!.confidence);
  });
});
