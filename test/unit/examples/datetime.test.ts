import { describe, expect, it } from "vitest";
import { answerDate } from "../../../examples/specialists/src/skills/datetime.ts";
import {
  addMonths,
  dayNumber,
  daysInMonth,
  findDates,
  fromDayNumber,
  isLeapYear,
  isoDate,
  longDate,
  weekday,
} from "../../../examples/specialists/src/skills/datetime-calendar.ts";
import { clock12, resolveZone, zonedTime } from "../../../examples/specialists/src/skills/datetime-zones.ts";

const now = new Date("2026-03-01T12:00:00Z"); // a Sunday
const today = { year: 2026, month: 3, day: 1 };
const ask = (q: string, timeZone?: string) => answerDate(q, { now, ...(timeZone === undefined ? {} : { timeZone }) });

describe("calendar", () => {
  it("counts days from the epoch both ways", () => {
    expect(dayNumber({ year: 1970, month: 1, day: 1 })).toBe(0);
    expect(dayNumber({ year: 2000, month: 3, day: 1 })).toBe(11017);
    expect(dayNumber({ year: 1, month: 1, day: 1 })).toBe(-719162);
    expect(fromDayNumber(-719162)).toEqual({ year: 1, month: 1, day: 1 });
    expect(fromDayNumber(dayNumber({ year: 9999, month: 12, day: 31 }))).toEqual({ year: 9999, month: 12, day: 31 });
  });

  it("knows leap years and month lengths", () => {
    expect([1900, 2000, 2023, 2024].map(isLeapYear)).toEqual([false, true, false, true]);
    expect(daysInMonth(2024, 2)).toBe(29);
    expect(daysInMonth(2023, 2)).toBe(28);
    expect(daysInMonth(2024, 4)).toBe(30);
    expect(daysInMonth(2024, 12)).toBe(31);
  });

  it.each([
    [{ year: 1776, month: 7, day: 4 }, "Thursday"],
    [{ year: 1970, month: 1, day: 1 }, "Thursday"],
    [{ year: 2000, month: 1, day: 1 }, "Saturday"],
    [{ year: 2026, month: 3, day: 1 }, "Sunday"],
    [{ year: 1, month: 1, day: 1 }, "Monday"],
  ])("weekday of %j is %s", (d, name) => {
    expect(weekday(d)).toBe(name);
  });

  it("adds months clamping to the end of the month, across years", () => {
    expect(addMonths({ year: 2024, month: 1, day: 31 }, 1)).toEqual({ year: 2024, month: 2, day: 29 });
    expect(addMonths({ year: 2023, month: 1, day: 31 }, 1)).toEqual({ year: 2023, month: 2, day: 28 });
    expect(addMonths({ year: 2024, month: 11, day: 15 }, 3)).toEqual({ year: 2025, month: 2, day: 15 });
    expect(addMonths({ year: 2024, month: 1, day: 15 }, -2)).toEqual({ year: 2023, month: 11, day: 15 });
  });

  it("formats dates", () => {
    expect(isoDate({ year: 33, month: 4, day: 3 })).toBe("0033-04-03");
    expect(longDate({ year: 2024, month: 2, day: 9 })).toBe("Friday, February 9, 2024");
  });

  it("finds dates in many spellings, in order", () => {
    const found = (text: string) => findDates(text, today).map((f) => isoDate(f.date));
    expect(found("from 2024-01-01 to March 3")).toEqual(["2024-01-01", "2026-03-03"]);
    expect(found("July 4, 1776 and 4th of July 2024")).toEqual(["1776-07-04", "2024-07-04"]);
    expect(found("12 May 1990")).toEqual(["1990-05-12"]);
    expect(found("9/11/2001 or 31.12.1999 or 2024/02/29")).toEqual(["2001-09-11", "1999-12-31", "2024-02-29"]);
    expect(found("yesterday, today, tomorrow")).toEqual(["2026-02-28", "2026-03-01", "2026-03-02"]);
    expect(found("the day after tomorrow")).toEqual(["2026-03-03"]);
    expect(found("next friday, last sunday, this sunday")).toEqual(["2026-03-06", "2026-02-22", "2026-03-01"]);
    expect(found("christmas, christmas 2027, new year's day, halloween")).toEqual(["2026-12-25", "2027-12-25", "2027-01-01", "2026-10-31"]);
    expect(found("no dates here, just 2 days and a decade")).toEqual([]);
  });

  it("rejects impossible dates", () => {
    expect(() => findDates("2023-02-29", today)).toThrow("'2023-02-29' is not a valid date");
    expect(() => findDates("April 31, 2024", today)).toThrow("'April 31, 2024' is not a valid date");
  });
});

