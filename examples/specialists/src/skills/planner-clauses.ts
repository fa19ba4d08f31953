/**
 * Clause splitting for the `planner` skill: cuts a goal written in plain
 * English into the separate requests it contains. Pure and deterministic.
 *
 * Rules, in order:
 *
 * 1. **Hard separators** — `;`, "then" (also ", then", ". Then", "and then"),
 *    "after that" and "afterwards" — always end a clause, except inside a text
 *    payload (the text after a `": "` in a clause, e.g. "summarize this text: …"),
 *    where they split only when what follows reads as a new request (see 3).
 * 2. **Soft separators** — " and ", ", and " and ", " — split only in a clause's
 *    head (before its payload), outside parentheses, and only when both sides
 *    are self-contained requests: each starts with a request word, or is a
 *    quantity request of its own (a number with a conversion "to|in|into|as
 *    <unit>" or an arithmetic operator). A left side that pairs two operands
 *    ("between 2026-01-01", "the sum of 3", "add 1,250") keeps its " and "
 *    unless the right side starts with a request word.
 * 3. A side **starts with a request word** when, after fillers ("please",
 *    "also", "finally", "now", "so", "ok"; "first"/"next" only before a comma
 *    or a request word), its first word is a
 *    question word (what, how, when, which, who, where, why, is, are, does, can,
 *    …) or a command verb (convert, calculate, count, summarize, add, tell, …).
 * 4. Each clause is trimmed of those leading fillers (and a leading "and"),
 *    of trailing `,`/`;`/"and", and of `{{`/`}}` runs (a space is put between
 *    adjacent braces so no clause can forge a router placeholder). Clauses
 *    without a letter or digit are dropped.
 */

const REQUEST_WORDS = new Set(
  (
    "what what's whats how how's when which who whom whose where why is are was were does do did can could would will should " +
    "convert calculate compute evaluate solve work find get give tell show list count summarize summarise sum add subtract " +
    "multiply divide round double triple halve square take translate write explain check estimate determine figure analyze " +
    "analyse shorten condense describe define name make set book send play recommend compare"
  ).split(" "),
);

