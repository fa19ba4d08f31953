/**
 * Pure SVG builders for the HTML reports (`--html FILE` of `npm run eval` and `npm run bench`):
 * horizontal bar charts (one or more series, an optional reference line such as a target) and
 * line charts (points with an optional min–max range). Static markup, no script: each chart has
 * a <title>, each mark a <title> tooltip and `data-series`/`data-label`/`data-value` attributes;
 * colours from the Okabe–Ito palette (distinct under colour blindness), lines also dashed apart.
 */

import { niceStep, PALETTE } from "../../worker/ui/chart-geometry.ts";

/** Okabe–Ito colours and nice tick steps: the dashboard's (worker/ui/chart-geometry.ts). */
export { niceStep, PALETTE };
const DASHES = ["", "6 3", "2 3", "8 3 2 3"];

/** Escapes text for SVG/HTML content and attributes. */
export function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);
}

/** A number rounded for coordinates (2 decimals). */
const r2 = (x: number) => Math.round(x * 100) / 100;

function ticks(max: number): number[] {
  const step = niceStep(max);
  const out: number[] = [];
  for (let v = 0; v <= max + step * 1e-9; v += step) out.push(Math.round(v / step) * step);
  return out;
}

export interface BarChart {
  title: string;
  /** The value axis' caption (with its unit). */
  axis: string;
  series: string[];
  /** One group per label; `values[i]` is series i's (undefined: not measured). */
  rows: { label: string; values: (number | undefined)[] }[];
  /** A vertical line at `value` (a target, a reference), labelled. */
  reference?: { value: number; label: string };
  /** Value text beside each bar (default: 3 significant digits). */
  format?: (v: number) => string;
  /** Axis maximum (default: the largest value or reference, × 1.1). */
  max?: number;
  width?: number;
  /** Room for the labels, px (default 200). */
  left?: number;
}

const fmt3 = (v: number) => (Math.abs(v) >= 100 ? Math.round(v).toLocaleString("en-US") : Number(v.toPrecision(3)).toString());

function legend(series: string[], x: number, y: number, line: boolean): string {
  return series
    .map((s, i) => {
      const mark = line
        ? `<line x1="${x}" y1="${y + 16 * i}" x2="${x + 18}" y2="${y + 16 * i}" stroke="${PALETTE[i % PALETTE.length]}" stroke-width="2.5" stroke-dasharray="${DASHES[i % DASHES.length]}"/>`
        : `<rect x="${x}" y="${y + 16 * i - 5}" width="12" height="10" fill="${PALETTE[i % PALETTE.length]}"/>`;
      return `${mark}<text x="${x + 24}" y="${y + 16 * i + 4}">${esc(s)}</text>`;
    })
    .join("");
}

/** Horizontal bars, grouped by label, one colour per series. */
export function barChart(c: BarChart): string {
  const width = c.width ?? 760;
  const left = c.left ?? 200;
  const right = 70;
  const barH = 14;
  const groupH = c.series.length * barH + 10;
  const top = 46 + (c.series.length > 1 ? 16 * c.series.length : 0);
  const plotW = width - left - right;
  const all = c.rows.flatMap((r) => r.values.filter((v): v is number => v !== undefined && Number.isFinite(v)));
  const max = c.max ?? Math.max(1e-9, ...all.map(Math.abs), c.reference?.value ?? 0) * 1.1;
  const height = top + c.rows.length * groupH + 44;
  const x = (v: number) => r2(left + (Math.max(0, Math.min(v, max)) / max) * plotW);
  const format = c.format ?? fmt3;
  const out: string[] = [];
  for (const t of ticks(max)) out.push(`<line x1="${x(t)}" y1="${top - 4}" x2="${x(t)}" y2="${top + c.rows.length * groupH}" stroke="#ddd"/><text x="${x(t)}" y="${top + c.rows.length * groupH + 14}" text-anchor="middle" class="tick">${esc(fmt3(t))}</text>`);
  c.rows.forEach((row, g) => {
    const y0 = top + g * groupH;
    // a label too long for its room is cut, whole in its tooltip (about 6.5 px a character at 12 px)
    const room = Math.floor((left - 10) / 6.5);
    const label = row.label.length > room ? `${esc(row.label.slice(0, room - 1))}…<title>${esc(row.label)}</title>` : esc(row.label);
    out.push(`<text x="${left - 6}" y="${r2(y0 + groupH / 2)}" text-anchor="end" dominant-baseline="middle">${label}</text>`);
    row.values.forEach((v, i) => {
      const y = y0 + i * barH;
      const series = c.series[i] ?? "";
      if (v === undefined || !Number.isFinite(v)) {
        out.push(`<text x="${left + 4}" y="${y + barH - 3}" class="na" data-series="${esc(series)}" data-label="${esc(row.label)}">not measured</text>`);
        return;
      }
      const w = r2(x(v) - left);
      const tip = `${row.label}${series ? ` (${series})` : ""}: ${format(v)}`;
      out.push(
        `<rect x="${left}" y="${y}" width="${w}" height="${barH - 2}" fill="${PALETTE[i % PALETTE.length]}" data-series="${esc(series)}" data-label="${esc(row.label)}" data-value="${v}"><title>${esc(tip)}</title></rect>`,
        `<text x="${r2(left + w + 4)}" y="${y + barH - 4}" class="val">${esc(format(v))}</text>`,
      );
    });
  });
  if (c.reference) {
    const rx = x(c.reference.value);
    out.push(`<line x1="${rx}" y1="${top - 8}" x2="${rx}" y2="${top + c.rows.length * groupH}" stroke="#000" stroke-width="1.5" stroke-dasharray="5 3" data-reference="${c.reference.value}"/><text x="${rx}" y="${top - 12}" text-anchor="middle" class="ref">${esc(c.reference.label)}</text>`);
  }
  const leg = c.series.length > 1 ? legend(c.series, left, 34, false) : "";
  return svg(width, height, c.title, `${leg}${out.join("")}<text x="${r2(left + plotW / 2)}" y="${height - 8}" text-anchor="middle">${esc(c.axis)}</text>`);
}

