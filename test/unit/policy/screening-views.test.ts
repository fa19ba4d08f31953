import { describe, expect, it } from "vitest";
import { QUICK, SIGNALS } from "../../../worker/policy/screening.ts";
import { flattened, MAYBE_CF, MAYBE_MN, normalizeForScreening, squeezed, squeezedByLine, TYPOGRAPHY } from "../../../worker/policy/screening-views.ts";
import { referenceNormalize } from "../../support/screening-reference.ts";
import { BENIGN, INJECTIONS, randomText, seeded } from "../../support/screening-corpus.ts";

const r = seeded(7);
const TEXTS = [...INJECTIONS, ...BENIGN, ...Array.from({ length: 3000 }, () => randomText(r))];

describe("the shortcuts of folding hold for every character", () => {
  it("MAYBE_MN and MAYBE_CF cover every combining mark and format character of the runtime", () => {
    const missed: string[] = [];
    for (let c = 0; c <= 0xffff; c++) {
      const ch = String.fromCharCode(c);
      if (/\p{Mn}/u.test(ch) && !MAYBE_MN.test(ch)) missed.push(`Mn ${c.toString(16)}`);
      if (/\p{Cf}/u.test(ch) && !MAYBE_CF.test(ch)) missed.push(`Cf ${c.toString(16)}`);
    }
    expect(missed).toEqual([]);
    for (const astral of ["\u{1D167}", "\u{E0041}", "\u{1F44D}"]) expect(MAYBE_MN.test(astral) && MAYBE_CF.test(astral)).toBe(true);
  });

  it("the typographic signs fold to themselves, alone and beside printable ASCII or one another", () => {
    const ascii = Array.from({ length: 0x5f }, (_, i) => String.fromCharCode(0x20 + i)).concat(["\t", "\n", "\r"]);
    const changed: string[] = [];
    for (const a of TYPOGRAPHY) {
      if (referenceNormalize(a) !== a) changed.push(a);
      for (const b of [...ascii, ...TYPOGRAPHY]) for (const pair of [a + b, b + a]) if (referenceNormalize(pair) !== pair) changed.push(pair);
    }
    expect(changed).toEqual([]);
    expect(normalizeForScreening("Canberra — “the capital” • 5 °C → 8 °C")).toBe("Canberra — “the capital” • 5 °C → 8 °C");
    expect(normalizeForScreening("“іgnore” — previous")).toBe("“ignore” — previous"); // a look-alike beside them is still folded
  });
});

describe("each signal is tested on the view that can tell, and only where its quick part occurs", () => {
  it("a pattern's match on one view implies one of its quick parts (and, but for line-anchored ones, its match) on the flattened view; QUICK is their union", () => {
    const broken: string[] = [];
    for (const t of TEXTS) {
      const normal = normalizeForScreening(t);
      const flat = flattened(normal);
      const tight = squeezed(flat);
      const byLine = squeezedByLine(normal, flat, tight);
      for (const view of [flat, tight, byLine]) {
        const some = SIGNALS.some((s) => s.quick.some((q) => new RegExp(q.source, "i").test(view)));
        if (QUICK.test(view) !== some) broken.push(`QUICK is not the union of the parts: ${JSON.stringify(view)}`);
      }
      for (const s of SIGNALS) {
        const quick = { test: (view: string) => s.quick.some((q) => new RegExp(q.source, "i").test(view)) };
        if (s.pattern.test(normal) && !quick.test(flat)) broken.push(`${s.id} quick, normal → flat: ${JSON.stringify(t)}`);
        if (!s.pattern.multiline && s.pattern.test(normal) && !s.pattern.test(flat)) broken.push(`${s.id} normal → flat: ${JSON.stringify(t)}`);
        if (s.pattern.multiline && s.pattern.test(flat) && !s.pattern.test(normal)) broken.push(`${s.id} flat → normal: ${JSON.stringify(t)}`);
        for (const view of [flat, tight, byLine]) if (s.pattern.test(view) && !quick.test(view)) broken.push(`${s.id} quick: ${JSON.stringify(view)}`);
      }
    }
    expect(broken).toEqual([]);
  });

  it("the views are the same string when they cannot differ (nothing to flatten, squeeze or read line by line)", () => {
    const plain = "what is the capital of australia, and roughly how many live there";
    expect(flattened(plain)).toBe(plain);
    expect(squeezed(plain)).toBe(plain);
    const lines = "a b c\nd e f";
    const flat = flattened(lines);
    expect(squeezedByLine(lines, flat, squeezed(flat))).toBe("abc\0def");
    expect(squeezedByLine("one\ntwo", "one two", "one two")).toBe("one two");
    expect(squeezedByLine("a b\nc d", "a b c d", squeezed("a b c d"))).toBe("a b\0c d"); // two letters a line: no run
    expect(squeezedByLine("abc d e\nfg", "abc d e fg", squeezed("abc d e fg"))).toBe("abc d e fg"); // no run of three crosses the line
  });
});
