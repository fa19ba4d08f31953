import { describe, expect, it } from "vitest";
import { convert, convertUnits } from "../../../examples/specialists/src/skills/units.ts";
import { findUnit, UNITS, type Unit } from "../../../examples/specialists/src/skills/units-table.ts";

const unit = (s: string): Unit => {
  const u = findUnit(s);
  if (u === undefined) throw new Error(`no unit ${s}`);
  return u;
};

describe("findUnit", () => {
  it.each([
    ["km", "km"],
    ["Kilometres", "km"],
    ["miles", "mi"],
    ["feet", "ft"],
    ["in", "in"],
    ["degrees F", "°F"],
    ["°C", "°C"],
    ["celsius", "°C"],
    ["K", "K"],
    ["MB", "MB"],
    ["mb", "MB"],
    ["Mb", "Mbit"],
    ["Gb", "Gbit"],
    ["GiB", "GiB"],
    ["fl oz", "fl oz"],
    ["fluid ounces", "fl oz"],
    ["miles per hour", "mph"],
    ["km per h", "km/h"],
    ["square feet", "ft²"],
    ["hrs", "h"],
    ["lbs.", "lb"],
  ])("%s → %s", (text, symbol) => {
    expect(findUnit(text)?.symbol).toBe(symbol);
  });

  it("returns undefined for unknown units", () => {
    expect(findUnit("furlongs")).toBeUndefined();
    expect(findUnit("")).toBeUndefined();
  });

  it("has one base unit (factor 1, no offset) per non-temperature category", () => {
    const bases = UNITS.filter((u) => u.factor === 1 && u.offset === 0 && u.category !== "temperature").map((u) => u.symbol);
    expect(bases.sort()).toEqual(["B", "L", "kg", "m", "m/s", "m²", "s"].sort());
  });
});

describe("convert", () => {
  it.each([
    [5, "km", "mi", 3.10685596119],
    [1, "mi", "ft", 5280],
    [12, "in", "cm", 30.48],
    [1, "lb", "oz", 16],
    [3.5, "kg", "lb", 7.71617917647],
    [100, "°F", "°C", 37.7777777778],
    [-40, "°C", "°F", -40],
    [0, "K", "°C", -273.15],
    [20, "°C", "K", 293.15],
    [2, "h", "min", 120],
    [1, "wk", "s", 604800],
    [1, "yr", "d", 365.25],
    [1.5, "GB", "MB", 1500],
    [100, "Mbit", "MB", 12.5],
    [1, "GiB", "MB", 1073.741824],
    [8, "bit", "B", 1],
    [2, "gal", "L", 7.570823568],
    [1, "gal", "cup", 16],
    [60, "mph", "km/h", 96.56064],
    [1, "kn", "km/h", 1.852],
    [1, "ac", "ft²", 43560],
    [1, "ha", "m²", 10000],
  ])("%s %s = %s %s", (value, from, to, expected) => {
    expect(convert(value, unit(from), unit(to))).toEqual({ ok: true, value: expected });
  });

  it("refuses conversions across categories", () => {
    expect(convert(3, unit("kg"), unit("m"))).toEqual({
      ok: false,
      reason: "Cannot convert kilograms (mass) to meters (length): both units must measure the same kind of quantity",
    });
  });

  it("refuses temperatures below absolute zero", () => {
    expect(convert(-500, unit("c"), unit("f"))).toEqual({ ok: false, reason: "-500 °C is below absolute zero" });
    expect(convert(-1, unit("k"), unit("c"))).toEqual({ ok: false, reason: "-1 K is below absolute zero" });
  });
});