const FILLER = /^(?:and|also|please|finally|lastly|now|so|ok(?:ay)?|then|afterwards|after that)\b,?\s*/iu;
/** Order words that are fillers only before a comma or a request word ("next, …", "first convert …"; not "next friday"). */
const ORDER = /^(?:first(?:ly)?|second(?:ly)?|third(?:ly)?|next)\b(?:,\s*|\s+(?=([\p{L}']+)))/iu;

/** Hard separators: `;`, "then", "and then", "after that", "afterwards" (with a leading `,`/`.`). */
const HARD = /\s*(?:;+|(?:[,.]\s*)?(?:\band\s+)?\b(?:then|after that|afterwards)\b,?)\s*/giu;
/** Soft separators: ", and", " and ", ", ". */
const SOFT = /,?\s+and\s+|,\s+/giu;
/** A left side that pairs two operands with "and" ("between X and Y", "the sum of X and Y"). */
const PAIRING = /\b(?:between|both|sum of|product of|quotient of|difference of|average of|mean of|add|multiply)\s+(?:\S+\s+){0,2}\S+$/iu;
const DATE = /\b\d{4}-\d{2}-\d{2}\b/gu;
const OPERATOR = /[\d)]\s*(?:[-+*/^%×÷]|\*\*)\s*[\d(.-]|\b(?:plus|minus|times|divided by|multiplied by|to the power of|squared|cubed|percent of)\b|%\s*of\b/iu;
const CONVERSION = /\d\s*(?:°\s*)?\p{L}*\s*(?:\p{L}+\s+)?\b(?:to|in|into|as)\s+\p{L}/iu;

/** The text of `s` without its leading fillers. */
export function stripFillers(s: string): string {
  let t = s;
  for (let prev = ""; prev !== t; ) {
    prev = t;
    t = t.replace(FILLER, "");
    const order = ORDER.exec(t);
    if (order !== null && (order[1] === undefined || REQUEST_WORDS.has(order[1].toLowerCase()))) t = t.slice(order[0].length);
  }
  return t;
}

/** Where a clause's text payload starts (the text after `": "`), or `-1`. */
export function payloadStart(clause: string): number {
  const m = /:\s+\S/u.exec(clause);
  return m === null ? -1 : m.index;
}

/**
 * Whether `side` starts with a question word or command verb (after fillers).
 *
 * @example
 * startsRequest("and then what is 2 + 2") // true
 * startsRequest("2026-12-25")             // false
 */
export function startsRequest(side: string): boolean {
  const first = /^[\p{L}']+/u.exec(stripFillers(side.trim()).toLowerCase().replace(/’/gu, "'"))?.[0];
  return first !== undefined && REQUEST_WORDS.has(first);
}

/** A number with its own conversion target or arithmetic operator ("10 lb to kg", "4 times 5"). */
function quantityRequest(side: string): boolean {
  const s = side.replace(DATE, "D");
  return /\d/u.test(s) && (OPERATOR.test(s) || CONVERSION.test(s));
}

const selfContained = (side: string): boolean => startsRequest(side) || quantityRequest(side);

/** Separator matches of `re` in `text` outside parentheses. */
function separators(text: string, re: RegExp): Array<{ start: number; end: number }> {
  const out: Array<{ start: number; end: number }> = [];
  for (const m of text.matchAll(re)) {
    const before = text.slice(0, m.index);
    const depth = (before.match(/\(/gu)?.length ?? 0) - (before.match(/\)/gu)?.length ?? 0);
    if (depth <= 0) out.push({ start: m.index, end: m.index + m[0].length });
  }
  return out;
}

/** Splits on hard separators (rule 1); `isRequest` decides splits inside a payload. */
function splitHard(goal: string, isRequest: (s: string) => boolean): string[] {
  const seps = separators(goal, HARD);
  const out: string[] = [];
  let start = 0;
  seps.forEach((sep, k) => {
    const segment = goal.slice(start, sep.start);
    const next = goal.slice(sep.end, seps[k + 1]?.start ?? goal.length);
    if (payloadStart(segment) >= 0 && !isRequest(next)) return;
    out.push(segment);
    start = sep.end;
  });
  out.push(goal.slice(start));
  return out;
}

/** Splits a clause's head on soft separators (rule 2). */
function splitSoft(clause: string): string[] {
  const p = payloadStart(clause);
  const head = p < 0 ? clause : clause.slice(0, p);
  const seps = separators(head, SOFT);
  const out: string[] = [];
  let start = 0;
  seps.forEach((sep, k) => {
    const left = clause.slice(start, sep.start);
    const right = head.slice(sep.end, seps[k + 1]?.start ?? head.length);
    const paired = PAIRING.test(left) && !startsRequest(right);
    if (paired || !selfContained(left) || !selfContained(right)) return;
    out.push(left);
    start = sep.end;
  });
  out.push(clause.slice(start));
  return out;
}

/** Rule 4: trims fillers and trailing separators, and defuses `{{`/`}}`. */
function clean(clause: string): string {
  return stripFillers(clause.trim())
    .replace(/(?:\s*[,;]|\s+and)+\s*$/iu, "")
    .replace(/([{}])(?=[{}])/gu, "$1 ")
    .trim();
}

/**
 * The requests in `goal`, in order (rules above); `isRequest` tells whether a
 * text after a hard separator inside a payload starts a new request.
 *
 * @example
 * splitClauses("convert 5 km to miles, then what is the result times 3", startsRequest)
 * // ["convert 5 km to miles", "what is the result times 3"]
 * splitClauses("how many days between 2026-01-01 and 2026-12-25", startsRequest)
 * // ["how many days between 2026-01-01 and 2026-12-25"]
 */
export function splitClauses(goal: string, isRequest: (s: string) => boolean): string[] {
  return splitHard(goal.trim(), isRequest)
    .flatMap(splitSoft)
    .map(clean)
    .filter((c) => /[\p{L}\p{N}]/u.test(c));
}
