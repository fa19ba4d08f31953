/**
 * The unit table of the `units` skill: every unit belongs to one category and
 * converts linearly to the category's base unit (`base = value * factor + offset`;
 * only temperatures have an offset). US customary volumes; a year is 365.25 days.
 */

export type Category = "length" | "mass" | "temperature" | "time" | "data" | "volume" | "speed" | "area";

export interface Unit {
  /** Short symbol shown in structured output, e.g. `km`. */
  symbol: string;
  name: string;
  plural: string;
  category: Category;
  factor: number;
  offset: number;
}

/** Base unit of each category (the one with factor 1, offset 0). */
export const BASE_UNITS: Readonly<Record<Category, string>> = {
  length: "m",
  mass: "kg",
  temperature: "K",
  time: "s",
  data: "B",
  volume: "L",
  speed: "m/s",
  area: "m²",
};

// [symbol, name, plural, factor, aliases, exact-case aliases]. Every name also
// matches case-insensitively; on a clash the row listed first wins ("mb" is a megabyte).
type Row = [string, string, string, number, string[], string[]?];

const ROWS: Record<Exclude<Category, "temperature">, Row[]> = {
  length: [
    ["µm", "micrometer", "micrometers", 1e-6, ["um", "micron", "microns", "micrometre", "micrometres"]],
    ["mm", "millimeter", "millimeters", 1e-3, ["millimetre", "millimetres"]],
    ["cm", "centimeter", "centimeters", 1e-2, ["centimetre", "centimetres"]],
    ["m", "meter", "meters", 1, ["metre", "metres"]],
    ["km", "kilometer", "kilometers", 1e3, ["kilometre", "kilometres", "kms", "klick", "klicks"]],
    ["in", "inch", "inches", 0.0254, ['"', "ins"]],
    ["ft", "foot", "feet", 0.3048, ["'", "foots"]],
    ["yd", "yard", "yards", 0.9144, ["yds"]],
    ["mi", "mile", "miles", 1609.344, ["mis"]],
    ["nmi", "nautical mile", "nautical miles", 1852, ["nm"]],
  ],
  mass: [
    ["mg", "milligram", "milligrams", 1e-6, ["milligramme", "milligrammes"]],
    ["g", "gram", "grams", 1e-3, ["gramme", "grammes", "gm", "gms"]],
    ["kg", "kilogram", "kilograms", 1, ["kilogramme", "kilogrammes", "kilo", "kilos", "kgs"]],
    ["t", "tonne", "tonnes", 1000, ["metric ton", "metric tons"]],
    ["ton", "short ton", "short tons", 907.18474, ["tons", "us ton", "us tons"]],
    ["oz", "ounce", "ounces", 0.028349523125, ["ozs"]],
    ["lb", "pound", "pounds", 0.45359237, ["lbs"]],
    ["st", "stone", "stone", 6.35029318, ["stones"]],
  ],
  time: [
    ["ms", "millisecond", "milliseconds", 1e-3, ["msec", "msecs"]],
    ["s", "second", "seconds", 1, ["sec", "secs"]],
    ["min", "minute", "minutes", 60, ["mins"]],
    ["h", "hour", "hours", 3600, ["hr", "hrs"]],
    ["d", "day", "days", 86400, []],
    ["wk", "week", "weeks", 604800, ["wks"]],
    ["mo", "month", "months", 2629800, ["mos"]],
    ["yr", "year", "years", 31557600, ["yrs"]],
    ["decade", "decade", "decades", 315576000, []],
    ["century", "century", "centuries", 3155760000, []],
  ],
  data: [
    ["bit", "bit", "bits", 0.125, []],
    ["B", "byte", "bytes", 1, [], ["B"]],
    ["kB", "kilobyte", "kilobytes", 1e3, ["kb", "kbyte"], ["KB", "kB"]],
    ["MB", "megabyte", "megabytes", 1e6, ["mb", "mbyte"], ["MB"]],
    ["GB", "gigabyte", "gigabytes", 1e9, ["gb", "gbyte", "gig", "gigs"], ["GB"]],
    ["TB", "terabyte", "terabytes", 1e12, ["tb"], ["TB"]],
    ["PB", "petabyte", "petabytes", 1e15, ["pb"], ["PB"]],
    ["KiB", "kibibyte", "kibibytes", 1024, ["kib"]],
    ["MiB", "mebibyte", "mebibytes", 1024 ** 2, ["mib"]],
    ["GiB", "gibibyte", "gibibytes", 1024 ** 3, ["gib"]],
    ["TiB", "tebibyte", "tebibytes", 1024 ** 4, ["tib"]],
    ["kbit", "kilobit", "kilobits", 125, [], ["Kb", "kbit"]],
    ["Mbit", "megabit", "megabits", 125e3, [], ["Mb", "Mbit"]],
    ["Gbit", "gigabit", "gigabits", 125e6, [], ["Gb", "Gbit"]],
    ["Tbit", "terabit", "terabits", 125e9, [], ["Tb", "Tbit"]],
  ],
  volume: [
    ["mL", "milliliter", "milliliters", 1e-3, ["ml", "millilitre", "millilitres", "cc", "cm3", "cm³", "cubic centimeter", "cubic centimeters"]],
    ["cL", "centiliter", "centiliters", 1e-2, ["cl", "centilitre", "centilitres"]],
    ["L", "liter", "liters", 1, ["l", "litre", "litres", "ltr", "ltrs"]],
    ["m³", "cubic meter", "cubic meters", 1000, ["m3", "cubic metre", "cubic metres"]],
    ["tsp", "teaspoon", "teaspoons", 0.00492892159375, ["tsps"]],
    ["tbsp", "tablespoon", "tablespoons", 0.01478676478125, ["tbsps", "tbs"]],
    ["fl oz", "fluid ounce", "fluid ounces", 0.0295735295625, ["floz", "fl. oz", "fl. oz."]],
    ["cup", "cup", "cups", 0.2365882365, []],
    ["pt", "pint", "pints", 0.473176473, ["pts"]],
    ["qt", "quart", "quarts", 0.946352946, ["qts"]],
    ["gal", "gallon", "gallons", 3.785411784, ["gals", "us gallon", "us gallons"]],
    ["imp gal", "imperial gallon", "imperial gallons", 4.54609, ["uk gallon", "uk gallons"]],
  ],
  speed: [
    ["m/s", "meter per second", "meters per second", 1, ["mps", "metre per second", "metres per second"]],
    ["km/h", "kilometer per hour", "kilometers per hour", 1 / 3.6, ["kph", "kmh", "kmph", "kilometre per hour", "kilometres per hour"]],
    ["mph", "mile per hour", "miles per hour", 0.44704, ["mi/h"]],
    ["kn", "knot", "knots", 1852 / 3600, ["kt", "kts"]],
    ["ft/s", "foot per second", "feet per second", 0.3048, ["fps"]],
  ],
  area: [
    ["cm²", "square centimeter", "square centimeters", 1e-4, ["cm2", "sq cm"]],
    ["m²", "square meter", "square meters", 1, ["m2", "sq m", "square metre", "square metres"]],
    ["km²", "square kilometer", "square kilometers", 1e6, ["km2", "sq km", "square kilometre", "square kilometres"]],
    ["in²", "square inch", "square inches", 0.00064516, ["in2", "sq in"]],
    ["ft²", "square foot", "square feet", 0.09290304, ["ft2", "sq ft", "sqft"]],
    ["yd²", "square yard", "square yards", 0.83612736, ["yd2", "sq yd"]],
    ["mi²", "square mile", "square miles", 2589988.110336, ["mi2", "sq mi"]],
    ["ha", "hectare", "hectares", 1e4, []],
    ["ac", "acre", "acres", 4046.8564224, []],
  ],
};

