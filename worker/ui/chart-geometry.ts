/**
 * The geometry of the dashboard's charts (pure; no Workers imports): linear scales,
 * "nice" axis ticks (1, 2, 2.5 or 5 × 10ⁿ, as in Heckbert's "Nice numbers for graph
 * labels", Graphics Gems, 1990), time ticks, and line segments that break at gaps. The
 * SVG itself is charts.tsx (the dashboard) and scripts/lib/svg-plot.ts (the eval and
 * bench HTML reports), which share the ticks and the palette from here.
 */

/** A linear map from `domain` to `range`; a zero-width domain maps everything to the range's middle. */
export function linear(domain: readonly [number, number], range: readonly [number, number]): (v: number) => number {
  const [d0, d1] = domain;
  const [r0, r1] = range;
  if (d1 === d0) return () => (r0 + r1) / 2;
  return (v) => r0 + ((v - d0) / (d1 - d0)) * (r1 - r0);
}

const STEPS = [1, 2, 2.5, 5, 10];

/**
 * The nice step (1, 2, 2.5 or 5 × 10ⁿ) at or above `range / count`: about `count`
 * intervals over `range`. A range that is not a positive number gives 1.
 *
 * @example
 * niceStep(100) // 20; niceStep(7) // 2; niceStep(0.35) // 0.1
 */
export function niceStep(range: number, count = 5): number {
  if (!(range > 0) || !Number.isFinite(range)) return 1;
  const raw = range / Math.max(1, count);
  const mag = 10 ** Math.floor(Math.log10(raw));
  return STEPS.map((s) => s * mag).find((s) => s >= raw - 1e-12)!; // 10 × mag is always at or above raw
}

/**
 * Ticks from 0 (or `min` when it is negative) up to at least `max`, about `count` of
 * them, at a nice step. `max` ≤ 0 (no data) gives `[0, 1]`.
 *
 * @example
 * niceTicks(0, 87) // [0, 20, 40, 60, 80, 100]
 * niceTicks(0, 0.042, 4) // [0, 0.02, 0.04, 0.06]
 */
export function niceTicks(min: number, max: number, count = 5): number[] {
  const lo = Math.min(0, Number.isFinite(min) ? min : 0);
  const hi = Number.isFinite(max) && max > lo ? max : lo + 1;
  const step = niceStep(hi - lo, count);
  const first = Math.floor(lo / step) * step;
  const out: number[] = [];
  // through the first tick at or above hi (at most 50)
  for (let v = first; v < hi + step - 1e-9 && out.length < 50; v += step) out.push(round(v, step));
  return out;
}

/** `v` without floating-point residue at the decimals `step` has. */
function round(v: number, step: number): number {
  const decimals = Math.max(0, -Math.floor(Math.log10(step)) + 2);
  return Number(v.toFixed(Math.min(decimals, 12)));
}

/** Time tick steps, ms: minutes to days. */
const TIME_STEPS = [60_000, 5 * 60_000, 15 * 60_000, 30 * 60_000, 3_600_000, 2 * 3_600_000, 3 * 3_600_000, 6 * 3_600_000, 12 * 3_600_000, 86_400_000, 2 * 86_400_000, 7 * 86_400_000];

/**
 * About `count` ticks (epoch ms) within [from, to], at a round step (a minute to a
 * week), aligned to that step in UTC.
 *
 * @example
 * timeTicks(Date.UTC(2026, 0, 1, 10, 7), Date.UTC(2026, 0, 1, 12, 0), 4) // 10:30, 11:00, 11:30, 12:00
 */
export function timeTicks(from: number, to: number, count = 6): number[] {
  if (!(to > from)) return [from];
  // the finest round step that gives at most half as many ticks again as asked (6 h and 5 min: hourly, 7 ticks; not 3-hourly, 2)
  const raw = (to - from) / (Math.max(1, count) * 1.5);
  const step = TIME_STEPS.find((s) => s >= raw) ?? TIME_STEPS[TIME_STEPS.length - 1]!;
  const out: number[] = [];
  for (let t = Math.ceil(from / step) * step; t <= to && out.length < 50; t += step) out.push(t);
  return out;
}

/** A tick's label: HH:MM (UTC) within a day, else MM-DD. */
export function timeLabel(t: number, spanMs: number): string {
  const iso = new Date(t).toISOString();
  return spanMs <= 2 * 86_400_000 ? iso.slice(11, 16) : iso.slice(5, 10);
}

/** A point of a series: a time (epoch ms) and a value, `null` where there is no value (a gap). */
export interface SeriesPoint {
  t: number;
  v: number | null;
}

/**
 * The polyline point lists of a series, broken at gaps (a `null` value or a non-finite
 * one), in SVG coordinates through `x` and `y`. A lone point is a segment of one.
 *
 * @example
 * segments([{ t: 0, v: 1 }, { t: 1, v: null }, { t: 2, v: 3 }], (t) => t, (v) => v) // ["0,1", "2,3"]
 */
export function segments(points: readonly SeriesPoint[], x: (t: number) => number, y: (v: number) => number): string[] {
  const out: string[] = [];
  let run: string[] = [];
  for (const p of points) {
    if (p.v === null || !Number.isFinite(p.v)) {
      if (run.length) out.push(run.join(" "));
      run = [];
      continue;
    }
    run.push(`${fmt(x(p.t))},${fmt(y(p.v))}`);
  }
  if (run.length) out.push(run.join(" "));
  return out;
}

/** A coordinate with at most two decimals. */
export const fmt = (n: number): string => String(Math.round(n * 100) / 100);

/**
 * A value as a chart labels it: three significant digits, thousands as `k`, millions
 * as `M` (small values keep their digits: a tick of 0.0002 USD is not "0").
 *
 * @example
 * valueLabel(0.000213) // "0.000213"; valueLabel(1540) // "1.54k"; valueLabel(2) // "2"
 */
export function valueLabel(n: number): string {
  const a = Math.abs(n);
  if (a >= 1e6) return `${Number((n / 1e6).toPrecision(3))}M`;
  if (a >= 1e3) return `${Number((n / 1e3).toPrecision(3))}k`;
  return String(Number(n.toPrecision(3)));
}

/**
 * Series colours: the Okabe–Ito palette (Okabe & Ito, "Color Universal Design", 2008),
 * distinguishable with the common colour-vision deficiencies, without its yellow (too
 * light on white). Series beyond seven reuse them, with a dash pattern to tell apart.
 */
export const PALETTE: readonly string[] = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000"];

/** The colour and dash of the i-th series. */
export function seriesStyle(i: number): { color: string; dash?: string } {
  const color = PALETTE[i % PALETTE.length]!;
  return i < PALETTE.length ? { color } : { color, dash: "5 3" };
}
