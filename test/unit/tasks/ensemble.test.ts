import { describe, expect, it } from "vitest";
import { mulberry32 } from "../../../worker/intent/hash.ts";
import type { Json } from "../../../worker/json.ts";
import { firstSuccess, normalize, normalizeText, settleVote, vote, type Candidate, type OkCandidate } from "../../../worker/tasks/ensemble.ts";

const ok = (specialist: string, output: Json, extra: Partial<OkCandidate> = {}): OkCandidate => ({ specialist, ok: true, output, costUsd: 0.01, latencyMs: 100, ...extra });
const fail = (specialist: string, failure = "timeout"): Candidate => ({ specialist, ok: false, failure });
const key = (output: unknown, path?: string) => {
  const n = normalize(output, { path });
  return n.ok ? n.key : `abstain: ${n.abstain}`;
};

/** The same value with its object keys in a random order, at every level. */
function shuffled(v: Json, rng: () => number): Json {
  if (Array.isArray(v)) return v.map((x) => shuffled(x, rng));
  if (v === null || typeof v !== "object") return v;
  const entries = Object.entries(v).map(([k, x]) => [k, shuffled(x, rng)] as const);
  for (let i = entries.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    [entries[i], entries[j]] = [entries[j]!, entries[i]!];
  }
  return Object.fromEntries(entries);
}

describe("normalize", () => {
  it("numbers by value: 42, 42.0, '42', ' +42. ', full-width digits and exponents are one answer", () => {
    for (const v of [42, 42.0, "42", " +42. ", "42.0", "４２", "4.2e1", "4.2E1"]) expect(key(v), String(v)).toBe("42");
    expect(key(-0)).toBe("0");
    expect(key("-0")).toBe("0");
    expect(key(0.5)).toBe("0.5");
    expect(key(".5")).toBe("0.5");
    expect(key("42.1")).toBe("42.1");
  });

  it("'1,000', hex, Infinity and NaN as strings are text, not numbers", () => {
    expect(key("1,000")).toBe('"1,000"');
    expect(key("0x2a")).toBe('"0x2a"');
    expect(key("Infinity")).toBe('"infinity"');
    expect(key("NaN")).toBe('"nan"');
    expect(key("1e999")).toBe('"1e999"');
    expect(key("42 apples")).toBe('"42 apples"');
  });

  it("non-finite numbers and values that are not JSON abstain instead of colliding with null", () => {
    expect(key(Number.NaN)).toBe("abstain: not a finite number (NaN)");
    expect(key(Number.POSITIVE_INFINITY)).toBe("abstain: not a finite number (Infinity)");
    expect(key(undefined)).toBe("abstain: the value is not JSON");
    expect(key({ a: Number.NaN })).toBe("abstain: the value is not JSON");
    expect(key(null)).toBe("null");
  });

  it("text: NFKC, lower case, white space collapsed, trimmed, trailing sentence punctuation stripped", () => {
    expect(normalizeText("  The  ANSWER\tis\nParis!! ")).toBe("the answer is paris");
    expect(normalizeText("Ｐａｒｉｓ！")).toBe("paris");
    expect(normalizeText("東京。")).toBe("東京");
    expect(normalizeText("wait…")).toBe("wait");
    expect(normalizeText("yes, it is.  ")).toBe("yes, it is");
    expect(normalizeText("50%")).toBe("50%");
    expect(normalizeText("(a)")).toBe("(a)");
    expect(normalizeText("a . ")).toBe("a");
    expect(key("Paris.")).toBe(key("  paris"));
    expect(key("...")).toBe("abstain: an empty answer");
    expect(key("")).toBe("abstain: an empty answer");
  });

  it("booleans and null are themselves; 'true' the text is not true the boolean", () => {
    expect(key(true)).toBe("true");
    expect(key("true")).toBe('"true"');
    expect(key(false)).not.toBe(key("false"));
  });

  it("structured outputs by canonical JSON: key order ignored at every level (seeded shuffles), values exact", () => {
    const rng = mulberry32(18);
    const value: Json = { z: [1, { y: "A", b: [true, null] }], a: { d: 1.5, c: { f: "x", e: [] } }, m: "Text" };
    for (let i = 0; i < 20; i++) expect(key(shuffled(value, rng))).toBe(key(value));
    expect(key({ a: "42" })).not.toBe(key({ a: 42 }));
    expect(key({ a: "Paris" })).not.toBe(key({ a: "paris" }));
    expect(key([1, 2])).not.toBe(key([2, 1]));
  });

  it("a chat output votes by its text", () => {
    expect(key({ text: "Paris.", completion: { id: "x1" } })).toBe(key({ text: "paris", completion: { id: "x2" } }));
  });

  it("a path picks the value voted on; a missing one abstains", () => {
    const out = { a: { b: ["42.0", 7] } };
    expect(key(out, "$.a.b[0]")).toBe("42");
    expect(key(out, "$.a.b[1]")).toBe("7");
    expect(key(out, "$.a.b[2]")).toBe("abstain: no value at $.a.b[2]");
    expect(key(out, "$.a.c")).toBe("abstain: no value at $.a.c");
    expect(key(out, "$.a.b.length")).toBe("abstain: no value at $.a.b.length");
    expect(key({ a: {} }, "$.a.constructor")).toBe("abstain: no value at $.a.constructor");
    expect(key(out, "$.a")).toBe('{"b":["42.0",7]}');
  });

  it("with a path, a string output or a chat output's text is read as JSON", () => {
    expect(key('{"answer": 42}', "$.answer")).toBe("42");
    expect(key({ text: '{"answer": "Yes."}', finishReason: "stop" }, "$.answer")).toBe('"yes"');
    expect(key({ text: "x", answer: 3 }, "$.answer")).toBe("3");
    expect(key("the answer is 42", "$.answer")).toBe("abstain: the output is not JSON text, so the path finds nothing");
    expect(key({ text: "not json" }, "$.answer")).toBe("abstain: no value at $.answer");
    expect(key(Number.NaN, "$.a")).toBe("abstain: the output is not JSON");
  });

  it("an invalid path is an error, not an abstention", () => {
    expect(() => normalize({}, { path: "a.b" })).toThrow(RangeError);
    expect(() => normalize({}, { path: "$..a" })).toThrow(/invalid JSON path '\$\.\.a'/);
  });
});