const TEMPERATURES: Array<[Unit, string[]]> = [
  [{ symbol: "°C", name: "degree Celsius", plural: "degrees Celsius", category: "temperature", factor: 1, offset: 273.15 }, ["c", "celsius", "centigrade"]],
  [{ symbol: "°F", name: "degree Fahrenheit", plural: "degrees Fahrenheit", category: "temperature", factor: 5 / 9, offset: 273.15 - (32 * 5) / 9 }, ["f", "fahrenheit"]],
  [{ symbol: "K", name: "kelvin", plural: "kelvins", category: "temperature", factor: 1, offset: 0 }, ["k", "kelvin", "kelvins"]],
];

const exact = new Map<string, Unit>();
const loose = new Map<string, Unit>();

for (const [category, rows] of Object.entries(ROWS) as Array<[Category, Row[]]>) {
  for (const [symbol, name, plural, factor, aliases, exactAliases = []] of rows) {
    const unit: Unit = { symbol, name, plural, category, factor, offset: 0 };
    for (const a of exactAliases) exact.set(a, unit);
    for (const a of [symbol, name, plural, ...aliases, ...exactAliases]) if (!loose.has(a.toLowerCase())) loose.set(a.toLowerCase(), unit);
  }
}
for (const [unit, aliases] of TEMPERATURES) for (const a of [unit.symbol, unit.name, unit.plural, ...aliases]) loose.set(a.toLowerCase(), unit);

/** All units, for listing. */
export const UNITS: readonly Unit[] = [...new Set([...loose.values()])];

/**
 * Looks up a unit by symbol, name, plural or alias. Exact-case aliases win
 * (`Mb` is a megabit, `MB` a megabyte); otherwise matching ignores case, a
 * leading "degrees"/"°" and a trailing period.
 *
 * @example
 * findUnit("Miles")?.symbol       // "mi"
 * findUnit("degrees F")?.symbol   // "°F"
 * findUnit("Mb")?.name            // "megabit"
 */
export function findUnit(text: string): Unit | undefined {
  const t = text.trim().replace(/\s+/gu, " ");
  const hit = exact.get(t);
  if (hit !== undefined) return hit;
  const key = t
    .toLowerCase()
    .replace(/^(?:degrees?|deg)\s+|^°\s*/u, "")
    .replace(/(?<=\S)\.$/u, "");
  return loose.get(key) ?? (key.startsWith("cubic ") || key.startsWith("square ") ? undefined : loose.get(key.replace(/ per /gu, "/")));
}
