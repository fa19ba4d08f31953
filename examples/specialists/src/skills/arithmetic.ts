/**
 * The `arithmetic` skill: finds an arithmetic expression in natural-ish text
 * ("what is 12 times 7?", "15% of 80", "sqrt(2) * 3") and evaluates it with the
 * recursive-descent parser of `arithmetic-parser.ts`.
 */
import { CONSTANTS, ExpressionError, calculate, formatNumber } from "./arithmetic-parser.ts";
import { FUNCTIONS, cleanNumber } from "./arithmetic-eval.ts";

export type ArithmeticResult =
  | { ok: true; text: string; expression: string; value: number }
  | { ok: false; reason: string };

/** A number in a word phrase ("divide 1,000 by 8"). */
const N = String.raw`(-?\d{1,3}(?:,\d{3})+(?:\.\d+)?|-?\d+(?:\.\d+)?)`;

/** Word phrases rewritten to symbols before tokenising, in order. */
const PHRASES: ReadonlyArray<[RegExp, string]> = [
  [/[×✕∙·]/gu, " * "],
  [/÷/gu, " / "],
  [/[−–—]/gu, "-"],
  [/π/gu, " pi "],
  [/√\s*/gu, " sqrt "],
  [/\b(?:multiplied by|times)\b/g, " * "],
  [/\b(?:divided by|over)\b/g, " / "],
  [/\bplus\b/g, " + "],
  [/\bminus\b/g, " - "],
  [/\b(?:modulo|mod)\b/g, " % "],
  [/\b(?:to the power of|raised to the power of|raised to the|raised to|to the)\b\s*(\d+)(?:st|nd|rd|th)?(?:\s+power)?/g, " ^ $1"],
  [/\b(?:to the power of|raised to the power of|raised to)\b/g, " ^ "],
  [/\bsquared\b/g, " ^ 2"],
  [/\bcubed\b/g, " ^ 3"],
  [/\b(?:the )?square root of\b/g, " sqrt "],
  [/\b(?:the )?cube root of\b/g, " cbrt "],
  [/\b(?:the )?absolute value of\b/g, " abs "],
  [/\b(?:the )?(?:natural log(?:arithm)?) of\b/g, " ln "],
  [new RegExp(String.raw`\blog(?:arithm)? base ${N} of ${N}`, "g"), " log($2, $1) "],
  [/\b(sqrt|cbrt|abs|log|ln|sin|cos|tan|exp|floor|ceil|round) of\b/g, " $1 "],
  [new RegExp(String.raw`\bdivide ${N} by ${N}`, "g"), " $1 / $2 "],
  [new RegExp(String.raw`\bmultiply ${N} (?:by|and|with) ${N}`, "g"), " $1 * $2 "],
  [new RegExp(String.raw`\badd ${N} (?:and|to|plus) ${N}`, "g"), " $1 + $2 "],
  [new RegExp(String.raw`\bsubtract ${N} from ${N}`, "g"), " $2 - $1 "],
  [new RegExp(String.raw`\b(?:the )?sum of ${N} and ${N}`, "g"), " $1 + $2 "],
  [new RegExp(String.raw`\b(?:the )?product of ${N} and ${N}`, "g"), " $1 * $2 "],
  [new RegExp(String.raw`\b(?:the )?difference between ${N} and ${N}`, "g"), " $1 - $2 "],
  [new RegExp(String.raw`\b(?:the )?quotient of ${N} and ${N}`, "g"), " $1 / $2 "],
  [/(\d|\))\s*factorial\b/g, "$1!"],
  [new RegExp(String.raw`\bfactorial of ${N}`, "g"), " $1! "],
  [/(\d)\s*%\s+(?:tip|tax|discount|interest|commission|vat|service charge)\s+(?:on|of|for)\b/g, "$1% of"],
  [/\s*\b(?:per ?cent|pct)\b/g, "%"],
  [/(\d|\))\s*x\s*(?=[\d(.])/g, "$1 * "],
  // Thousands separators: 1,234,567 (not inside an argument list).
  [/(^|[^\d.,(]\s*)(\d{1,3}(?:,\d{3})+)(?![\d,])/g, "$1\u0000$2"],
];