describe("vote", () => {
  it("majority over normalised outputs, with the agreement ratio and who agreed", () => {
    const r = vote([ok("a", 42), ok("b", "41"), ok("c", "42.0")]);
    expect(r).toMatchObject({ ok: true, key: "42", agreement: 2 / 3, disagreement: false, tied: false, votes: [{ key: "42", specialists: ["a", "c"] }, { key: "41", specialists: ["b"] }], abstained: [], failed: [] });
    expect(r.ok && r.winner.specialist).toBe("a");
    expect(r.ok && r.reason).toBe("vote: 2 of 3 agree on 42 ('a', 'c'); 'b': 41");
  });

  it("the reason shows long answers cut at 80 characters (between code points), the votes keep them whole", () => {
    const long = "x".repeat(70) + "😀".repeat(10);
    const r = vote([ok("a", long), ok("b", long), ok("c", "short")]);
    expect(r.ok && r.votes[0]!.key).toBe(JSON.stringify(long));
    const shown = r.ok ? r.reason.match(/agree on (.*) \('a', 'b'\)/)![1]! : "";
    expect(shown.length).toBeLessThanOrEqual(80);
    expect(shown).toBe(`"${"x".repeat(70)}😀😀😀😀…`);
    expect(r.ok && r.reason.endsWith(`'c': "short"`)).toBe(true);
    const exact = "y".repeat(78);
    expect(vote([ok("a", exact)]).ok && (vote([ok("a", exact)]) as { reason: string }).reason).toBe(`vote: 1 of 1 agree on "${exact}" ('a')`);
  });

  it("a tie between answers goes to the highest confidence, then the lowest cost, then candidate order", () => {
    const byConfidence = vote([ok("a", "x", { confidence: 0.6 }), ok("b", "y", { confidence: 0.9 })]);
    expect(byConfidence).toMatchObject({ ok: true, key: '"y"', tied: true, agreement: 0.5 });
    const byCost = vote([ok("a", "x", { confidence: 0.8, costUsd: 0.02 }), ok("b", "y", { confidence: 0.8, costUsd: 0.01 })]);
    expect(byCost).toMatchObject({ key: '"y"' });
    const byOrder = vote([ok("a", "x"), ok("b", "y")]);
    expect(byOrder).toMatchObject({ key: '"x"', votes: [{ key: '"x"' }, { key: '"y"' }] });
    expect(vote([ok("b", "y"), ok("a", "x")])).toMatchObject({ key: '"y"' });
    // a stated confidence beats none; NaN counts as none
    expect(vote([ok("a", "x"), ok("b", "y", { confidence: 0.1 })])).toMatchObject({ key: '"y"' });
    expect(vote([ok("a", "x", { confidence: Number.NaN }), ok("b", "y", { confidence: 0 })])).toMatchObject({ key: '"y"' });
    expect(byConfidence.ok && byConfidence.reason).toContain("a tie broken by confidence, cost, then order");
  });

  it("more votes beat a higher confidence", () => {
    expect(vote([ok("a", "x", { confidence: 1 }), ok("b", "y", { confidence: 0.1 }), ok("c", "y", { confidence: 0.1 })])).toMatchObject({ key: '"y"', tied: false });
  });

  it("within the winning answer the winner is the most confident, then cheapest, then first", () => {
    const w = (cs: Candidate[]) => {
      const r = vote(cs);
      return r.ok ? r.winner.specialist : undefined;
    };
    expect(w([ok("a", 1, { confidence: 0.5 }), ok("b", 1, { confidence: 0.7 }), ok("c", 2)])).toBe("b");
    expect(w([ok("a", 1, { costUsd: 0.5 }), ok("b", 1, { costUsd: 0.1 }), ok("c", 2)])).toBe("b");
    expect(w([ok("a", 1), ok("b", 1), ok("c", 2)])).toBe("a");
  });

  it("abstainers and failures do not vote; abstainers count against agreement, failures do not", () => {
    const r = vote([ok("a", { v: 1 }), ok("b", { w: 1 }), fail("c", "HTTP 500"), ok("d", { v: "1" })], { path: "$.v", minAgreement: 0.6 });
    expect(r).toMatchObject({ ok: true, key: "1", agreement: 2 / 3, disagreement: false, abstained: [{ specialist: "b", reason: "no value at $.v" }], failed: [{ specialist: "c", failure: "HTTP 500" }] });
    expect(r.ok && r.reason).toBe("vote: 2 of 3 agree on 1 ('a', 'd'); 1 abstained; 1 failed");
  });

  it("all failed, all abstained or none: no winner", () => {
    expect(vote([fail("a"), fail("b", "denied")])).toEqual({ ok: false, reason: "all_failed", agreement: 0, disagreement: true, votes: [], abstained: [], failed: [{ specialist: "a", failure: "timeout" }, { specialist: "b", failure: "denied" }] });
    expect(vote([ok("a", Number.NaN as unknown as Json), fail("b")])).toMatchObject({ ok: false, reason: "all_abstained", abstained: [{ specialist: "a" }] });
    expect(vote([])).toMatchObject({ ok: false, reason: "no_candidates" });
  });

  it("minAgreement: below it is a disagreement, at it is not (at two decimals: 2 of 3 meets 0.67)", () => {
    const three = [ok("a", 1), ok("b", 1), ok("c", 2)];
    expect(vote(three, { minAgreement: 2 / 3 })).toMatchObject({ disagreement: false });
    expect(vote(three, { minAgreement: 0.67 })).toMatchObject({ disagreement: false, agreement: 2 / 3 });
    expect(vote(three, { minAgreement: 0.68 })).toMatchObject({ disagreement: true });
    expect((vote(three, { minAgreement: 0.68 }) as { reason: string }).reason).toContain("; agreement 0.67 is below 0.68");
    expect((vote(three, { minAgreement: 0.67 }) as { reason: string }).reason).not.toContain("below");
    const five = [ok("a", 1), ok("b", 1), ok("c", 1), ok("d", 2), ok("e", 3)];
    expect(vote(five, { minAgreement: 0.6 })).toMatchObject({ disagreement: false, agreement: 0.6 });
    expect(vote(five, { minAgreement: 0.61 })).toMatchObject({ disagreement: true });
    expect(vote(three)).toMatchObject({ disagreement: false });
    expect(vote([ok("a", 1), ok("b", 1)], { minAgreement: 1 })).toMatchObject({ disagreement: false, agreement: 1 });
    for (const bad of [-0.1, 1.01, Number.NaN]) expect(() => vote(three, { minAgreement: bad })).toThrow(RangeError);
  });

  it("nested structured answers agree whatever their key order", () => {
    const rng = mulberry32(7);
    const answer: Json = { total: 12.5, items: [{ sku: "A1", qty: 2 }, { sku: "B2", qty: 1 }], meta: { currency: "EUR" } };
    const cs = [ok("a", shuffled(answer, rng)), ok("b", { ...(answer as object), total: 13 }), ok("c", shuffled(answer, rng))];
    expect(vote(cs)).toMatchObject({ ok: true, agreement: 2 / 3, votes: [{ specialists: ["a", "c"] }, { specialists: ["b"] }] });
  });

  it("the result does not depend on the order of equal-vote groups beyond the stated tie rule (seeded permutations)", () => {
    const rng = mulberry32(42);
    const base = [ok("a", "x", { confidence: 0.2 }), ok("b", "y", { confidence: 0.9 }), ok("c", "x", { confidence: 0.3 }), ok("d", "y", { confidence: 0.1 }), ok("e", "z", { confidence: 1 })];
    for (let i = 0; i < 20; i++) {
      const perm = [...base].sort(() => rng() - 0.5);
      const r = vote(perm);
      expect(r.ok && [r.key, r.winner.specialist]).toEqual(['"y"', "b"]);
    }
  });
});