export interface LineChart {
  title: string;
  xAxis: string;
  yAxis: string;
  /** Category labels of the x axis, evenly spaced. */
  xs: string[];
  /** One line per series; `points[i]` at xs[i] (undefined: a gap), with an optional min–max range. */
  series: { name: string; points: ({ y: number; lo?: number; hi?: number } | undefined)[] }[];
  /** y axis range (default 0 to the largest value × 1.05). */
  yMin?: number;
  yMax?: number;
  format?: (v: number) => string;
  width?: number;
}

/** Lines over categories, each point a marker with its range as an error bar. */
export function lineChart(c: LineChart): string {
  const width = c.width ?? 760;
  const left = 64;
  const right = 20;
  const top = 30 + 16 * c.series.length;
  const plotH = 220;
  const height = top + plotH + 50;
  const plotW = width - left - right;
  const ys = c.series.flatMap((s) => s.points.flatMap((p) => (p ? [p.y, p.lo ?? p.y, p.hi ?? p.y] : [])));
  const yMin = c.yMin ?? 0;
  const yMax = c.yMax ?? Math.max(yMin + 1e-9, ...ys) * 1.05;
  const format = c.format ?? fmt3;
  const px = (i: number) => r2(left + (c.xs.length === 1 ? plotW / 2 : (i / (c.xs.length - 1)) * plotW * 0.9 + plotW * 0.05));
  const py = (v: number) => r2(top + plotH - ((Math.max(yMin, Math.min(v, yMax)) - yMin) / (yMax - yMin)) * plotH);
  const out: string[] = [];
  const step = niceStep(yMax - yMin);
  for (let v = Math.ceil(yMin / step) * step; v <= yMax + step * 1e-9; v += step) {
    const t = Math.round(v / step) * step;
    out.push(`<line x1="${left}" y1="${py(t)}" x2="${width - right}" y2="${py(t)}" stroke="#ddd"/><text x="${left - 6}" y="${py(t)}" text-anchor="end" dominant-baseline="middle" class="tick">${esc(format(t))}</text>`);
  }
  c.xs.forEach((label, i) => out.push(`<text x="${px(i)}" y="${top + plotH + 16}" text-anchor="middle" class="tick">${esc(label)}</text>`));
  c.series.forEach((s, k) => {
    const colour = PALETTE[k % PALETTE.length];
    const pts = s.points.map((p, i) => (p ? { ...p, i } : undefined)).filter((p) => p !== undefined);
    if (pts.length > 1) out.push(`<polyline fill="none" stroke="${colour}" stroke-width="2.5" stroke-dasharray="${DASHES[k % DASHES.length]}" points="${pts.map((p) => `${px(p.i)},${py(p.y)}`).join(" ")}"/>`);
    for (const p of pts) {
      if (p.lo !== undefined && p.hi !== undefined && p.hi > p.lo) out.push(`<line x1="${px(p.i)}" y1="${py(p.lo)}" x2="${px(p.i)}" y2="${py(p.hi)}" stroke="${colour}" stroke-width="1.5"/>`);
      const range = p.lo !== undefined && p.hi !== undefined && p.hi > p.lo ? ` (${format(p.lo)}–${format(p.hi)})` : "";
      out.push(`<circle cx="${px(p.i)}" cy="${py(p.y)}" r="4" fill="${colour}" data-series="${esc(s.name)}" data-label="${esc(c.xs[p.i]!)}" data-value="${p.y}"><title>${esc(`${s.name}, ${c.xAxis} ${c.xs[p.i]}: ${format(p.y)}${range}`)}</title></circle>`);
    }
  });
  const axes = `<line x1="${left}" y1="${top}" x2="${left}" y2="${top + plotH}" stroke="#000"/><line x1="${left}" y1="${top + plotH}" x2="${width - right}" y2="${top + plotH}" stroke="#000"/>`;
  const captions = `<text x="${r2(left + plotW / 2)}" y="${height - 10}" text-anchor="middle">${esc(c.xAxis)}</text><text transform="translate(14 ${r2(top + plotH / 2)}) rotate(-90)" text-anchor="middle">${esc(c.yAxis)}</text>`;
  return svg(width, height, c.title, `${legend(c.series.map((s) => s.name), left, 34, true)}${axes}${out.join("")}${captions}`);
}

function svg(width: number, height: number, title: string, body: string): string {
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="${esc(title)}" font-family="system-ui, sans-serif" font-size="12"><title>${esc(title)}</title><text x="10" y="18" font-size="14" font-weight="bold">${esc(title)}</text>${body}</svg>`;
}
