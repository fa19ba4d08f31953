/**
 * The `units` skill: "convert 5 km to miles", "100 f in c", "how many minutes
 * in 2 hours". Conversions go through the base unit of the category in
 * `units-table.ts`; units of different categories are refused.
 */
import { findUnit, type Category, type Unit } from "./units-table.ts";

export interface Quantity {
  value: number;
  unit: string;
  name: string;
}

export type UnitsResult =
  | { ok: true; text: string; value: number; category: Category; from: Quantity; to: Quantity }
  | { ok: false; reason: string };

const NUMBER = String.raw`[-+]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?:e[-+]?\d+)?|[-+]?\.\d+`;
const CONNECTORS = new Set(["to", "in", "into", "as", "=", "->", "→", "is"]);
const HINT = 'try something like "convert 5 km to miles"';

/**
 * Converts `value` from one unit to another of the same category.
 *
 * @example
 * convert(5, findUnit("km")!, findUnit("mi")!) // { ok: true, value: 3.10685596119 }
 */
export function convert(value: number, from: Unit, to: Unit): { ok: true; value: number } | { ok: false; reason: string } {
  if (from.category !== to.category)
    return {
      ok: false,
      reason: `Cannot convert ${from.plural} (${from.category}) to ${to.plural} (${to.category}): both units must measure the same kind of quantity`,
    };
  const base = value * from.factor + from.offset;
  if (from.category === "temperature" && base < -1e-9) return { ok: false, reason: `${fmt(value)} ${from.symbol} is below absolute zero` };
  return { ok: true, value: round((base - to.offset) / to.factor, 12) };
}

const round = (v: number, digits: number): number => {
  const r = Number(v.toPrecision(digits));
  return Object.is(r, -0) ? 0 : r;
};
/** Up to 6 significant digits, plain notation where JavaScript allows. */
const fmt = (v: number): string => String(round(v, 6));
const label = (v: number, u: Unit): string => (u.category === "temperature" ? `${fmt(v)} ${u.symbol}` : `${fmt(v)} ${round(v, 6) === 1 ? u.name : u.plural}`);

interface Candidate {
  value: number;
  /** The text after the number. */
  rest: string;
}

/** Every number in `text` with the text after it, in order ("a"/"an"/"one" count as 1 when there is no digit). */
function quantities(text: string): Candidate[] {
  const re = new RegExp(String.raw`(?:^|[^\w.])(${NUMBER})(?![\d.])\s*`, "giu");
  const out = [...text.matchAll(re)].map((m) => ({ value: Number((m[1] as string).replace(/,/g, "")), rest: text.slice(m.index + m[0].length) }));
  if (out.length > 0) return out;
  const a = /(?:^|\s)(?:an?|one)\s+(.*)$/iu.exec(text);
  return a?.[1] !== undefined ? [{ value: 1, rest: a[1] }] : [];
}
const splitQuantity = (text: string): Candidate | undefined => quantities(text)[0];

const words = (s: string): string[] => s.split(/\s+/u).filter((w) => w !== "");

/** The longest leading run of `ws` that names a unit. */
function leadingUnit(ws: readonly string[]): Unit | undefined {
  for (let n = ws.length; n > 0; n--) {
    const u = findUnit(ws.slice(0, n).join(" "));
    if (u !== undefined) return u;
  }
  return undefined;
}

function build(value: number, from: Unit, to: Unit): UnitsResult {
  const r = convert(value, from, to);
  if (!r.ok) return r;
  return {
    ok: true,
    text: `${label(value, from)} = ${label(r.value, to)}`,
    value: r.value,
    category: from.category,
    from: { value, unit: from.symbol, name: from.name },
    to: { value: r.value, unit: to.symbol, name: to.name },
  };
}

/** "how many <to> (are) in|is|make <quantity> <from>" */
function howMany(text: string): UnitsResult | undefined {
  const m = /\bhow (?:many|much) (.+?) (?:are there in|are in|in|is|are|make up|makes|make|equals?|to|per)\b (.+)$/iu.exec(text);
  if (m?.[1] === undefined || m[2] === undefined) return undefined;
  const to = findUnit(m[1]);
  const q = splitQuantity(m[2]);
  if (to === undefined || q === undefined) return undefined;
  const from = leadingUnit(words(q.rest));
  if (from === undefined) return { ok: false, reason: `Unknown unit '${q.rest}' (${HINT})` };
  return build(q.value, from, to);
}

