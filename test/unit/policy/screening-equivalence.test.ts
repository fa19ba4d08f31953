import { describe, expect, it } from "vitest";
import { normalizeForScreening, screen, screenableText, SIGNALS, type ScreeningResult } from "../../../worker/policy/screening.ts";
import { flattened, squeezed, squeezedByLine } from "../../../worker/policy/screening-views.ts";
import { referenceNormalize, referenceScreen, referenceScreenableText, referenceSqueezed } from "../../support/screening-reference.ts";
import { BENIGN, INJECTIONS, randomText, seeded } from "../../support/screening-corpus.ts";

/**
 * The lean screening (issue 13) against the algorithm it replaced
 * (test/support/screening-reference.ts), on a seeded corpus: the same verdict on every
 * string.
 */
const r = seeded(13);
const TEXTS = [...INJECTIONS, ...BENIGN, ...Array.from({ length: 3000 }, () => randomText(r))];

/** `current` finds every signal `reference` found, and scores at least as high. */
function atLeast(current: ScreeningResult, reference: ScreeningResult, what: unknown): void {
  const missed = reference.signals.filter((s) => !current.signals.includes(s));
  expect(missed, JSON.stringify(what)).toEqual([]);
  expect(current.score, JSON.stringify(what)).toBeGreaterThanOrEqual(reference.score);
}

/** How many times each signal fired, to check the corpus exercises every one. */
function tally(into: Map<string, number>, result: ScreeningResult): void {
  for (const s of result.signals) into.set(s, (into.get(s) ?? 0) + 1);
}

describe("screening against its reference (the algorithm before issue 13)", () => {
  it("a string gets the reference's verdict: the same signals and score, at any threshold (more where a run of spaced letters crosses a line)", () => {
    const fired = new Map<string, number>();
    let byLine = 0;
    for (const t of TEXTS) {
      const reference = referenceScreen(t, 1);
      const normal = referenceNormalize(t);
      const flat = normal.replace(/\s+/g, " ");
      const tight = referenceSqueezed(flat);
      if (squeezedByLine(normal, flat, tight) === tight) {
        expect(screen(t, 1), JSON.stringify(t)).toEqual(reference);
        expect(screen(t, 0.5).flagged, JSON.stringify(t)).toBe(referenceScreen(t, 0.5).flagged);
      } else {
        atLeast(screen(t, 1), reference, t); // the view line by line can only add signals
        byLine++;
      }
      expect(screenableText(t)).toBe(referenceScreenableText(t));
      tally(fired, reference);
    }
    for (const s of SIGNALS) expect(fired.get(s.id) ?? 0, s.id).toBeGreaterThanOrEqual(20);
    expect(byLine).toBeLessThan(TEXTS.length / 50);
  });

  it("each view of a string is the reference's: folded, flattened, squeezed", () => {
    for (const t of TEXTS) {
      const normal = referenceNormalize(t);
      expect(normalizeForScreening(t), JSON.stringify(t)).toBe(normal);
      const flat = normal.replace(/\s+/g, " ");
      expect(flattened(normal), JSON.stringify(normal)).toBe(flat);
      expect(squeezed(flat), JSON.stringify(flat)).toBe(referenceSqueezed(flat));
    }
  });
});
