/**
 * Load generation: autocannon for throughput (with every response's latency taken
 * from its `response` event, a float from process.hrtime, because autocannon's own
 * percentiles come from an integer-millisecond histogram), and a sequential
 * keep-alive loop on node:http for precise single-connection latency.
 */
import { Agent, request } from "node:http";
import autocannon, { type Instance } from "autocannon";
import { cpuWindow, type CpuUsage } from "./cpu.ts";

/** One request shape: the body is fixed or made fresh per request. */
export interface Target {
  url: string;
  path: string;
  headers: Record<string, string>;
  body: () => string;
  /** true: `body()` differs per call (autocannon then rebuilds each request). */
  dynamic: boolean;
  /** Checks every response body (autocannon's `verifyBody`; the sequential loop checks 2xx bodies): true = as expected. */
  verify?: (body: string) => boolean;
}

export interface Latency {
  count: number;
  mean: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

/** Exact percentiles (nearest rank) of float-ms samples. */
export function summarize(samples: Float64Array | number[], n = samples.length): Latency {
  if (n === 0) return { count: 0, mean: NaN, p50: NaN, p90: NaN, p99: NaN, max: NaN };
  const sorted = Float64Array.from(samples.slice(0, n)).sort();
  const at = (q: number) => sorted[Math.min(n - 1, Math.max(0, Math.ceil(q * n) - 1))]!;
  let sum = 0;
  for (const v of sorted) sum += v;
  return { count: n, mean: sum / n, p50: at(0.5), p90: at(0.9), p99: at(0.99), max: sorted[n - 1]! };
}

export interface LoadResult {
  connections: number;
  seconds: number;
  requests: number;
  rps: number;
  /** From each response's hrtime latency (2xx and non-2xx alike). */
  latency: Latency;
  /** autocannon's own histogram (integer ms, 2xx only), for reference. */
  autocannonLatency: { p50: number; p99: number; mean: number };
  non2xx: number;
  errors: number;
  timeouts: number;
  /** Responses whose body failed `Target.verify` (any status; autocannon's `mismatches`). */
  badBody: number;
  statusCodes: Record<string, number>;
  errorSamples: string[];
  /** CPU during the measured window (workerd, this process, the rest of the machine). */
  cpu: CpuUsage;
  /** workerd CPU µs per request. */
  workerdUsPerReq?: number;
}

let active: Instance | undefined;

/** Stops a running autocannon instance (SIGINT). */
export function stopLoad(): void {
  active?.stop();
}

const MAX_SAMPLES = 4_000_000;

/** Runs autocannon for `seconds` at `connections`; bounded by duration and sample count. */
export async function runLoad(t: Target, connections: number, seconds: number, workerdPids: readonly number[] = []): Promise<LoadResult> {
  const req = { method: "POST", path: t.path, headers: t.headers, body: t.body() };
  const inst = autocannon({
    url: t.url,
    connections,
    duration: seconds,
    timeout: 10,
    ...(t.verify ? { verifyBody: t.verify } : {}),
    requests: [t.dynamic ? { ...req, setupRequest: (r) => ({ ...r, body: t.body() }) } : req],
  });
  active = inst;
  const samples = new Float64Array(Math.min(MAX_SAMPLES, Math.ceil(seconds * 60_000)));
  let n = 0;
  const errorSamples: string[] = [];
  inst.on("response", (_c, _status, _bytes, ms) => {
    if (n < samples.length) samples[n++] = ms;
    else inst.stop(); // bounded: never record past the buffer
  });
  inst.on("reqError", (e) => {
    if (errorSamples.length < 5) errorSamples.push(String(e));
  });
  inst.on("reqMismatch", (body) => {
    if (errorSamples.length < 5) errorSamples.push(`unexpected body: ${String(body).slice(0, 200)}`);
  });
  const window = cpuWindow(workerdPids);
  try {
    const r = await inst;
    const cpu = window();
    const statusCodes: Record<string, number> = {};
    for (const [code, { count }] of Object.entries(r.statusCodeStats ?? {})) statusCodes[code] = count;
    const total = r["1xx"] + r["2xx"] + r["3xx"] + r["4xx"] + r["5xx"];
    return {
      connections,
      seconds: r.duration,
      requests: total,
      rps: total / r.duration,
      latency: summarize(samples, n),
      autocannonLatency: { p50: r.latency.p50, p99: r.latency.p99, mean: r.latency.mean },
      non2xx: r.non2xx,
      errors: r.errors,
      timeouts: r.timeouts,
      badBody: r.mismatches ?? 0,
      statusCodes,
      errorSamples,
      cpu,
      workerdUsPerReq: cpu.workerdMs !== undefined && total > 0 ? (cpu.workerdMs * 1000) / total : undefined,
    };
  } finally {
    active = undefined;
  }
}

export interface SequentialResult {
  latency: Latency;
  requests: number;
  non2xx: number;
  errors: number;
  /** Responses with the expected status whose body failed `Target.verify`. */
  badBody: number;
  statusCodes: Record<string, number>;
  /** Median of the router's own `timings` (from the response JSON), when present. */
  serverTimings?: Record<string, number>;
  errorSamples: string[];
  cpu: CpuUsage;
  workerdUsPerReq?: number;
}

/** One request on `agent`: status, hrtime latency (write → last byte, ms) and body text. */
export function once(agent: Agent, t: Target, body: string): Promise<{ status: number; ms: number; text: string }> {
  const u = new URL(t.path, t.url);
  return new Promise((resolve, reject) => {
    const start = process.hrtime.bigint();
    const r = request(
      { agent, host: u.hostname, port: u.port, path: u.pathname, method: "POST", headers: { ...t.headers, "content-length": Buffer.byteLength(body) }, timeout: 10_000 },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => {
          const ms = Number(process.hrtime.bigint() - start) / 1e6;
          resolve({ status: res.statusCode ?? 0, ms, text: Buffer.concat(chunks).toString("utf8") });
        });
        res.on("error", reject);
      },
    );
    r.on("timeout", () => r.destroy(new Error("timeout after 10 s")));
    r.on("error", reject);
    r.end(body);
  });
}

