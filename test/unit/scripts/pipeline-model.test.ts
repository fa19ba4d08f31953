import { describe, expect, it } from "vitest";
import {
  ACCURACY,
  answerOf,
  draw,
  HARD_SHARE,
  humanDecision,
  judgePick,
  parseQuestion,
  plainPredicted,
  question,
  rule,
  ruleN,
  SOFT_ERROR,
  startValue,
  verifierVerdict,
  workerAnswer,
  workerLatencyMs,
  type Question,
} from "../../../scripts/lib/pipeline-model.ts";

const q = (model: "independent" | "correlated", task: number, step = 1, value = 123): Question => parseQuestion(question(model, task, step, value))!;
const N = 20_000;

describe("the pipeline simulation's model (scripts/lib/pipeline-model.ts)", () => {
  it("the rule is a bijection of 0..999, so a wrong value never turns right later", () => {
    expect(rule(0)).toBe(3);
    expect(rule(999)).toBe((7 * 999 + 3) % 1000);
    expect(new Set(Array.from({ length: 1000 }, (_, v) => rule(v))).size).toBe(1000);
    expect(ruleN(5, 2)).toBe(rule(rule(5)));
  });

  it("parses a question out of any text (a judge's input quotes it) and round-trips it", () => {
    const text = question("correlated", 17, 3, 456);
    expect(parseQuestion(`Request:\n${text}\n\nCandidates …`)).toEqual({ model: "correlated", task: 17, step: 3, value: 456, key: text });
    expect(parseQuestion("what is six times seven?")).toBeUndefined();
    expect(answerOf({ text: " 42 " })).toBe(42);
    expect(answerOf("7")).toBe(7);
    expect(answerOf({ text: "forty-two" })).toBeUndefined();
  });

  it("draws are deterministic, in [0, 1), and roughly uniform", () => {
    expect(draw(1, "a", 2)).toBe(draw(1, "a", 2));
    expect(draw(1, "a", 2)).not.toBe(draw(2, "a", 2));
    const xs = Array.from({ length: N }, (_, i) => draw(7, "u", i));
    expect(Math.min(...xs)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...xs)).toBeLessThan(1);
    expect(xs.filter((x) => x < 0.1).length / N).toBeCloseTo(0.1, 1);
    expect(startValue(1, "independent", 3)).toBe(startValue(1, "independent", 3));
  });

  it("independent workers are right 90 % of the time, each on its own draw; a wrong answer is off by 1..9", () => {
    const qs = Array.from({ length: N }, (_, i) => q("independent", i));
    const right = (w: string) => qs.map((x) => workerAnswer(1, w, x) === rule(x.value));
    const a = right("w1");
    const b = right("w2");
    expect(a.filter(Boolean).length / N).toBeCloseTo(ACCURACY, 1);
    const bothWrong = a.filter((r, i) => !r && !b[i]).length / N;
    expect(bothWrong).toBeCloseTo(0.01, 2); // independent: 0.1 × 0.1
    for (const x of qs.slice(0, 500)) {
      const d = (workerAnswer(1, "w1", x) - rule(x.value) + 1000) % 1000;
      expect(d === 0 || (d >= 1 && d <= 9)).toBe(true);
    }
  });

  it("correlated workers keep 90 % accuracy, but on hard questions all give the same wrong answer", () => {
    const qs = Array.from({ length: N }, (_, i) => q("correlated", i));
    const a = qs.map((x) => workerAnswer(1, "w1", x));
    const b = qs.map((x) => workerAnswer(1, "w2", x));
    expect(a.filter((v, i) => v === rule(qs[i]!.value)).length / N).toBeCloseTo(ACCURACY, 1);
    const sameWrong = a.filter((v, i) => v !== rule(qs[i]!.value) && v === b[i]).length / N;
    expect(sameWrong).toBeGreaterThan(HARD_SHARE * 0.8);
    expect(sameWrong).toBeLessThan(HARD_SHARE + SOFT_ERROR ** 2 + 0.01);
  });

  it("the slow-tail worker takes 1.5 s on about 10 % of its calls; others 20..40 ms", () => {
    const qs = Array.from({ length: 5000 }, (_, i) => q("independent", i));
    const slow = qs.filter((x) => workerLatencyMs(1, "slow1", x, true) === 1500).length / qs.length;
    expect(slow).toBeCloseTo(0.1, 1);
    for (const x of qs.slice(0, 200)) expect(workerLatencyMs(1, "w1", x, false)).toBeGreaterThanOrEqual(20);
    for (const x of qs.slice(0, 200)) expect(workerLatencyMs(1, "w1", x, false)).toBeLessThanOrEqual(40);
  });

  it("the verifier catches 90 % of wrong answers and fails 5 % of right ones", () => {
    const qs = Array.from({ length: N }, (_, i) => q("independent", i));
    const caught = qs.filter((x) => !verifierVerdict(1, x, "w1", { text: String(rule(x.value) + 1) }).pass).length / N;
    const falseAlarm = qs.filter((x) => !verifierVerdict(1, x, "w1", { text: String(rule(x.value)) }).pass).length / N;
    expect(caught).toBeCloseTo(0.9, 1);
    expect(falseAlarm).toBeCloseTo(0.05, 1);
  });

  it("the judge picks a right candidate about 90 % (plus chance) of the time when there is one; any when none", () => {
    const qs = Array.from({ length: 5000 }, (_, i) => q("independent", i));
    const picks = qs.map((x) => judgePick(1, x, [{ id: "c1", output: { text: String(rule(x.value) + 1) } }, { id: "c2", output: { text: String(rule(x.value)) } }, { id: "c3" }]));
    const right = picks.filter((p) => p === "c2").length / qs.length;
    expect(right).toBeGreaterThan(0.9);
    expect(right).toBeLessThan(0.97); // 0.9 + 0.1 × 1/2
    expect(picks).not.toContain("c3"); // a failed candidate has no answer to pick
    expect(judgePick(1, qs[0]!, [])).toBeUndefined();
  });

  it("the human picks a right candidate or rejects; approves a right unverified output, rejects a wrong one", () => {
    const x = q("independent", 1);
    const right = { text: String(rule(x.value)) };
    const wrong = { text: String(rule(x.value) + 3) };
    expect(humanDecision(x, { candidates: [{ id: "c1", output: wrong }, { id: "c2", output: right }] })).toEqual({ action: "approve", pick: "c2" });
    expect(humanDecision(x, { candidates: [{ id: "c1", output: wrong }] })).toEqual({ action: "reject" });
    expect(humanDecision(x, { unverifiedOutput: right })).toEqual({ action: "approve" });
    expect(humanDecision(x, { unverifiedOutput: wrong })).toEqual({ action: "reject" });
  });

  it("the plain pipeline's predicted success is about 0.9⁵ (59 %)", () => {
    const ok = Array.from({ length: 5000 }, (_, t) => plainPredicted(1, "independent", t, "w1")).filter(Boolean).length / 5000;
    expect(ok).toBeCloseTo(0.9 ** 5, 1);
  });
});
