/**
 * The `datetime` skill: day of the week of a date, days between dates, adding
 * or subtracting days/weeks/months/years, and the current time in a time zone.
 * Deterministic: "now" is always passed in.
 */
import {
  InvalidDateError,
  addDays,
  addMonths,
  dayNumber,
  findDates,
  isValidDate,
  isoDate,
  longDate,
  weekday,
  type CivilDate,
} from "./datetime-calendar.ts";
import { clock12, resolveZone, zonedTime } from "./datetime-zones.ts";
import { plural } from "./text.ts";

export interface DateTimeOptions {
  /** The current instant. */
  now: Date;
  /** IANA zone that defines "today"; UTC when absent. */
  timeZone?: string;
}

export type DateTimeResult =
  | ({ ok: true; text: string } & (
      | { operation: "weekday"; date: string; weekday: string }
      | { operation: "diff"; from: string; to: string; days: number; weeks: number }
      | { operation: "add"; base: string; amounts: Amount[]; date: string; weekday: string }
      | { operation: "timezone"; timezone: string; place: string; local: string; date: string; time: string; weekday: string; offset: string; now: string }
    ))
  | { ok: false; reason: string };

export interface Amount {
  value: number;
  unit: "day" | "week" | "month" | "year";
}

const HINT = 'try "what day of the week is 2024-07-04", "days between 2024-01-01 and 2024-12-25", "add 3 weeks to 2024-02-10" or "time in Tokyo"';
const NUMBER_WORDS: Record<string, number> = { a: 1, an: 1, one: 1, two: 2, three: 3, four: 4, five: 5, six: 6, seven: 7, eight: 8, nine: 9, ten: 10, eleven: 11, twelve: 12 };
const AMOUNT_RE = /\b(\d{1,6}|an?|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve)\s+(day|week|fortnight|month|year)s?\b/gu;