/**
 * One keep-alive connection, one request at a time: latency from write to last
 * byte with process.hrtime.bigint(). Stops at `maxCount` requests or `maxMs`.
 * `non2xx` counts responses other than `expectStatus` when it is given.
 */
export async function runSequential(
  t: Target,
  o: { warmup: number; maxCount: number; maxMs: number; isStopped: () => boolean; workerdPids?: readonly number[]; expectStatus?: number },
): Promise<SequentialResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const samples = new Float64Array(o.maxCount);
  const timings = new Map<string, number[]>();
  const statusCodes: Record<string, number> = {};
  const errorSamples: string[] = [];
  let n = 0;
  let non2xx = 0;
  let errors = 0;
  let badBody = 0;
  let window = cpuWindow(o.workerdPids ?? []);
  try {
    const warmEnd = performance.now() + Math.min(500, o.maxMs / 4);
    for (let i = 0; i < o.warmup && !o.isStopped() && performance.now() < warmEnd; i++) await once(agent, t, t.body()).catch(() => undefined);
    window = cpuWindow(o.workerdPids ?? []);
    const deadline = performance.now() + o.maxMs;
    while (n < o.maxCount && performance.now() < deadline && !o.isStopped()) {
      try {
        const r = await once(agent, t, t.body());
        samples[n++] = r.ms;
        statusCodes[r.status] = (statusCodes[r.status] ?? 0) + 1;
        if (o.expectStatus !== undefined ? r.status !== o.expectStatus : r.status < 200 || r.status > 299) {
          non2xx++;
          if (errorSamples.length < 3) errorSamples.push(`${r.status} ${r.text.slice(0, 300)}`);
        } else if (t.verify && !t.verify(r.text)) {
          badBody++;
          if (errorSamples.length < 3) errorSamples.push(`unexpected body: ${r.text.slice(0, 300)}`);
        } else if (n % 8 === 0 && r.text.includes('"timings"')) {
          const tm = (JSON.parse(r.text) as { timings?: Record<string, number> }).timings ?? {};
          for (const [k, v] of Object.entries(tm)) (timings.get(k) ?? timings.set(k, []).get(k)!).push(v);
        }
      } catch (e) {
        errors++;
        if (errorSamples.length < 3) errorSamples.push(String(e));
        if (errors > 50) break;
      }
    }
  } finally {
    agent.destroy();
  }
  const cpu = window();
  const serverTimings = timings.size ? Object.fromEntries([...timings].map(([k, v]) => [k, summarize(v).p50])) : undefined;
  const workerdUsPerReq = cpu.workerdMs !== undefined && n > 0 ? (cpu.workerdMs * 1000) / n : undefined;
  return { latency: summarize(samples, n), requests: n, non2xx, errors, badBody, statusCodes, serverTimings, errorSamples, cpu, workerdUsPerReq };
}

/** One request, for smoke checks before the load: status, headers and parsed body. */
export async function probe(t: Target, body = t.body()): Promise<{ status: number; headers: Headers; json: unknown }> {
  const res = await fetch(new URL(t.path, t.url), { method: "POST", headers: t.headers, body, signal: AbortSignal.timeout(15_000) });
  const text = await res.text();
  let json: unknown = text;
  try {
    json = JSON.parse(text);
  } catch {
    /* keep the text */
  }
  return { status: res.status, headers: res.headers, json };
}
