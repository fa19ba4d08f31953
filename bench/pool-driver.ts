/**
 * Pool admissions per second, measured inside workerd: a bench-only driver Worker
 * (`DRIVER_SOURCE`) bound to the router's `RateLimitPool` class (binding `POOL`)
 * calls `admit` (then `finish`) on the pool objects over workerd's own RPC, with C
 * calls in flight, spread over S shards, and times it with workerd's clock (which
 * advances on I/O: every awaited RPC is I/O). Node only sends one request per run.
 */

/**
 * `POST /admit?n=N&concurrency=C&shards=S&finish=1|0&prefix=P&maxMs=M&limits=JSON&prefill=K`:
 * N admissions (at most M ms), round-robin over the objects `P` (S = 1) or `P#0..P#S-1`,
 * each shard with its share of `limits` (as worker/pools/shards.ts splits them).
 * Untimed first: `prefill` K rpm slots per object in one `grant` (a pool that has
 * already admitted K calls), `view` on each object, then min(200, N/5) admit+finish.
 * workerd's clock has whole-ms steps here, so per-call percentiles are coarse;
 * `quarters` counts completed admissions in each quarter of the elapsed time.
 */
export const DRIVER_SOURCE = `const int = (v, d, lo, hi) => { const n = v === null ? d : Math.floor(Number(v)); return Number.isFinite(n) ? Math.min(hi, Math.max(lo, n)) : d; };
const split = (limit, n, i) => Math.floor(limit / n) + (i < limit - Math.floor(limit / n) * n ? 1 : 0);
const pct = (a, q) => a.length ? a[Math.min(a.length - 1, Math.max(0, Math.ceil(q * a.length) - 1))] : null;
export default {
  async fetch(request, env) {
    const u = new URL(request.url);
    if (u.pathname !== "/admit") return new Response("POST /admit?n=&concurrency=&shards=", { status: 404 });
    const q = u.searchParams;
    const n = int(q.get("n"), 1000, 1, 200000), c = int(q.get("concurrency"), 1, 1, 512), shards = int(q.get("shards"), 1, 1, 64);
    const maxMs = int(q.get("maxMs"), 5000, 10, 60000), finish = q.get("finish") !== "0", prefix = q.get("prefix") || "bench-driver";
    const limits = JSON.parse(q.get("limits") || '{"rpm":1000000,"concurrency":100000}'), prefill = int(q.get("prefill"), 0, 0, 1000000);
    const configs = Array.from({ length: shards }, (_, i) => {
      const cfg = { ...limits };
      for (const k of ["rpm", "tpm", "concurrency"]) if (cfg[k] !== undefined) cfg[k] = split(cfg[k], shards, i);
      return cfg;
    });
    const stubs = configs.map((_, i) => env.POOL.get(env.POOL.idFromName(shards > 1 ? prefix + "#" + i : prefix)));
    const errorSamples = [];
    let admitted = 0, denied = 0, errors = 0, next = 0, deadline = Infinity;
    const lat = [], doneAt = [];
    const one = async (i, timed) => {
      const s = i % shards, leaseId = prefix + "/" + (timed ? "" : "w") + i;
      const t = performance.now();
      try {
        const r = await stubs[s].admit(configs[s], { leaseId, costUsd: 0 });
        if (timed) lat.push(performance.now() - t);
        if (!r.ok) { denied++; if (errorSamples.length < 3) errorSamples.push("denied: " + JSON.stringify(r)); return; }
        if (finish) await stubs[s].finish(configs[s], leaseId, { ok: true, costUsd: 0 });
        if (timed) (admitted++, doneAt.push(performance.now()));
      } catch (e) {
        errors++;
        if (errorSamples.length < 3) errorSamples.push(String(e && e.stack || e).slice(0, 300));
      }
    };
    const prefilled = prefill ? await Promise.all(stubs.map((s, i) => s.grant(configs[i], prefill, 0).then((g) => g.granted))) : [];
    await Promise.all(stubs.map((s, i) => s.view(configs[i])));
    const warm = Math.min(200, Math.floor(n / 5));
    for (let i = 0; i < warm; i += c) await Promise.all(Array.from({ length: Math.min(c, warm - i) }, (_, j) => one(i + j, false)));
    denied = 0;
    const t0 = performance.now();
    deadline = t0 + maxMs;
    const lane = async () => {
      while (next < n && performance.now() < deadline) {
        await one(next++, true);
      }
    };
    await Promise.all(Array.from({ length: c }, lane));
    const elapsedMs = performance.now() - t0;
    lat.sort((a, b) => a - b);
    const quarters = [0, 0, 0, 0];
    for (const t of doneAt) quarters[Math.min(3, Math.floor(((t - t0) / elapsedMs) * 4))]++;
    return Response.json({
      n: next, concurrency: c, shards, finish, limits, prefilled, admitted, denied, errors, elapsedMs,
      admissionsPerSecond: elapsedMs > 0 ? (admitted * 1000) / elapsedMs : null,
      admitMs: { p50: pct(lat, 0.5), p99: pct(lat, 0.99), max: lat.length ? lat[lat.length - 1] : null },
      quarters, errorSamples, timedOut: next < n,
    });
  },
};
`;

/** One driver run, as the driver reports it (plus Node's wall time for the request). */
export interface PoolRun {
  label: string;
  n: number;
  concurrency: number;
  shards: number;
  finish: boolean;
  limits: Record<string, number>;
  admitted: number;
  denied: number;
  errors: number;
  elapsedMs: number;
  admissionsPerSecond: number | null;
  admitMs: { p50: number | null; p99: number | null; max: number | null };
  /** rpm slots taken by `grant` per object before the run (prior admissions). */
  prefilled: number[];
  /** Admissions completed in each quarter of the elapsed time. */
  quarters: number[];
  errorSamples: string[];
  timedOut: boolean;
  wallMs: number;
}

export interface PoolPlan {
  label: string;
  shards: number;
  concurrency: number;
  n: number;
  finish?: boolean;
  limits?: Record<string, number>;
  /** Prior admissions per object (one `grant` before the run). */
  prefill?: number;
}