describe("time zones", () => {
  it.each([
    ["Tokyo", "Asia/Tokyo", "Tokyo"],
    ["new york", "America/New_York", "New York"],
    ["NYC", "America/New_York", "NYC"],
    ["india", "Asia/Kolkata", "India"],
    ["america/new_york", "America/New_York", "New York"],
    ["Europe/Berlin", "Europe/Berlin", "Berlin"],
    ["utc", "UTC", "UTC"],
  ])("%s → %s", (text, zone, place) => {
    expect(resolveZone(text)).toEqual({ zone, place });
  });

  it("rejects unknown places", () => {
    expect(resolveZone("Atlantis")).toBeUndefined();
    expect(resolveZone("Mars/Olympus_Mons")).toBeUndefined();
  });

  it("renders wall-clock time with the offset, including DST", () => {
    expect(zonedTime(now, "Asia/Tokyo").iso).toBe("2026-03-01T21:00:00+09:00");
    expect(zonedTime(now, "UTC").iso).toBe("2026-03-01T12:00:00+00:00");
    expect(zonedTime(new Date("2026-07-01T12:00:00Z"), "America/New_York").iso).toBe("2026-07-01T08:00:00-04:00");
    expect(zonedTime(now, "Asia/Kolkata").offset).toBe("+05:30");
    expect(clock12(0, 5)).toBe("12:05 AM");
    expect(clock12(12, 0)).toBe("12:00 PM");
    expect(clock12(21, 30)).toBe("9:30 PM");
  });
});

