/**
 * The `verifier` skill: checks one step's output against the step's input and
 * answers `{ pass, score, reason }`. Deterministic; checks, in order:
 *
 * 1. **Present.** The output is a non-empty string, or an object with a
 *    non-empty string `text`. Anything else fails (score 0).
 * 2. **No error markers.** An object with `ok: false`, a non-empty `error` or
 *    `errors`, or a `type` of `urn:switchyard:problem:…` fails; so does text
 *    that starts with "error"/"exception"/"fatal", is exactly
 *    "undefined"/"null"/"NaN", or contains "internal error", "unhandled
 *    error|exception", "traceback", "stack trace", "input not understood",
 *    "[object Object]", "is not a function", or a standalone "NaN". A `value`
 *    that is a number but not finite fails too.
 * 3. **Recomputation.** When the output has a numeric `value`, the input is
 *    re-solved with this worker's skills and the values must agree within a
 *    relative 1e-9:
 *    - as a unit conversion (`convertUnits`) when the specialist is "units" or
 *      the intent starts with "units.", or, with neither given, when the input
 *      parses as a conversion;
 *    - as arithmetic (`evaluateArithmetic`) when the specialist is
 *      "arithmetic" or the intent starts with "math.", or, with neither given,
 *      when the input holds an expression with an operator or function and no
 *      ISO date (dates look like subtractions).
 *    Another specialist or intent skips this check, as does an input the
 *    skills cannot solve.
 * 4. **Heuristics.** Otherwise the output passes with a score of
 *    0.5 + 0.25 × length (text length / 40, at most 1) + 0.25 × overlap (the
 *    share of the input's key terms — content words and numbers, compared on
 *    their first 5 letters — found in the output), rounded to 2 decimals. An
 *    output that only repeats the input scores 0.5.
 */
import { evaluateArithmetic } from "./arithmetic.ts";
import { STOP_WORDS, words } from "./text.ts";
import { convertUnits } from "./units.ts";

export interface Verification {
  input: string;
  output?: unknown;
  specialist?: string | undefined;
  intent?: string | undefined;
}

export interface VerifierResult {
  ok: true;
  text: string;
  pass: boolean;
  score: number;
  reason: string;
}

const ERROR_TEXT =
  /^\s*(?:error|exception|fatal)\b|^\s*(?:undefined|null|nan)\s*$|\b(?:internal error|unhandled (?:error|exception)|traceback|stack trace|input not understood|is not a function)\b|\[object Object\]/iu;
const NAN = /(?<!\p{L})NaN(?!\p{L})/u;

/** Relative agreement within 1e-9 (exact for zero). */
export const agrees = (a: number, b: number): boolean => Math.abs(a - b) <= 1e-9 * Math.max(Math.abs(a), Math.abs(b));

const fmt = (v: number): string => String(Number(v.toPrecision(12)));

function outcome(pass: boolean, score: number, reason: string): VerifierResult {
  return { ok: true, text: `${pass ? "PASS" : "FAIL"} (score ${score.toFixed(2)}): ${reason}`, pass, score, reason };
}

/** The output's text, or why there is none. */
function textOf(output: unknown): { text: string } | { missing: string } {
  if (output === undefined || output === null) return { missing: "there is no output" };
  if (typeof output === "string") return output.trim() === "" ? { missing: "the output is empty" } : { text: output };
  if (typeof output === "object" && !Array.isArray(output)) {
    const t = (output as { text?: unknown }).text;
    if (typeof t === "string" && t.trim() !== "") return { text: t };
    return { missing: "the output has no non-empty text" };
  }
  return { missing: `the output is ${Array.isArray(output) ? "an array" : `a ${typeof output}`}, not text or an object with text` };
}