/**
 * Parses and performs a unit conversion described in `input`.
 *
 * @example
 * convertUnits("convert 5 km to miles") // { ok: true, text: "5 kilometers = 3.10686 miles", value: 3.10685596119, … }
 * convertUnits("100 f in c")            // { ok: true, text: "100 °F = 37.7778 °C", … }
 * convertUnits("3 kg to meters")        // { ok: false, reason: "Cannot convert kilograms (mass) to meters (length): …" }
 */
export function convertUnits(input: string): UnitsResult {
  const text = input
    .trim()
    .replace(/[?!:,;]+(?=\s|$)|\.$/gu, "")
    .replace(/\b(?:minus|negative)\s+(?=\d)/giu, "-")
    .replace(/(\d)\s*°\s*([cfk])\b/giu, "$1 °$2");
  const special = howMany(text) ?? compound(text);
  if (special !== undefined) return special;

  const found = quantities(text);
  if (found.length === 0) return { ok: false, reason: `No quantity to convert found (${HINT})` };
  // Try each number in turn ("is 5 c cold? convert 5 celsius to f"); report
  // a failed conversion before an unrecognised phrase.
  let failure: { ok: false; reason: string } | undefined;
  for (const q of found) {
    const r = convertQuantity(q);
    if (r.result.ok) return r.result;
    if (failure === undefined || r.converted) failure = r.result;
    if (r.converted) break;
  }
  return failure as UnitsResult;
}

/**
 * A compound quantity, two or more number–unit parts then a connector and a target
 * ("5 feet 11 inches to cm", "1 h 30 min in minutes"): the parts are summed in their
 * category's base unit and converted whole. Parts of different kinds, or of
 * temperature (which does not add up), are refused. Undefined when `text` is not one.
 *
 * @example
 * compound("5 ft 11 in to cm") // { ok: true, text: "5.91667 feet = 180.34 centimeters", … }
 */
export function compound(text: string): UnitsResult | undefined {
  const first = quantities(text)[0];
  if (first === undefined) return undefined;
  const ws = words(`${fmt(first.value)} ${first.rest}`.replace(/\s*(->|→|=)\s*/gu, " $1 "));
  const parts: { value: number; unit: Unit }[] = [];
  let i = 0;
  while (i < ws.length && /^[-+]?(?:\d[\d,]*)?\.?\d+(?:e[-+]?\d+)?$/iu.test(ws[i] as string)) {
    const value = Number((ws[i] as string).replace(/,/g, ""));
    let unit: Unit | undefined;
    let n = ws.length - i - 1;
    for (; n > 0; n--) if ((unit = findUnit(ws.slice(i + 1, i + 1 + n).join(" "))) !== undefined) break;
    if (unit === undefined) return undefined;
    parts.push({ value, unit });
    i += 1 + n;
  }
  if (parts.length < 2 || i >= ws.length || !CONNECTORS.has((ws[i] as string).toLowerCase())) return undefined;
  const to = leadingUnit(ws.slice(i + 1));
  if (to === undefined) return undefined;
  const kinds = new Set(parts.map((p) => p.unit.category));
  if (kinds.size > 1) return { ok: false, reason: `Cannot add ${parts.map((p) => p.unit.plural).join(" and ")}: the parts of a quantity must measure the same kind of thing` };
  if (parts[0]!.unit.category === "temperature") return { ok: false, reason: "Temperatures do not add up: convert one temperature at a time" };
  const head = parts[0]!.unit;
  const total = round(parts.reduce((sum, p) => sum + p.value * p.unit.factor, 0) / head.factor, 12);
  return build(total, head, to);
}

function convertQuantity(q: Candidate): { result: UnitsResult; converted: boolean } {
  const ws = words(q.rest.replace(/\s*(->|→|=)\s*/gu, " $1 "));
  let unknown: string | undefined;
  for (let i = 1; i < ws.length; i++) {
    if (!CONNECTORS.has((ws[i] as string).toLowerCase())) continue;
    const from = findUnit(ws.slice(0, i).join(" "));
    const to = leadingUnit(ws.slice(i + 1));
    if (from !== undefined && to !== undefined) return { result: build(q.value, from, to), converted: true };
    unknown ??= from === undefined ? ws.slice(0, i).join(" ") : ws.slice(i + 1).join(" ");
  }
  const fail = (reason: string) => ({ result: { ok: false as const, reason }, converted: false });
  if (unknown !== undefined) return fail(`Unknown unit '${unknown}' (${HINT})`);
  const from = leadingUnit(ws);
  if (from === undefined) return fail(`No unit found after ${fmt(q.value)} (${HINT})`);
  return fail(`Which unit should ${label(q.value, from)} be converted to? (${HINT})`);
}
