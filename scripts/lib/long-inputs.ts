/**
 * The long-input set (issue 21, item 2): request templates whose `{text}` is filled
 * with seeded prose, so a compact spec (`eval/bundled/long-inputs.json`) expands to the
 * same cases on every run.
 */
import { readFileSync } from "node:fs";
import { fnv1a, mulberry32 } from "../../worker/intent/hash.ts";
import { SPLITS, type EvalCase, type Split } from "./eval-cases.ts";

/** One request template: `text` holds exactly one `{text}` placeholder for the payload. */
export interface LongTemplate {
  specialist: string;
  intent?: string;
  text: string;
}

/** Spec file shape; lengths are total request lengths in UTF-16 code units (JavaScript `length`). */
export interface LongInputSpec {
  seed: number;
  minChars: number;
  maxChars: number;
  splits: Record<Split, { templates: LongTemplate[]; prose: string[] }>;
}

/** A long-input case: an {@link EvalCase} plus where its instruction sits. */
export type LongCase = EvalCase & { template: string };

const PLACEHOLDER = "{text}";
/** Boundary between the two length strata, in characters: one case below, one at or above. */
const STRATUM_SPLIT = 2000;

/**
 * Prose of about `target` characters from `pool` (`target` ≥ 1): sentences drawn with
 * replacement (never the same twice in a row), grouped into paragraphs of 2–6
 * sentences separated by a blank line. Stops before the sentence that would pass
 * `target`, but always holds at least `atLeast` characters.
 */
export function prose(pool: readonly string[], target: number, atLeast: number, rng: () => number): string {
  if (pool.length < 2) throw new Error("prose: the sentence pool needs at least 2 sentences");
  let out = "";
  let prev = -1;
  let left = 2 + Math.floor(rng() * 5);
  for (;;) {
    let i = Math.floor(rng() * pool.length);
    if (i === prev) i = (i + 1) % pool.length;
    const sep = out === "" ? "" : left === 0 ? "\n\n" : " ";
    const next = out + sep + pool[i]!;
    if (next.length > target && out.length >= atLeast) return out;
    out = next;
    prev = i;
    left = left === 0 ? 1 + Math.floor(rng() * 5) : left - 1;
  }
}

/**
 * Expands the spec: each template of each split gives two cases, one with a total
 * length drawn log-uniformly in [minChars, 2000) and one in [2000, maxChars].
 * Deterministic in `spec.seed`; every case is within [minChars, maxChars].
 *
 * @example
 * expandLongInputs(spec).filter((c) => c.split === "test").length // 2 × the test templates
 */
export function expandLongInputs(spec: LongInputSpec): LongCase[] {
  const out: LongCase[] = [];
  for (const split of SPLITS) {
    const { templates, prose: pool } = spec.splits[split];
    const rng = mulberry32(spec.seed ^ fnv1a(split));
    for (const t of templates) {
      const at = t.text.indexOf(PLACEHOLDER);
      if (at < 0 || t.text.indexOf(PLACEHOLDER, at + 1) >= 0) throw new Error(`long inputs: template needs one ${PLACEHOLDER}: ${t.text}`);
      const overhead = t.text.length - PLACEHOLDER.length;
      for (const [lo, hi] of [
        [spec.minChars, STRATUM_SPLIT],
        [STRATUM_SPLIT, spec.maxChars],
      ] as const) {
        const total = Math.floor(Math.exp(Math.log(lo) + rng() * (Math.log(hi) - Math.log(lo))));
        const body = prose(pool, Math.max(1, total - overhead), Math.max(1, lo - overhead), rng);
        const text = t.text.slice(0, at) + body + t.text.slice(at + PLACEHOLDER.length);
        if (text.length < spec.minChars || text.length > spec.maxChars) throw new Error(`long inputs: a case of ${text.length} chars is out of bounds`);
        out.push({ text, split, expect: t.specialist, ...(t.intent ? { intent: t.intent } : {}), template: t.text });
      }
    }
  }
  return out;
}

/** Reads and expands a long-input spec file. */
export function readLongCases(path: string): LongCase[] {
  return expandLongInputs(JSON.parse(readFileSync(path, "utf8")) as LongInputSpec);
}