/**
 * Lower-cases, rewrites word operators and drops thousands separators.
 *
 * @example
 * normalizeMath("Divide 1,000 by 8") // " 1000 / 8 "
 */
export function normalizeMath(input: string): string {
  let s = input.toLowerCase();
  for (const [re, to] of PHRASES) s = s.replace(re, to);
  return s.replace(/\u0000([\d,]+)/g, (_, n: string) => n.replace(/,/g, ""));
}

const MATH_IDENTS = new Set([...Object.keys(FUNCTIONS), ...Object.keys(CONSTANTS), "of"]);
const BINARY = new Set(["+", "-", "*", "/", "^", "%", "**"]);

interface Piece {
  text: string;
  start: number;
  math: boolean;
}

function pieces(text: string): Piece[] {
  const out: Piece[] = [];
  const re = /\s*(\d+(?:\.\d+)?(?:e[+-]?\d+)?|\.\d+|[a-z]+|\*\*|[-+*/%^!(),]|\S)/gy;
  for (let m = re.exec(text); m !== null; m = re.exec(text)) {
    const piece = m[1] as string;
    const math = /^(?:\d|\.\d)/.test(piece) || /^(?:[-+*/%^!(),]|\*\*)$/.test(piece) || MATH_IDENTS.has(piece);
    out.push({ text: piece, start: m.index + m[0].length - piece.length, math });
  }
  return out;
}

const isOperand = (p: Piece | undefined): boolean => p !== undefined && p.math && (/^[\d.)!%]/.test(p.text) || p.text in CONSTANTS);

/**
 * The longest run of `text` that looks like an expression (numbers, operators,
 * parentheses, known function and constant names), with a leading or trailing
 * "of" or "," trimmed; `undefined` when no run holds a number. A word in the
 * middle of an expression ("5 apples + 3", "foo(2)") is kept, so that the
 * parser reports it instead of half the expression being evaluated.
 *
 * @example
 * extractExpression("so what's 12 * (3 + 4) then?") // "12 * (3 + 4)"
 */
export function extractExpression(text: string): string | undefined {
  const ps = pieces(text);
  const runs: Piece[][] = [];
  let current: Piece[] = [];
  let depth = 0;
  ps.forEach((p, k) => {
    const prev = ps[k - 1];
    const next = ps[k + 1];
    if (p.text === "(") depth++;
    if (p.text === ")") depth--;
    // A comma outside parentheses separates expressions ("5 + 3, then 2").
    if (p.text === "," && depth <= 0) {
      if (current.length > 0) runs.push(current);
      current = [];
      return;
    }
    const callLike = /^[a-z]+$/.test(p.text) && next?.text === "(" && next.start === p.start + p.text.length;
    const midExpression =
      current.length > 0 && next !== undefined && ((prev?.math === true && BINARY.has(prev.text)) || (isOperand(prev) && next.math && BINARY.has(next.text)));
    if (p.math || callLike || midExpression) current.push(p);
    else if (current.length > 0) {
      runs.push(current);
      current = [];
    }
  });
  if (current.length > 0) runs.push(current);

  let best: Piece[] | undefined;
  for (const run of runs) {
    let a = 0;
    let b = run.length;
    while (a < b && (run[a]?.text === "of" || run[a]?.text === ",")) a++;
    while (b > a && (run[b - 1]?.text === "of" || run[b - 1]?.text === ",")) b--;
    const trimmed = run.slice(a, b);
    if (!trimmed.some((p) => /^(?:\d|\.\d)/.test(p.text) || p.text in CONSTANTS)) continue;
    if (best === undefined || trimmed.length > best.length) best = trimmed;
  }
  if (best === undefined) return undefined;
  const first = best[0] as Piece;
  const last = best[best.length - 1] as Piece;
  return text.slice(first.start, last.start + last.text.length);
}

