import { describe, expect, it } from "vitest";
import { mulberry32 } from "../../../worker/intent/hash.ts";
import type { IntentSource } from "../../../worker/intent/model.ts";
import { correctionReport, simulateCorrections } from "../../../scripts/lib/correction-eval.ts";
import { fewShotSources, fitClinc } from "../../../scripts/lib/few-shot-data.ts";
import { toyClinc } from "../../support/toy-clinc.ts";

const quiet = () => {};

const data = toyClinc();

describe("the correction simulation (scripts/lib/correction-eval.ts)", () => {
  it("at p = 1 does not lower accuracy on the held-out half, and corrects every misrouted query it sees", async () => {
    const r = await correctionReport(data, { seeds: 2, startK: 1, refitEvery: 5, ps: [0, 1], log: quiet });
    expect(r.runs).toHaveLength(2);
    for (const run of r.runs) {
      expect(run.streamRows + run.heldOutRows).toBe(data.val.length + data.oosVal.length);
      const [none, all] = run.outcomes;
      expect(none).toMatchObject({ p: 0, corrections: 0, refits: 0, after: run.before });
      expect(none!.misrouted).toBeGreaterThan(0);
      expect(all!.corrections).toBe(all!.misrouted);
      expect(all!.refits).toBe(Math.ceil(all!.corrections / 5));
      expect(all!.after.inScopeAccuracy).toBeGreaterThan(run.before.inScopeAccuracy);
    }
  });

  it("appends each correction to its gold label's source (out of scope to the fallback's 'oos') and refits in batches", async () => {
    const sources = fewShotSources(data, 1, mulberry32(1));
    const start = await fitClinc(sources, 1);
    const fits: IntentSource[][] = [];
    const stream = [...data.val.slice(0, 20), ...data.val.slice(40, 60), ...data.oosVal.slice(0, 5)];
    const out = await simulateCorrections({
      sources,
      start,
      stream,
      heldOut: data.val.slice(100, 110),
      threshold: 0.99, // every query is rejected, so every in-scope one is misrouted
      p: 1,
      refitEvery: 10,
      draws: stream.map(() => 0),
      fit: async (s) => {
        fits.push(s.map((x) => ({ ...x, examples: [...x.examples] })));
        return start;
      },
    });
    expect(out.corrections).toBe(40);
    expect(fits).toHaveLength(4);
    expect(fits.map((f) => f.reduce((n, s) => n + s.examples.length, 0) - 7)).toEqual([10, 20, 30, 40]);
    const last = fits.at(-1)!;
    for (const [text, gold] of stream.slice(0, 40)) expect(last.find((s) => s.label === gold)!.examples).toContain(text);
    expect(sources.reduce((n, s) => n + s.examples.length, 0)).toBe(7); // the caller's sources are left alone
  });

  it("uses the same draws for every p: fewer corrections at a lower p", async () => {
    const r = await correctionReport(data, { seeds: 1, startK: 1, refitEvery: 1000, ps: [0.2, 0.6, 1], log: quiet });
    const c = r.runs[0]!.outcomes.map((o) => o.corrections);
    expect(c[0]!).toBeLessThanOrEqual(c[1]!);
    expect(c[1]!).toBeLessThanOrEqual(c[2]!);
    expect(r.runs[0]!.outcomes.every((o) => o.refits === (o.corrections > 0 ? 1 : 0))).toBe(true);
  });
});