describe("settleVote", () => {
  const split = vote([ok("a", 1), ok("b", 2), ok("c", 3)], { minAgreement: 0.5 });
  const agreed = vote([ok("a", 1), ok("b", 1), ok("c", 3)], { minAgreement: 0.5 });
  it("accepts agreement; below the threshold asks a human, fails or takes the best, as configured", () => {
    expect(settleVote(agreed, "fail")).toMatchObject({ action: "accept", winner: { specialist: "a" } });
    expect(settleVote(split, "best")).toMatchObject({ action: "accept", winner: { specialist: "a" } });
    expect(settleVote(split, "approval")).toEqual({ action: "approval", votes: [{ key: "1", specialists: ["a"] }, { key: "2", specialists: ["b"] }, { key: "3", specialists: ["c"] }] });
    expect(settleVote(split, "fail")).toMatchObject({ action: "fail", detail: expect.stringContaining("below 0.5") });
  });
  it("no vote at all fails, even with 'best' or 'approval'", () => {
    for (const how of ["best", "approval", "fail"] as const) expect(settleVote(vote([fail("a")]), how)).toEqual({ action: "fail", detail: "no answer to vote on: all failed" });
  });
});

describe("firstSuccess", () => {
  it("the first ok to finish wins; launched calls not yet finished are cancelled", () => {
    expect(firstSuccess([fail("a"), ok("b", 1), ok("c", 2)], ["a", "b", "c", "d"])).toMatchObject({ state: "won", winner: { specialist: "b" }, cancel: ["d"] });
    expect(firstSuccess([ok("c", 2)], ["a", "b", "c"])).toMatchObject({ state: "won", winner: { specialist: "c" }, cancel: ["a", "b"] });
    expect(firstSuccess([ok("a", 1)], ["a"])).toMatchObject({ state: "won", cancel: [] });
  });
  it("waits while calls are pending and none succeeded; fails when all failed", () => {
    expect(firstSuccess([fail("a")], ["a", "b"])).toEqual({ state: "waiting", pending: ["b"] });
    expect(firstSuccess([], ["a", "b"])).toEqual({ state: "waiting", pending: ["a", "b"] });
    expect(firstSuccess([fail("b", "x"), fail("a", "y")], ["a", "b"])).toEqual({ state: "failed", failed: [{ specialist: "b", failure: "x" }, { specialist: "a", failure: "y" }] });
  });
  it("rejects a specialist launched twice or one that finished without being launched", () => {
    expect(() => firstSuccess([], ["a", "a"])).toThrow(RangeError);
    expect(() => firstSuccess([ok("z", 1)], ["a"])).toThrow(/'z' finished but was not launched/);
  });
});
