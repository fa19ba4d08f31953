/**
 * The waterfall of a task's hops for the dashboard (pure; no Workers imports):
 * from the trace endpoint's spans when the router has it, else from the steps'
 * own `startedAt` / `finishedAt`.
 */

/** One bar before placement: absolute times in epoch ms. */
export interface TimedRow {
  label: string;
  detail?: string;
  status?: string;
  /** Nesting under a parent span (0 at the top). */
  depth?: number;
  start: number;
  /** Absent while the hop is still running. */
  end?: number;
}

/** One placed bar: offsets and widths as percentages of the whole waterfall. */
export interface WaterfallBar extends TimedRow {
  leftPct: number;
  widthPct: number;
  ms: number | undefined;
}

/** A placed waterfall. */
export interface Waterfall {
  bars: WaterfallBar[];
  totalMs: number;
  source: "trace" | "steps";
}

const time = (v: unknown): number | undefined => {
  if (typeof v === "number" && Number.isFinite(v)) return v;
  if (typeof v === "string") {
    const t = Date.parse(v);
    return Number.isNaN(t) ? undefined : t;
  }
  return undefined;
};
const str = (v: unknown): string | undefined => (typeof v === "string" && v.length > 0 ? v : undefined);

/** Rows from the steps of a task view (steps that never started are left out). */
export function rowsFromSteps(steps: readonly Record<string, unknown>[]): TimedRow[] {
  const rows: TimedRow[] = [];
  for (const s of steps) {
    const start = time(s.startedAt);
    if (start === undefined) continue;
    const end = time(s.finishedAt);
    const attempts = typeof s.attempts === "number" && s.attempts > 1 ? ` · ${s.attempts} attempts` : "";
    rows.push({ label: String(s.id), detail: `${str(s.specialist) ?? "routing…"}${attempts}`, ...(str(s.status) ? { status: str(s.status)! } : {}), start, ...(end !== undefined ? { end } : {}) });
  }
  return rows;
}

/** Attributes (OpenTelemetry names) worth showing next to a span's name. */
const SHOWN = ["switchyard.step.id", "switchyard.specialist", "switchyard.attempt", "switchyard.outcome", "switchyard.admission"];

/**
 * Rows from a trace document (`GET /v1/tasks/:id/trace`): its `spans` (or `hops`),
 * each with a name, `startMs`/`endMs` in epoch ms (or `start`/`end`, ISO or ms, or
 * `durationMs`), a status (`{ code }` or a string) and attributes. Children follow
 * their parent (by `parentSpanId`) with `depth` one more; at most `limit` rows.
 * `undefined` when nothing usable is there.
 */
export function rowsFromTrace(trace: unknown, limit = 80): TimedRow[] | undefined {
  if (typeof trace !== "object" || trace === null) return undefined;
  const t = trace as Record<string, unknown>;
  const spans = (Array.isArray(t.spans) ? t.spans : Array.isArray(t.hops) ? t.hops : []).filter((x): x is Record<string, unknown> => typeof x === "object" && x !== null);
  const rows = new Map<Record<string, unknown>, TimedRow>();
  for (const s of spans) {
    const start = time(s.startMs) ?? time(s.start) ?? time(s.startedAt) ?? time(s.startTime);
    if (start === undefined) continue;
    let end = time(s.endMs) ?? time(s.end) ?? time(s.finishedAt) ?? time(s.endTime);
    if (end === undefined && typeof s.durationMs === "number") end = start + s.durationMs;
    const attrs = (typeof s.attributes === "object" && s.attributes !== null ? s.attributes : {}) as Record<string, unknown>;
    const detail = SHOWN.filter((k) => attrs[k] !== undefined && attrs[k] !== "").map((k) => (k === "switchyard.attempt" ? `try ${Number(attrs[k]) + 1}` : String(attrs[k])));
    const code = typeof s.status === "object" && s.status !== null ? (s.status as { code?: unknown }).code : s.status;
    const status = code === "error" || s.ok === false ? "error" : end === undefined ? "running" : "ok";
    rows.set(s, { label: str(s.name) ?? str(s.step) ?? "span", ...(detail.length ? { detail: detail.join(" · ") } : {}), status, start, ...(end !== undefined ? { end } : {}) });
  }
  if (rows.size === 0) return undefined;
  // depth-first by parent, children by start time
  const byId = new Map([...rows.keys()].filter((s) => typeof s.spanId === "string").map((s) => [s.spanId as string, s]));
  const children = new Map<unknown, [Record<string, unknown>, TimedRow][]>();
  for (const [s, row] of rows) {
    const parent = typeof s.parentSpanId === "string" && byId.has(s.parentSpanId) ? s.parentSpanId : undefined;
    children.set(parent, [...(children.get(parent) ?? []), [s, row]]);
  }
  const out: TimedRow[] = [];
  const walk = (parent: unknown, depth: number) => {
    for (const [s, row] of (children.get(parent) ?? []).sort(([, a], [, b]) => a.start - b.start)) {
      if (out.length >= limit) return;
      out.push({ ...row, depth });
      if (typeof s.spanId === "string" && depth < 8) walk(s.spanId, depth + 1);
    }
  };
  walk(undefined, 0);
  return out;
}

/** Places rows on a shared time axis; running rows extend to `now`. */
export function layoutWaterfall(rows: readonly TimedRow[], source: Waterfall["source"], now = Date.now()): Waterfall {
  if (rows.length === 0) return { bars: [], totalMs: 0, source };
  const t0 = Math.min(...rows.map((r) => r.start));
  const t1 = Math.max(...rows.map((r) => r.end ?? Math.max(now, r.start)));
  const total = Math.max(1, t1 - t0);
  const ordered = source === "trace" ? rows : [...rows].sort((a, b) => a.start - b.start);
  const bars = ordered.map((r) => {
    const end = r.end ?? Math.max(now, r.start);
    const leftPct = ((r.start - t0) / total) * 100;
    return { ...r, leftPct, widthPct: Math.max(0.5, Math.min(100 - leftPct, ((end - r.start) / total) * 100)), ms: r.end !== undefined ? r.end - r.start : undefined };
  });
  return { bars, totalMs: t1 - t0, source };
}
