/**
 * Time zones for the `datetime` skill: city/country/abbreviation aliases,
 * IANA name validation and wall-clock rendering of an instant with `Intl`.
 */
import type { CivilDate } from "./datetime-calendar.ts";

const ALIASES: Record<string, string> = {};
const add = (zone: string, names: string): void => {
  for (const n of names.split(",")) ALIASES[n.trim()] = zone;
};
add("UTC", "utc, gmt, zulu, z, universal time, coordinated universal time");
add("Europe/London", "london, uk, united kingdom, england, britain, great britain, scotland, edinburgh, manchester, bst");
add("Europe/Dublin", "dublin, ireland");
add("Europe/Lisbon", "lisbon, portugal");
add("Europe/Madrid", "madrid, spain, barcelona");
add("Europe/Paris", "paris, france, cet, cest, central european time");
add("Europe/Brussels", "brussels, belgium");
add("Europe/Amsterdam", "amsterdam, netherlands, holland");
add("Europe/Berlin", "berlin, germany, munich, frankfurt, hamburg");
add("Europe/Zurich", "zurich, geneva, switzerland");
add("Europe/Rome", "rome, italy, milan");
add("Europe/Vienna", "vienna, austria");
add("Europe/Prague", "prague, czechia, czech republic");
add("Europe/Warsaw", "warsaw, poland");
add("Europe/Stockholm", "stockholm, sweden");
add("Europe/Oslo", "oslo, norway");
add("Europe/Copenhagen", "copenhagen, denmark");
add("Europe/Helsinki", "helsinki, finland");
add("Europe/Athens", "athens, greece");
add("Europe/Istanbul", "istanbul, turkey, ankara");
add("Europe/Moscow", "moscow, russia, saint petersburg, st petersburg");
add("Atlantic/Reykjavik", "reykjavik, iceland");
add("Africa/Cairo", "cairo, egypt");
add("Africa/Lagos", "lagos, nigeria");
add("Africa/Nairobi", "nairobi, kenya");
add("Africa/Johannesburg", "johannesburg, cape town, south africa");
add("Asia/Dubai", "dubai, abu dhabi, uae, united arab emirates");
add("Asia/Karachi", "karachi, pakistan");
add("Asia/Kolkata", "mumbai, bombay, delhi, new delhi, bangalore, bengaluru, kolkata, chennai, hyderabad, india, ist");
add("Asia/Dhaka", "dhaka, bangladesh");
add("Asia/Bangkok", "bangkok, thailand");
add("Asia/Jakarta", "jakarta, indonesia");
add("Asia/Singapore", "singapore");
add("Asia/Kuala_Lumpur", "kuala lumpur, malaysia");
add("Asia/Manila", "manila, philippines");
add("Asia/Hong_Kong", "hong kong");
add("Asia/Shanghai", "shanghai, beijing, china, shenzhen");
add("Asia/Taipei", "taipei, taiwan");
add("Asia/Seoul", "seoul, south korea, korea, kst");
add("Asia/Tokyo", "tokyo, osaka, kyoto, japan, jst");
add("Australia/Perth", "perth");
add("Australia/Brisbane", "brisbane");
add("Australia/Sydney", "sydney, canberra, australia, aest, aedt");
add("Australia/Melbourne", "melbourne");
add("Pacific/Auckland", "auckland, wellington, new zealand, nz");
add("Pacific/Honolulu", "honolulu, hawaii");
add("America/Anchorage", "anchorage, alaska");
add("America/Los_Angeles", "los angeles, la, san francisco, sf, seattle, portland, san diego, las vegas, california, pacific, pacific time, pt, pst, pdt");
add("America/Vancouver", "vancouver");
add("America/Denver", "denver, mountain, mountain time, mt, mst, mdt");
add("America/Phoenix", "phoenix, arizona");
add("America/Chicago", "chicago, dallas, houston, austin, texas, central, central time, ct, cst, cdt");
add("America/New_York", "new york, new york city, nyc, ny, boston, washington, washington dc, dc, miami, atlanta, philadelphia, eastern, eastern time, et, est, edt");
add("America/Toronto", "toronto, ottawa, montreal");
add("America/Mexico_City", "mexico city, mexico");
add("America/Bogota", "bogota, colombia");
add("America/Lima", "lima, peru");
add("America/Santiago", "santiago, chile");
add("America/Argentina/Buenos_Aires", "buenos aires, argentina");
add("America/Sao_Paulo", "sao paulo, são paulo, rio de janeiro, brazil");