/** An error marker in the output, if any (check 2). */
function errorMarker(output: unknown, text: string): string | undefined {
  if (typeof output === "object" && output !== null) {
    const o = output as Record<string, unknown>;
    if (o.ok === false) return "the output says ok: false";
    if ((typeof o.error === "string" && o.error !== "") || (o.error !== undefined && o.error !== null && typeof o.error === "object")) return "the output carries an error";
    if (Array.isArray(o.errors) ? o.errors.length > 0 : typeof o.errors === "object" && o.errors !== null) return "the output carries errors";
    if (typeof o.type === "string" && o.type.startsWith("urn:switchyard:problem:")) return "the output is a problem document";
    if (typeof o.value === "number" && !Number.isFinite(o.value)) return `the value ${String(o.value)} is not a finite number`;
  }
  const m = ERROR_TEXT.exec(text) ?? NAN.exec(text);
  return m === null ? undefined : `the output text looks like an error ("${m[0].trim()}")`;
}

type Recheck = { kind: "units" | "arithmetic"; expected: number; how: string } | undefined;

/** The value the input should produce, by the skill that fits it (check 3). */
function recompute(v: Verification): Recheck {
  const hint = v.specialist ?? v.intent?.split(".")[0];
  const units = hint === undefined || hint === "units" ? convertUnits(v.input) : undefined;
  if (units?.ok === true) return { kind: "units", expected: units.value, how: units.text };
  if (hint !== undefined && hint !== "arithmetic" && hint !== "math") return undefined;
  if (hint === undefined && /\d{4}-\d{2}-\d{2}/u.test(v.input)) return undefined;
  const math = evaluateArithmetic(v.input);
  if (!math.ok) return undefined;
  if (hint === undefined && !/[-+*/^%!(]|\b(?:sqrt|cbrt|abs|log|ln|sin|cos|tan|exp|floor|ceil|round|max|min)\b/u.test(math.expression)) return undefined;
  return { kind: "arithmetic", expected: math.value, how: math.text };
}

const terms = (text: string): string[] => [
  ...new Set(
    words(text)
      .map((w) => w.toLowerCase().replace(/’/gu, "'"))
      .filter((w) => !STOP_WORDS.has(w) && (w.length > 1 || /\d/u.test(w)))
      .map((w) => (/^\p{L}/u.test(w) ? w.slice(0, 5) : w)),
  ),
];

/** Check 4: a passing score from length and key-term overlap. */
function heuristic(input: string, text: string): VerifierResult {
  if (text.trim().toLowerCase() === input.trim().toLowerCase()) return outcome(true, 0.5, "the output only repeats the input");
  const wanted = terms(input);
  const have = new Set(terms(text));
  const shared = wanted.filter((t) => have.has(t)).length;
  const overlap = wanted.length === 0 ? 1 : shared / wanted.length;
  const length = Math.min(1, text.trim().length / 40);
  const score = Math.round((0.5 + 0.25 * length + 0.25 * overlap) * 100) / 100;
  return outcome(true, score, `no exact check applies; the output shares ${shared} of ${wanted.length} key terms with the input`);
}

/**
 * Checks `v.output` against `v.input` (checks above).
 *
 * @example
 * verify({ input: "what is 3 * 5", output: { text: "3 * 5 = 15", value: 15 } })
 * // { ok: true, pass: true, score: 1, reason: "the value 15 agrees with 3 * 5 = 15", … }
 * verify({ input: "what is 3 * 5", output: { text: "3 * 5 = 16", value: 16 } }).pass // false
 */
export function verify(v: Verification): VerifierResult {
  const t = textOf(v.output);
  if ("missing" in t) return outcome(false, 0, t.missing);
  const marker = errorMarker(v.output, t.text);
  if (marker !== undefined) return outcome(false, 0, marker);
  const value = (v.output as { value?: unknown }).value;
  if (typeof value === "number") {
    const check = recompute(v);
    if (check !== undefined)
      return agrees(value, check.expected)
        ? outcome(true, 1, `the value ${fmt(value)} agrees with ${check.how}`)
        : outcome(false, 0, `the value ${fmt(value)} does not agree with ${check.how} (expected ${fmt(check.expected)}, by ${check.kind})`);
  }
  return heuristic(v.input, t.text);
}
