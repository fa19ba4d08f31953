/**
 * Proleptic Gregorian calendar arithmetic on plain `{ year, month, day }`
 * values, and the date phrases the `datetime` skill understands. No time
 * zones here: see `datetime-zones.ts`.
 */

export interface CivilDate {
  year: number;
  /** 1..12 */
  month: number;
  day: number;
}

export const MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];
export const WEEKDAYS = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];
const DAY_MS = 86_400_000;

/**
 * Gregorian leap-year rule.
 *
 * @example
 * isLeapYear(2000) // true
 * isLeapYear(1900) // false
 */
export const isLeapYear = (y: number): boolean => (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;

/**
 * Days in `month` (1..12) of `year`.
 *
 * @example
 * daysInMonth(2024, 2) // 29
 */
export function daysInMonth(year: number, month: number): number {
  return month === 2 ? (isLeapYear(year) ? 29 : 28) : [4, 6, 9, 11].includes(month) ? 30 : 31;
}

/**
 * Whether `d` is a real date between the years 1 and 9999.
 *
 * @example
 * isValidDate({ year: 2023, month: 2, day: 29 }) // false
 */
export const isValidDate = (d: CivilDate): boolean =>
  Number.isInteger(d.year) && d.year >= 1 && d.year <= 9999 && d.month >= 1 && d.month <= 12 && d.day >= 1 && d.day <= daysInMonth(d.year, d.month);

/**
 * Days since 1970-01-01 (negative before).
 *
 * @example
 * dayNumber({ year: 1970, month: 1, day: 2 }) // 1
 */
export function dayNumber(d: CivilDate): number {
  const t = new Date(0);
  t.setUTCFullYear(d.year, d.month - 1, d.day);
  return Math.round(t.getTime() / DAY_MS);
}

/**
 * Inverse of {@link dayNumber}.
 *
 * @example
 * fromDayNumber(0) // { year: 1970, month: 1, day: 1 }
 */
export function fromDayNumber(n: number): CivilDate {
  const t = new Date(n * DAY_MS);
  return { year: t.getUTCFullYear(), month: t.getUTCMonth() + 1, day: t.getUTCDate() };
}

/**
 * English weekday name.
 *
 * @example
 * weekday({ year: 1776, month: 7, day: 4 }) // "Thursday"
 */
export function weekday(d: CivilDate): string {
  return WEEKDAYS[(((dayNumber(d) + 4) % 7) + 7) % 7] as string;
}

/**
 * `d` plus `n` days (negative to go back).
 *
 * @example
 * addDays({ year: 2024, month: 2, day: 28 }, 2) // { year: 2024, month: 3, day: 1 }
 */
export const addDays = (d: CivilDate, n: number): CivilDate => fromDayNumber(dayNumber(d) + n);

/**
 * `d` plus `n` calendar months; the day is clamped to the end of a shorter month.
 *
 * @example
 * addMonths({ year: 2024, month: 1, day: 31 }, 1) // { year: 2024, month: 2, day: 29 }
 */
export function addMonths(d: CivilDate, n: number): CivilDate {
  const total = d.year * 12 + (d.month - 1) + n;
  const year = Math.floor(total / 12);
  const month = total - year * 12 + 1;
  return { year, month, day: Math.min(d.day, daysInMonth(year, month)) };
}

/**
 * ISO 8601 calendar date.
 *
 * @example
 * isoDate({ year: 2024, month: 2, day: 9 }) // "2024-02-09"
 */
export function isoDate(d: CivilDate): string {
  return `${String(d.year).padStart(4, "0")}-${String(d.month).padStart(2, "0")}-${String(d.day).padStart(2, "0")}`;
}

/**
 * English long form with the weekday.
 *
 * @example
 * longDate({ year: 2024, month: 2, day: 9 }) // "Friday, February 9, 2024"
 */
export function longDate(d: CivilDate): string {
  return `${weekday(d)}, ${MONTHS[d.month - 1]} ${d.day}, ${d.year}`;
}

export interface FoundDate {
  date: CivilDate;
  /** The matched text. */
  text: string;
  start: number;
  end: number;
}

const MONTH_RE = String.raw`(jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?`;
const monthIndex = (name: string): number => MONTHS.findIndex((m) => m.toLowerCase().startsWith(name.toLowerCase().slice(0, 3))) + 1;

const HOLIDAYS: Array<[RegExp, number, number]> = [
  [/^christmas eve/u, 12, 24],
  [/^christmas/u, 12, 25],
  [/^new year'?s eve/u, 12, 31],
  [/^new year/u, 1, 1],
  [/^halloween/u, 10, 31],
  [/^valentine/u, 2, 14],
];

/** A fixed-date holiday in `year`, or its next occurrence on or after `today`. */
function holiday(name: string, year: number | undefined, today: CivilDate): CivilDate {
  const [, month, day] = HOLIDAYS.find(([re]) => re.test(name.replace(/\s+/gu, " "))) ?? [/./u, 12, 25];
  if (year !== undefined) return { year, month, day };
  const thisYear = { year: today.year, month, day };
  return dayNumber(thisYear) >= dayNumber(today) ? thisYear : { year: today.year + 1, month, day };
}

/** "next friday": first Friday after today; "last friday": latest before; "this friday": on or after. */
function relativeWeekday(which: string, name: string, today: CivilDate): CivilDate {
  const target = WEEKDAYS.findIndex((w) => w.toLowerCase() === name.toLowerCase());
  const current = WEEKDAYS.indexOf(weekday(today));
  if (which === "last") return addDays(today, -(((current - target + 6) % 7) + 1));
  const ahead = (target - current + 7) % 7;
  return addDays(today, which === "next" && ahead === 0 ? 7 : ahead);
}

type Builder = (m: RegExpExecArray, today: CivilDate) => CivilDate;
const PATTERNS: Array<[RegExp, Builder]> = [
  [/\b(\d{4})[-/](\d{1,2})[-/](\d{1,2})\b/giu, (m) => ({ year: +m[1]!, month: +m[2]!, day: +m[3]! })],
  [/\b(\d{1,2})\/(\d{1,2})\/(\d{4})\b/giu, (m) => ({ year: +m[3]!, month: +m[1]!, day: +m[2]! })],
  [/\b(\d{1,2})\.(\d{1,2})\.(\d{4})\b/giu, (m) => ({ year: +m[3]!, month: +m[2]!, day: +m[1]! })],
  [
    new RegExp(String.raw`\b${MONTH_RE}\s+(\d{1,2})(?:st|nd|rd|th)?\b(?:,?\s*(\d{4})\b)?`, "giu"),
    (m, t) => ({ year: m[3] === undefined ? t.year : +m[3], month: monthIndex(m[1]!), day: +m[2]! }),
  ],
  [
    new RegExp(String.raw`\b(\d{1,2})(?:st|nd|rd|th)?\s+(?:of\s+)?${MONTH_RE}(?:,?\s*(\d{4})\b)?`, "giu"),
    (m, t) => ({ year: m[3] === undefined ? t.year : +m[3], month: monthIndex(m[2]!), day: +m[1]! }),
  ],
  [
    /\b(christmas(?:\s+day)?|christmas\s+eve|new\s+year'?s\s+eve|new\s+year'?s(?:\s+day)?|halloween|valentine'?s(?:\s+day)?)(?:\s+(\d{4})\b)?/giu,
    (m, t) => holiday(m[1]!.toLowerCase(), m[2] === undefined ? undefined : +m[2], t),
  ],
  [/\b(next|last|this)\s+(sunday|monday|tuesday|wednesday|thursday|friday|saturday)\b/giu, (m, t) => relativeWeekday(m[1]!.toLowerCase(), m[2]!, t)],
  [/\b(?:the\s+)?day\s+after\s+tomorrow\b/giu, (_, t) => addDays(t, 2)],
  [/\b(?:the\s+)?day\s+before\s+yesterday\b/giu, (_, t) => addDays(t, -2)],
  [/\b(?:today|now|tonight)\b/giu, (_, t) => t],
  [/\btomorrow\b/giu, (_, t) => addDays(t, 1)],
  [/\byesterday\b/giu, (_, t) => addDays(t, -1)],
];

/**
 * Every date mentioned in `text`, in order of appearance: ISO `2024-07-04`
 * (or `2024/07/04`), US `7/4/2024`, dotted European `4.7.2024`, `July 4, 1776`,
 * `4th of July 2024`, `March 15` (this year), today/tomorrow/yesterday,
 * next/last/this <weekday>, and Christmas, New Year, Halloween, Valentine's Day
 * (the next occurrence unless a year follows).
 * Throws {@link InvalidDateError} for a well-formed but impossible date.
 *
 * @example
 * findDates("from 2024-01-01 to March 3", { year: 2024, month: 6, day: 1 }).map((f) => isoDate(f.date)) // ["2024-01-01", "2024-03-03"]
 */
export function findDates(text: string, today: CivilDate): FoundDate[] {
  const found: FoundDate[] = [];
  for (const [re, build] of PATTERNS) {
    re.lastIndex = 0;
    for (let m = re.exec(text); m !== null; m = re.exec(text)) {
      const start = m.index;
      const end = start + m[0].length;
      if (found.some((f) => start < f.end && end > f.start)) continue;
      const date = build(m, today);
      if (!isValidDate(date)) throw new InvalidDateError(`'${m[0].trim()}' is not a valid date`);
      found.push({ date, text: m[0].trim(), start, end });
    }
  }
  return found.sort((a, b) => a.start - b.start);
}

export class InvalidDateError extends Error {
  override readonly name = "InvalidDateError";
}