/** The time-zone question in `text`, if it names a known place. */
function timezoneQuestion(text: string, now: Date): DateTimeResult | "unknown-place" | undefined {
  if (!/\b(?:time|clock|timezone|date|day)\b/u.test(text)) return undefined;
  const tail = text.replace(/\s*\b(?:right now|now|currently|today|at the moment)$/u, "");
  const candidates = [...tail.matchAll(/\b(?:in|at|for|of)\s+(?=\p{L})/gu)].map((m) => tail.slice(m.index + m[0].length));
  const suffixed = /^(?:the\s+)?(?:current\s+)?(\p{L}[\p{L}\d .'_/+-]*?)\s+(?:local\s+)?time$/u.exec(tail)?.[1];
  if (suffixed !== undefined) candidates.push(suffixed);
  for (const c of candidates) {
    const z = resolveZone(c);
    if (z === undefined) continue;
    const t = zonedTime(now, z.zone);
    const time = `${String(t.hour).padStart(2, "0")}:${String(t.minute).padStart(2, "0")}`;

    return {
      ok: true,
      operation: "timezone",
      text: `It is ${clock12(t.hour, t.minute)} on ${longDate(t.date)} in ${z.place} (${z.zone === z.place ? "" : `${z.zone}, `}UTC${t.offset}).`,
      timezone: z.zone,
      place: z.place,
      local: t.iso,
      date: isoDate(t.date),
      time,
      weekday: t.weekday,
      offset: t.offset,
      now: now.toISOString(),
    };
  }
  const asksTime = /\b(?:what time|time (?:is it )?(?:in|at)|clock in)\b/u.test(text);
  return asksTime && candidates.length > 0 ? "unknown-place" : undefined;
}

function findAmounts(text: string): Amount[] {
  const out: Amount[] = [];
  for (const m of text.matchAll(AMOUNT_RE)) {
    const raw = m[1] as string;
    const value = NUMBER_WORDS[raw] ?? Number(raw);
    const unit = m[2] as string;
    if (unit === "fortnight") out.push({ value: value * 2, unit: "week" });
    else out.push({ value, unit: unit as Amount["unit"] });
  }
  return out;
}

function applyAmounts(base: CivilDate, amounts: readonly Amount[], sign: number): CivilDate {
  let d = base;
  for (const a of amounts) {
    const n = sign * a.value;
    if (a.unit === "year") d = addMonths(d, 12 * n);
    else if (a.unit === "month") d = addMonths(d, n);
    else d = addDays(d, a.unit === "week" ? 7 * n : n);
  }
  return d;
}

const describe = (d: CivilDate, today: CivilDate): string => `${longDate(d)}${dayNumber(d) === dayNumber(today) ? " (today)" : ""}`;
const weeksAndDays = (days: number): string =>
  days % 7 === 0 ? plural(days / 7, "week") : `${plural(Math.trunc(days / 7), "week")} and ${plural(days % 7, "day")}`;

function diff(from: CivilDate, to: CivilDate, today: CivilDate, mode: "between" | "until" | "since"): DateTimeResult {
  const days = dayNumber(to) - dayNumber(from);
  const abs = Math.abs(days);
  const span = `${plural(abs, "day")}${abs >= 7 ? ` (${weeksAndDays(abs)})` : ""}`;
  let text: string;
  if (mode === "until") text = days >= 0 ? `${describe(to, today)} is ${span} from ${describe(from, today)}.` : `${describe(to, today)} was ${span} before ${describe(from, today)}.`;
  else if (mode === "since") text = days >= 0 ? `${span} have passed since ${describe(from, today)}.` : `${describe(from, today)} is ${span} in the future.`;
  else text = `There ${abs === 1 ? "is" : "are"} ${span} between ${describe(from, today)} and ${describe(to, today)}.`;
  return { ok: true, operation: "diff", text, from: isoDate(from), to: isoDate(to), days, weeks: Math.round((days / 7) * 100) / 100 };
}

/**
 * Answers a date question relative to `opts.now`.
 *
 * @example
 * const now = new Date("2026-03-01T12:00:00Z");
 * answerDate("what day of the week was July 4, 1776?", { now }).text // "July 4, 1776 was a Thursday."
 * answerDate("days between 2024-01-01 and 2024-12-25", { now })      // { ok: true, operation: "diff", days: 359, … }
 * answerDate("add 1 month to 2024-01-31", { now })                   // { ok: true, operation: "add", date: "2024-02-29", … }
 * answerDate("time in Tokyo", { now }).text                          // "It is 9:00 PM on Sunday, March 1, 2026 in Tokyo (Asia/Tokyo, UTC+09:00)."
 */
export function answerDate(input: string, opts: DateTimeOptions): DateTimeResult {
  const text = input
    .toLowerCase()
    .replace(/[?!]+/gu, " ")
    .replace(/\s+/gu, " ")
    .trim()
    .replace(/\.$/u, "");
  const today = zonedTime(opts.now, opts.timeZone ?? "UTC").date;

  const tz = timezoneQuestion(text, opts.now);
  if (typeof tz === "object") return tz;

  let dates;
  try {
    dates = findDates(text, today);
  } catch (e) {
    if (e instanceof InvalidDateError) return { ok: false, reason: e.message };
    throw e;
  }
  const amounts = findAmounts(text);
  const asksDiff = /\b(?:between|how many|how long|until|till|since|days? (?:left|remaining|to go))\b/u.test(text);

  if (amounts.length > 0 && !asksDiff) {
    const sign = /\b(?:ago|before|earlier|minus|subtract|take away|back|prior to)\b|(?:^|\s)-\s*\d/u.test(text) ? -1 : 1;
    const base = dates[0]?.date ?? today;
    const date = applyAmounts(base, amounts, sign);
    if (!isValidDate(date)) return { ok: false, reason: "The resulting date is outside the supported range (years 1 to 9999)" };
    const amountText = amounts.map((a) => plural(a.value, a.unit)).join(" and ");
    const verb = dayNumber(date) < dayNumber(today) ? "was" : "is";
    return {
      ok: true,
      operation: "add",
      text: `${amountText} ${sign > 0 ? "after" : "before"} ${describe(base, today)} ${verb} ${longDate(date)}.`,
      base: isoDate(base),
      amounts,
      date: isoDate(date),
      weekday: weekday(date),
    };
  }

  if ((asksDiff || amounts.length === 0) && dates.length >= 2) return diff(dates[0]!.date, dates[1]!.date, today, "between");
  if (asksDiff && dates.length === 1) {
    const d = dates[0]!.date;
    return /\b(?:since|ago)\b/u.test(text) ? diff(d, today, today, "since") : diff(today, d, today, "until");
  }

  const first = dates[0];
  if (first !== undefined) {
    const d = first.date;
    const day = weekday(d);
    const delta = dayNumber(d) - dayNumber(today);
    const when = `${longDate(d).slice(day.length + 2)}`;
    const text = delta === 0 ? `Today is ${longDate(d)}.` : `${when} ${delta < 0 ? "was" : "will be"} a ${day}.`;
    return { ok: true, operation: "weekday", text, date: isoDate(d), weekday: day };
  }

  if (tz === "unknown-place") return { ok: false, reason: "Unknown time zone or place (use a major city or an IANA name such as Europe/Paris)" };
  return { ok: false, reason: `No date question recognised (${HINT})` };
}
