/**
 * The dashboard's charts: server-rendered SVG, no JavaScript, within the strict CSP
 * (presentation attributes only, no inline styles). Each chart is a `<figure>` captioned
 * by its title, whose `<svg role="img">` is labelled by the title and a description, every data point
 * carries its value (`data-*` and a `<title>` tooltip), and a `<details>` table gives
 * the same numbers to screen readers and to anyone who would rather read them.
 * Geometry (scales, ticks, gaps) is chart-geometry.ts.
 */
import { fmt, linear, niceTicks, segments, seriesStyle, timeLabel, timeTicks, valueLabel, type SeriesPoint } from "./chart-geometry.ts";

const W = 640;
const PAD = { left: 56, right: 16, top: 12, bottom: 28 };

/** One line of a {@link LineChart}. */
export interface LineSeries {
  name: string;
  points: SeriesPoint[];
}

const short = (v: number, unit: string) => `${valueLabel(v)}${unit}`;

/** A chart's figure: its visible title, the labelled `<svg role="img">` of `width` × `height` around `children`, then what follows it (`after`: a legend, the data table). */
const Frame = ({ id, title, desc, width, height, matrix, children, after }: { id: string; title: string; desc: string; width: number; height: number; matrix?: boolean; children: unknown; after: unknown }) => (
  <figure class="chart" id={id}>
    <figcaption class="chart-title">{title}</figcaption>
    <svg viewBox={`0 0 ${width} ${height}`} role="img" aria-labelledby={`${id}-t ${id}-d`} class={matrix ? "chart-svg matrix" : "chart-svg"}>
      <title id={`${id}-t`}>{title}</title>
      <desc id={`${id}-d`}>{desc}</desc>
      {children}
    </svg>
    {after}
  </figure>
);

/** The numbers of the chart titled `title`, as a table under a disclosure ("data: <title>", so each is told apart). */
const Data = ({ title, head, rows }: { title: string; head: string[]; rows: (string | number)[][] }) => (
  <details class="chart-data">
    <summary>data: {title}</summary>
    <table class="grid">
      <thead>
        <tr>
          {head.map((h) => (
            <th>{h}</th>
          ))}
        </tr>
      </thead>
      <tbody>
        {rows.map((r) => (
          <tr>
            {r.map((c) => (
              <td class={typeof c === "number" ? "num" : undefined}>{c}</td>
            ))}
          </tr>
        ))}
      </tbody>
    </table>
  </details>
);

/**
 * Values over time, one line per series (gaps where a point's value is `null`), over
 * [from, to] (epoch ms), y from 0 (or the least value) to a nice maximum, in `unit`.
 */
export const LineChart = ({ id, title, desc, series, from, to, unit = "", height = 200 }: { id: string; title: string; desc: string; series: LineSeries[]; from: number; to: number; unit?: string; height?: number }) => {
  const values = series.flatMap((s) => s.points.map((p) => p.v).filter((v): v is number => v !== null && Number.isFinite(v)));
  const ticks = niceTicks(Math.min(0, ...values), Math.max(0, ...values), 4);
  const y = linear([ticks[0]!, ticks[ticks.length - 1]!], [height - PAD.bottom, PAD.top]);
  const x = linear([from, to], [PAD.left, W - PAD.right]);
  const times = timeTicks(from, to, 6);
  return (
    <Frame
      id={id}
      title={title}
      desc={desc}
      width={W}
      height={height}
      after={
        <>
          <div class="legend" aria-label="legend">
            {series.map((s, i) => (
              <span class="key">
                <svg viewBox="0 0 16 4" width="16" height="4" aria-hidden="true">
                  <line x1="0" x2="16" y1="2" y2="2" stroke={seriesStyle(i).color} stroke-width="3" stroke-dasharray={seriesStyle(i).dash} />
                </svg>{" "}
                {s.name}
              </span>
            ))}
          </div>
          <Data
            title={title}
            head={["time (UTC)", ...series.map((s) => `${s.name}${unit ? ` (${unit.trim()})` : ""}`)]}
            rows={[...new Set(series.flatMap((s) => s.points.map((p) => p.t)))].sort((a, b) => a - b).map((t) => [new Date(t).toISOString().slice(0, 16).replace("T", " "), ...series.map((s) => s.points.find((p) => p.t === t)?.v ?? "—")])}
          />
        </>
      }
    >
      <g class="axis">
        {ticks.map((v) => (
          <g>
            <line x1={PAD.left} x2={W - PAD.right} y1={fmt(y(v))} y2={fmt(y(v))} stroke="#e3e6ec" />
            <text x={PAD.left - 6} y={fmt(y(v) + 4)} text-anchor="end" font-size="11" fill="#6b7385">
              {short(v, unit)}
            </text>
          </g>
        ))}
        {times.map((t) => (
          <text x={fmt(x(t))} y={height - 8} text-anchor="middle" font-size="11" fill="#6b7385">
            {timeLabel(t, to - from)}
          </text>
        ))}
      </g>
      {series.map((s, i) => {
        const { color, dash } = seriesStyle(i);
        return (
          <g class="series" data-series={s.name}>
            {segments(s.points, x, y).map((pts) => (
              <polyline points={pts} fill="none" stroke={color} stroke-width="2" stroke-dasharray={dash} />
            ))}
            {s.points
              .filter((p) => p.v !== null && Number.isFinite(p.v))
              .map((p) => (
                <circle cx={fmt(x(p.t))} cy={fmt(y(p.v!))} r="2.5" fill={color} data-t={p.t} data-v={p.v!}>
                  <title>{`${s.name} ${new Date(p.t).toISOString().slice(0, 16).replace("T", " ")}Z: ${valueLabel(p.v!)}${unit}`}</title>
                </circle>
              ))}
          </g>
        );
      })}
    </Frame>
  );
};