describe("answerDate", () => {
  it("answers weekday questions with the right tense", () => {
    expect(ask("what day of the week was July 4, 1776?")).toEqual({
      ok: true,
      operation: "weekday",
      text: "July 4, 1776 was a Thursday.",
      date: "1776-07-04",
      weekday: "Thursday",
    });
    expect(ask("what day is 2031-10-31")).toMatchObject({ text: "October 31, 2031 will be a Friday.", weekday: "Friday" });
    expect(ask("what day is it today")).toMatchObject({ text: "Today is Sunday, March 1, 2026.", date: "2026-03-01" });
    expect(ask("what's today's date")).toMatchObject({ date: "2026-03-01" });
  });

  it("uses context time zone for today", () => {
    const late = { now: new Date("2026-03-01T23:30:00Z") };
    expect(answerDate("what day is it today", late)).toMatchObject({ date: "2026-03-01" });
    expect(answerDate("what day is it today", { ...late, timeZone: "Asia/Tokyo" })).toMatchObject({ date: "2026-03-02", weekday: "Monday" });
  });

  it("counts days between two dates", () => {
    expect(ask("days between 2024-01-01 and 2024-12-25")).toEqual({
      ok: true,
      operation: "diff",
      text: "There are 359 days (51 weeks and 2 days) between Monday, January 1, 2024 and Wednesday, December 25, 2024.",
      from: "2024-01-01",
      to: "2024-12-25",
      days: 359,
      weeks: 51.29,
    });
    expect(ask("days between 2024-12-25 and 2024-01-01")).toMatchObject({ days: -359 });
    expect(ask("count the days from 1 April 2025 to 30 June 2025")).toMatchObject({ operation: "diff", days: 90 });
    expect(ask("how many days from March 1 to March 15")).toMatchObject({ days: 14, weeks: 2 });
    expect(ask("days between 2024-03-01 and 2024-03-02")).toMatchObject({ text: expect.stringContaining("There is 1 day between"), days: 1 });
  });

  it("counts days until and since a date relative to now", () => {
    expect(ask("how many days until christmas")).toMatchObject({
      text: "Friday, December 25, 2026 is 299 days (42 weeks and 5 days) from Sunday, March 1, 2026 (today).",
      from: "2026-03-01",
      to: "2026-12-25",
      days: 299,
    });
    expect(ask("how many days until 2025-12-25")).toMatchObject({ days: -66, text: expect.stringContaining("was 66 days") });
    expect(ask("days since 2000-01-01")).toMatchObject({ days: 9556, text: "9556 days (1365 weeks and 1 day) have passed since Saturday, January 1, 2000." });
    expect(ask("how long ago was July 20, 1969")).toMatchObject({ days: 20678 });
  });

  it("adds and subtracts days, weeks, months and years", () => {
    expect(ask("add 1 month to 2024-01-31")).toEqual({
      ok: true,
      operation: "add",
      text: "1 month after Wednesday, January 31, 2024 was Thursday, February 29, 2024.",
      base: "2024-01-31",
      amounts: [{ value: 1, unit: "month" }],
      date: "2024-02-29",
      weekday: "Thursday",
    });
    expect(ask("add 3 weeks to 2024-02-10")).toMatchObject({ date: "2024-03-02" });
    expect(ask("subtract 10 days from 2024-03-01")).toMatchObject({ date: "2024-02-20" });
    expect(ask("2024-03-01 - 10 days")).toMatchObject({ date: "2024-02-20" });
    expect(ask("10 days ago")).toMatchObject({ base: "2026-03-01", date: "2026-02-19" });
    expect(ask("what is the date 90 days from today")).toMatchObject({ date: "2026-05-30", weekday: "Saturday" });
    expect(ask("in 2 weeks")).toMatchObject({ date: "2026-03-15" });
    expect(ask("a fortnight after 15 June 2026")).toMatchObject({ amounts: [{ value: 2, unit: "week" }], date: "2026-06-29" });
    expect(ask("1 year after 2024-02-29")).toMatchObject({ date: "2025-02-28" });
    expect(ask("2 years and 3 months before 2026-05-31")).toMatchObject({ date: "2024-02-29" });
    expect(ask("what date is one year from today")).toMatchObject({ date: "2027-03-01" });
  });

  it("tells the time in a city or IANA zone", () => {
    expect(ask("time in Tokyo")).toEqual({
      ok: true,
      operation: "timezone",
      text: "It is 9:00 PM on Sunday, March 1, 2026 in Tokyo (Asia/Tokyo, UTC+09:00).",
      timezone: "Asia/Tokyo",
      place: "Tokyo",
      local: "2026-03-01T21:00:00+09:00",
      date: "2026-03-01",
      time: "21:00",
      weekday: "Sunday",
      offset: "+09:00",
      now: "2026-03-01T12:00:00.000Z",
    });
    expect(ask("what time is it in New York right now?")).toMatchObject({ time: "07:00", offset: "-05:00" });
    expect(ask("current time in Europe/Berlin")).toMatchObject({ timezone: "Europe/Berlin", time: "13:00" });
    expect(ask("what time is it at the moment in london")).toMatchObject({ timezone: "Europe/London" });
    expect(ask("tokyo time")).toMatchObject({ timezone: "Asia/Tokyo" });
    expect(ask("what's the date in Auckland right now")).toMatchObject({ date: "2026-03-02", weekday: "Monday" });
    expect(ask("time in UTC")).toMatchObject({ text: "It is 12:00 PM on Sunday, March 1, 2026 in UTC (UTC+00:00)." });
  });

  it.each([
    ["what time is it in atlantis", "Unknown time zone or place (use a major city or an IANA name such as Europe/Paris)"],
    ["what day is 2024-02-30", "'2024-02-30' is not a valid date"],
    ["what day is 2/29/2023", "'2/29/2023' is not a valid date"],
    ["add 5000 years to 6000-01-01", "The resulting date is outside the supported range (years 1 to 9999)"],
    [
      "hello",
      'No date question recognised (try "what day of the week is 2024-07-04", "days between 2024-01-01 and 2024-12-25", "add 3 weeks to 2024-02-10" or "time in Tokyo")',
    ],
  ])("%j is refused", (input, reason) => {
    expect(ask(input)).toEqual({ ok: false, reason });
  });
});