const NUM = String.raw`(-?\d+(?:\.\d+)?)`;
const WHAT_PERCENT = [
  new RegExp(String.raw`what\s*(?:percent(?:age)?|%) (?:of ${NUM} is ${NUM}|is ${NUM} (?:of|out of) ${NUM})`),
  new RegExp(String.raw`${NUM} is what\s*(?:percent(?:age)?|%) of ${NUM}`),
];
const OFF = new RegExp(String.raw`${NUM}\s*%\s+off\s+(?:of\s+)?${NUM}`);
const CHANGE = new RegExp(String.raw`\b(increase|raise|decrease|reduce|lower)\s+${NUM}\s+by\s+${NUM}\s*(?:%|percent)`);

function percentPhrase(text: string): ArithmeticResult | undefined {
  for (const [k, re] of WHAT_PERCENT.entries()) {
    const m = re.exec(text);
    if (m === null) continue;
    // Pattern 0 captures (whole, part) or (part, whole); pattern 1 captures (part, whole).
    const [part, whole] = k === 0 ? (m[1] !== undefined ? [m[2], m[1]] : [m[3], m[4]]) : [m[1], m[2]];
    const p = Number(part);
    const w = Number(whole);
    if (w === 0) return { ok: false, reason: "Division by zero: cannot take a percentage of 0" };
    const value = cleanNumber((p / w) * 100);
    return { ok: true, text: `${part} is ${formatNumber(value)}% of ${whole}`, expression: `${part} / ${whole} * 100`, value };
  }
  const off = OFF.exec(text);
  if (off !== null) {
    const value = cleanNumber(Number(off[2]) * (1 - Number(off[1]) / 100));
    return { ok: true, text: `${off[2]} with ${off[1]}% off = ${formatNumber(value)}`, expression: `${off[2]} * (1 - ${off[1]}%)`, value };
  }
  const c = CHANGE.exec(text);
  if (c !== null) {
    const up = c[1] === "increase" || c[1] === "raise";
    const expression = `${c[2]} * (1 ${up ? "+" : "-"} ${c[3]}%)`;
    const value = cleanNumber(Number(c[2]) * (1 + ((up ? 1 : -1) * Number(c[3])) / 100));
    return { ok: true, text: `${c[2]} ${up ? "increased" : "decreased"} by ${c[3]}% = ${formatNumber(value)}`, expression, value };
  }
  return undefined;
}

/** "…, rounded to 2 decimal places" */
const ROUNDING = /,?\s*\(?\s*(?:rounded|round(?:ed)? off|round) to (\d{1,2}) (?:decimal(?: place)?s?|places|dp|digits)\)?/;

/**
 * Finds and evaluates the arithmetic in `input`; "rounded to N decimals" rounds the result.
 *
 * @example
 * evaluateArithmetic("what is 12 * (3 + 4)?") // { ok: true, text: "12 * (3 + 4) = 84", expression: "12 * (3 + 4)", value: 84 }
 * evaluateArithmetic("15% of 80")             // { ok: true, text: "15% of 80 = 12", expression: "15% of 80", value: 12 }
 * evaluateArithmetic("1 / 0")                 // { ok: false, reason: "Division by zero" }
 */
export function evaluateArithmetic(input: string): ArithmeticResult {
  let text = normalizeMath(input);
  const special = percentPhrase(text.replace(/\s+/g, " "));
  if (special !== undefined) return special;
  const rounding = ROUNDING.exec(text);
  if (rounding !== null) text = text.slice(0, rounding.index) + text.slice(rounding.index + rounding[0].length);
  const source = extractExpression(text);
  if (source === undefined) return { ok: false, reason: "No arithmetic expression found in the input (try something like \"12 * (3 + 4)\")" };
  try {
    const { expression, value } = calculate(source);
    const digits = rounding?.[1];
    const clean = digits === undefined ? cleanNumber(value) : (FUNCTIONS.round as { call(a: number[]): number }).call([value, Number(digits)]);
    const suffix = digits === undefined ? "" : ` (rounded to ${digits} decimal${digits === "1" ? "" : "s"})`;
    return { ok: true, text: `${expression} = ${formatNumber(clean)}${suffix}`, expression, value: clean };
  } catch (e) {
    if (e instanceof ExpressionError) return { ok: false, reason: e.message };
    throw e;
  }
}
