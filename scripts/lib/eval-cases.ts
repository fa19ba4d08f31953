/**
 * Evaluation cases of the bundled specialists (`eval/bundled/`), written for
 * Switchyard: the scope set (issue 21, item 4) and its shared case shape.
 */
import { readFileSync } from "node:fs";

/** Expected outcome of a request no bundled specialist handles: the router's fallback. */
export const OUT_OF_SCOPE = "out-of-scope";

/** `dev` is tuned on; `test` is held out (written first, not looked at while tuning). */
export type Split = "dev" | "test";
export const SPLITS: readonly Split[] = ["dev", "test"];

/**
 * One request and where it should go: `expect` is a specialist id or
 * {@link OUT_OF_SCOPE}; `intent` the expected label where one is meaningful.
 */
export interface EvalCase {
  text: string;
  split: Split;
  expect: string;
  intent?: string;
}

/**
 * File shape of `eval/bundled/scope.json`: per split, per specialist, per intent label,
 * a list of requests; `"out-of-scope"` holds a plain list.
 */
export type ScopeFile = Record<Split, Record<string, Record<string, string[]> | string[]>>;

/**
 * The scope set as cases, in file order.
 *
 * @example
 * scopeCases(JSON.parse(text)) // [{ text: "what's 45 times 12", split: "test", expect: "arithmetic", intent: "math.evaluate" }, …]
 */
export function scopeCases(file: ScopeFile): EvalCase[] {
  const out: EvalCase[] = [];
  for (const split of SPLITS) {
    const groups = file[split];
    if (groups === undefined || typeof groups !== "object") throw new Error(`scope set: no "${split}" split`);
    for (const [expect, value] of Object.entries(groups)) {
      if (Array.isArray(value)) {
        if (expect !== OUT_OF_SCOPE) throw new Error(`scope set: ${split}.${expect} must map intent labels to lists`);
        for (const text of value) out.push({ text, split, expect });
      } else {
        for (const [intent, texts] of Object.entries(value)) for (const text of texts) out.push({ text, split, expect, intent });
      }
    }
  }
  for (const c of out) if (typeof c.text !== "string" || c.text.trim() === "") throw new Error(`scope set: empty request in ${c.split}.${c.expect}`);
  return out;
}

/** Reads and flattens a scope-set file. */
export function readScopeCases(path: string): EvalCase[] {
  return scopeCases(JSON.parse(readFileSync(path, "utf8")) as ScopeFile);
}