export interface ZoneMatch {
  /** IANA name, e.g. `Asia/Tokyo`. */
  zone: string;
  /** How to call the place in a sentence, e.g. `Tokyo`. */
  place: string;
}

const titleCase = (s: string): string => s.replace(/(^|[\s/_-])(\p{L})/gu, (_, sep: string, c: string) => sep + c.toUpperCase());

/**
 * Whether `Intl` knows the time zone `zone`.
 *
 * @example
 * isTimeZone("Europe/Paris") // true
 * isTimeZone("Mars/Base")    // false
 */
export function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/**
 * Resolves a city, country, common abbreviation or IANA name to a time zone.
 *
 * @example
 * resolveZone("Tokyo")            // { zone: "Asia/Tokyo", place: "Tokyo" }
 * resolveZone("america/new_york") // { zone: "America/New_York", place: "New York" }
 * resolveZone("Atlantis")         // undefined
 */
export function resolveZone(text: string): ZoneMatch | undefined {
  const key = text.trim().toLowerCase().replace(/^the\s+/u, "").replace(/\s+/gu, " ").replace(/[.,]/gu, "");
  const alias = ALIASES[key];
  if (alias !== undefined) return { zone: alias, place: key.length <= 3 ? key.toUpperCase() : titleCase(key) };
  if (!/^[a-z_]+(?:\/[a-z0-9_+-]+)+$|^(?:utc|gmt|etc\/\S+)$/iu.test(key) || !isTimeZone(key)) return undefined;
  const resolved = new Intl.DateTimeFormat("en-US", { timeZone: key }).resolvedOptions().timeZone;
  const zone = resolved.toLowerCase() === key ? resolved : titleCase(key);
  const city = zone.split("/").pop() ?? zone;
  return { zone, place: city.replace(/_/gu, " ") };
}

export interface ZonedTime {
  date: CivilDate;
  weekday: string;
  hour: number;
  minute: number;
  second: number;
  /** `+09:00` */
  offset: string;
  /** `2026-03-01T21:00:00+09:00` */
  iso: string;
}

/**
 * The wall-clock time of `instant` in `zone`.
 *
 * @example
 * zonedTime(new Date("2026-03-01T12:00:00Z"), "Asia/Tokyo").iso // "2026-03-01T21:00:00+09:00"
 */
export function zonedTime(instant: Date, zone: string): ZonedTime {
  const fmt = new Intl.DateTimeFormat("en-US", {
    timeZone: zone,
    hourCycle: "h23",
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
    second: "2-digit",
    weekday: "long",
    timeZoneName: "longOffset",
  });
  const parts: Record<string, string> = {};
  for (const p of fmt.formatToParts(instant)) parts[p.type] = p.value;
  const num = (k: string): number => Number(parts[k] ?? "0");
  const date = { year: num("year"), month: num("month"), day: num("day") };
  const rawOffset = (parts.timeZoneName ?? "GMT").replace(/^GMT/u, "");
  const offset = rawOffset === "" ? "+00:00" : rawOffset.replace(/−/gu, "-");
  const hour = num("hour") % 24;
  const pad = (n: number): string => String(n).padStart(2, "0");
  const iso = `${String(date.year).padStart(4, "0")}-${pad(date.month)}-${pad(date.day)}T${pad(hour)}:${pad(num("minute"))}:${pad(num("second"))}${offset}`;
  return { date, weekday: parts.weekday ?? "", hour, minute: num("minute"), second: num("second"), offset, iso };
}

/**
 * 12-hour clock time.
 *
 * @example
 * clock12(21, 5) // "9:05 PM"
 */
export function clock12(hour: number, minute: number): string {
  return `${hour % 12 === 0 ? 12 : hour % 12}:${String(minute).padStart(2, "0")} ${hour < 12 ? "AM" : "PM"}`;
}
