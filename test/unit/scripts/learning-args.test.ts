import { describe, expect, it } from "vitest";
import { learningOptions } from "../../../scripts/lib/learning-args.ts";

describe("the learning modes' options (scripts/lib/learning-args.ts)", () => {
  it("is no concern of the other modes", () => {
    expect(learningOptions({ drift: true, json: true })).toBeUndefined();
    expect(learningOptions({ train: "a", test: "b" })).toBeUndefined();
  });

  it("reads each mode's own options, with defaults", () => {
    expect(learningOptions({ "few-shot": true })).toEqual({ mode: "few-shot", json: false, seeds: 5, refitEvery: 50 });
    expect(learningOptions({ corrections: true, seeds: "3", "refit-every": "20", json: true, "max-acc-loss": "0.003" })).toEqual({ mode: "corrections", json: true, seeds: 3, refitEvery: 20 });
    expect(learningOptions({ escalation: true, train: "t.json", domains: "d.json" })).toEqual({ mode: "escalation", json: false, seeds: 5, refitEvery: 50, data: { train: "t.json", domains: "d.json" } });
  });

  it("refuses the options of other modes, naming them", () => {
    const refusal = (args: Record<string, string | boolean>) => {
      const r = learningOptions(args);
      return r !== undefined && "error" in r ? r.error : undefined;
    };
    expect(refusal({ escalation: true, seeds: "3" })).toMatch(/^--seeds: not with --escalation\nusage: node scripts\/eval.ts --escalation /);
    expect(refusal({ "few-shot": true, "refit-every": "10" })).toMatch(/^--refit-every: not with --few-shot/);
    expect(refusal({ "few-shot": true, drift: true, k: "3" })).toMatch(/^--drift, --k: not with --few-shot/);
    expect(refusal({ "few-shot": true, corrections: true })).toMatch(/^--corrections: not with --few-shot/);
    expect(refusal({ corrections: true, test: "x.json", threshold: "0.2", "max-acc-loss": "0.01" })).toMatch(/^--test, --threshold, --max-acc-loss: not with --corrections/);
  });

  it("refuses --train without --domains, and counts that are not positive integers", () => {
    const r = (args: Record<string, string | boolean>) => (learningOptions(args) as { error: string }).error;
    expect(r({ "few-shot": true, train: "t.json" })).toMatch(/^--train and --domains go together/);
    expect(r({ corrections: true, domains: "d.json" })).toMatch(/^--train and --domains go together/);
    expect(r({ "few-shot": true, seeds: "0" })).toMatch(/^--seeds must be a positive integer, got "0"/);
    expect(r({ corrections: true, "refit-every": "2.5" })).toMatch(/^--refit-every must be a positive integer, got "2.5"/);
  });
});