/** One bar of a {@link BarChart}: a value and, when it has one, the limit it is measured against. */
export interface Bar {
  label: string;
  value: number;
  limit?: number | undefined;
}

/**
 * Horizontal bars, one per label, longest scale at the largest value or limit; a bar
 * with a limit shows the limit as a tick and is drawn in the warning colour at 80 % of
 * it and the error colour at or over it.
 */
export const BarChart = ({ id, title, desc, bars, unit = "" }: { id: string; title: string; desc: string; bars: Bar[]; unit?: string }) => {
  const row = 22;
  const left = 150;
  const height = PAD.top + bars.length * row + PAD.bottom;
  const ticks = niceTicks(0, Math.max(0, ...bars.flatMap((b) => [b.value, b.limit ?? 0])), 4);
  const x = linear([0, ticks[ticks.length - 1]!], [left, W - PAD.right]);
  const colour = (b: Bar) => (b.limit === undefined ? "#0072B2" : b.value >= b.limit ? "#c23a3a" : b.value >= 0.8 * b.limit ? "#E69F00" : "#009E73");
  return (
    <Frame
      id={id}
      title={title}
      desc={desc}
      width={W}
      height={height}
      after={
        <>
          <Data title={title} head={["", `value${unit ? ` (${unit.trim()})` : ""}`, "limit"]} rows={bars.map((b) => [b.label, b.value, b.limit ?? "—"])} />
        </>
      }
    >
      {ticks.map((v, i) => (
        <g class="axis">
          <line x1={fmt(x(v))} x2={fmt(x(v))} y1={PAD.top} y2={height - PAD.bottom} stroke="#e3e6ec" />
          {/* the last label ends at its tick, inside the chart, rather than centred past its edge */}
          <text x={fmt(x(v))} y={height - 8} text-anchor={i === ticks.length - 1 && i > 0 ? "end" : "middle"} font-size="11" fill="#6b7385">
            {short(v, unit)}
          </text>
        </g>
      ))}
      {bars.map((b, i) => {
        const top = PAD.top + i * row;
        return (
          <g class="bar" data-label={b.label} data-value={b.value} data-limit={b.limit}>
            <text x={left - 6} y={top + 15} text-anchor="end" font-size="12" fill="#1d2330">
              {b.label.length > 22 ? `${b.label.slice(0, 21)}…` : b.label}
            </text>
            <rect x={left} y={top + 4} width={fmt(Math.max(0, x(b.value) - left))} height={row - 8} fill={colour(b)}>
              <title>{`${b.label}: ${valueLabel(b.value)}${unit}${b.limit === undefined ? "" : ` of ${valueLabel(b.limit)}${unit}`}`}</title>
            </rect>
            {b.limit === undefined ? null : <line x1={fmt(x(b.limit))} x2={fmt(x(b.limit))} y1={top + 1} y2={top + row - 1} stroke="#1d2330" stroke-width="2" />}
          </g>
        );
      })}
    </Frame>
  );
};

/**
 * Counts by row and column (e.g. routed label × corrected label), each cell shaded by
 * its share of the largest count; empty cells are blank.
 */
export const Matrix = ({ id, title, desc, rows, cols, count, rowHead, colHead }: { id: string; title: string; desc: string; rows: string[]; cols: string[]; count: (row: string, col: string) => number; rowHead: string; colHead: string }) => {
  const cell = 34;
  // row labels ("units.convert → general") get the room they need, up to 48 characters (~6.6 px each at 12 px)
  const rowChars = Math.min(48, Math.max(0, ...rows.map((r) => r.length)));
  const left = Math.max(150, Math.round(rowChars * 6.6) + 12);
  const top = 90;
  const max = Math.max(1, ...rows.flatMap((r) => cols.map((c) => count(r, c))));
  const width = left + cols.length * cell + PAD.right;
  const height = top + rows.length * cell + 8;
  return (
    <Frame
      id={id}
      title={title}
      desc={`${desc} Rows: ${rowHead}; columns: ${colHead}.`}
      width={width}
      height={height}
      matrix
      after={
        <>
          <Data title={title} head={[`${rowHead} \\ ${colHead}`, ...cols]} rows={rows.map((r) => [r, ...cols.map((c) => count(r, c))])} />
        </>
      }
    >
      {cols.map((c, j) => (
        <text transform={`translate(${left + j * cell + cell / 2 + 4} ${top - 6}) rotate(-50)`} font-size="11" fill="#1d2330">
          {c.length > 16 ? `${c.slice(0, 15)}…` : c}
        </text>
      ))}
      {rows.map((r, i) => (
        <g>
          <text x={left - 6} y={top + i * cell + cell / 2 + 4} text-anchor="end" font-size="11" fill="#1d2330">
            {r.length > 48 ? `${r.slice(0, 47)}…` : r}
          </text>
          {cols.map((c, j) => {
            const n = count(r, c);
            return (
              <rect x={left + j * cell} y={top + i * cell} width={cell - 2} height={cell - 2} fill={n === 0 ? "#f5f6f8" : "#0072B2"} fill-opacity={n === 0 ? 1 : fmt(0.15 + 0.85 * (n / max))} data-row={r} data-col={c} data-count={n}>
                <title>{`${rowHead} ${r} → ${colHead} ${c}: ${n}`}</title>
              </rect>
            );
          })}
        </g>
      ))}
    </Frame>
  );
};