describe("convertUnits", () => {
  it.each([
    ["convert 5 km to miles", "5 kilometers = 3.10686 miles", 3.10685596119],
    ["100 f in c", "100 °F = 37.7778 °C", 37.7777777778],
    ["3.5 kg to lb", "3.5 kilograms = 7.71618 pounds", 7.71617917647],
    ["2 hours in minutes", "2 hours = 120 minutes", 120],
    ["how many minutes in 2 hours", "2 hours = 120 minutes", 120],
    ["how many ounces in a pound", "1 pound = 16 ounces", 16],
    ["how many feet in a mile?", "1 mile = 5280 feet", 5280],
    ["how many meters is 10 feet", "10 feet = 3.048 meters", 3.048],
    ["1.5 GB in MB", "1.5 gigabytes = 1500 megabytes", 1500],
    ["100 Mb to MB", "100 megabits = 12.5 megabytes", 12.5],
    ["2 gallons to liters", "2 gallons = 7.57082 liters", 7.570823568],
    ["60 mph to km/h", "60 miles per hour = 96.5606 kilometers per hour", 96.56064],
    ["-40 c to f", "-40 °C = -40 °F", -40],
    ["convert minus 10 celsius to fahrenheit", "-10 °C = 14 °F", 14],
    ["20°C in F", "20 °C = 68 °F", 68],
    ["what is 98.6 degrees fahrenheit in celsius?", "98.6 °F = 37 °C", 37],
    ["12 in to cm", "12 inches = 30.48 centimeters", 30.48],
    ["12 in in cm", "12 inches = 30.48 centimeters", 30.48],
    ["5km to mi", "5 kilometers = 3.10686 miles", 3.10685596119],
    ["1,000 meters to km", "1000 meters = 1 kilometer", 1],
    ["convert a mile to feet", "1 mile = 5280 feet", 5280],
    ["10 square feet to square meters", "10 square feet = 0.92903 square meters", 0.9290304],
    ["1 mi -> km", "1 mile = 1.60934 kilometers", 1.609344],
    ["1e3 m to km", "1000 meters = 1 kilometer", 1],
    ["is 5 c cold? convert 5 celsius to fahrenheit", "5 °C = 41 °F", 41],
    ["8 bits to bytes", "8 bits = 1 byte", 1],
  ])("%s", (input, text, value) => {
    expect(convertUnits(input)).toMatchObject({ ok: true, text, value });
  });

  it("returns structured quantities", () => {
    expect(convertUnits("convert 5 km to miles")).toEqual({
      ok: true,
      text: "5 kilometers = 3.10686 miles",
      value: 3.10685596119,
      category: "length",
      from: { value: 5, unit: "km", name: "kilometer" },
      to: { value: 3.10685596119, unit: "mi", name: "mile" },
    });
  });

  const hint = '(try something like "convert 5 km to miles")';
  it.each([
    ["3 kg to meters", "Cannot convert kilograms (mass) to meters (length): both units must measure the same kind of quantity"],
    ["2 hours to liters", "Cannot convert hours (time) to liters (volume): both units must measure the same kind of quantity"],
    ["-500 c to f", "-500 °C is below absolute zero"],
    ["5 furlongs to miles", `Unknown unit 'furlongs' ${hint}`],
    ["convert 5 km", `Which unit should 5 kilometers be converted to? ${hint}`],
    ["convert 5 to miles", `No unit found after 5 ${hint}`],
    ["5 km to 3 m", `Unknown unit '3 m' ${hint}`],
    ["hello", `No quantity to convert found ${hint}`],
    ["how many miles", `No quantity to convert found ${hint}`],
  ])("%j is refused", (input, reason) => {
    expect(convertUnits(input)).toEqual({ ok: false, reason });
  });
});

describe("compound quantities", () => {
  it("adds the parts and converts the whole", () => {
    const tall = convertUnits("convert 5 feet 11 inches to cm");
    expect(tall).toMatchObject({ ok: true, value: 180.34 });
    expect(convertUnits("5 ft 11 in to cm")).toMatchObject({ ok: true, value: 180.34 });
    expect(convertUnits("1 hour 30 minutes in minutes")).toMatchObject({ ok: true, value: 90 });
    expect(convertUnits("2 lb 8 oz to kg")).toMatchObject({ ok: true, value: expect.closeTo(1.13398, 4) });
  });

  it("refuses parts of different kinds, and temperatures", () => {
    expect(convertUnits("5 feet 3 kg to cm")).toMatchObject({ ok: false, reason: expect.stringMatching(/same kind/) });
    expect(convertUnits("20 c 5 f to k")).toMatchObject({ ok: false, reason: expect.stringMatching(/Temperatures do not add up/) });
  });

  it("leaves single quantities as they were", () => {
    expect(convertUnits("convert 5 km to miles")).toMatchObject({ ok: true, value: expect.closeTo(3.10686, 4) });
    expect(convertUnits("100 f in c")).toMatchObject({ ok: true });
  });
});
