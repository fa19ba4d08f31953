/** The benchmark's scenarios: what each one sends, where, and how its first response is checked. */
import { BENCH_FALLBACK, BENCH_LEASED, BENCH_LIMITED, BENCH_SPECIALIST } from "./build.ts";
import type { probe, Target } from "./load.ts";

/** ~60 characters, as in the brief. */
export const INPUT = "convert 5 kilometres to miles and round it to two decimals ok"; // 61 chars

const nonce = Math.random().toString(36).slice(2, 8);
let seq = 0;
/** A distinct 60-character input per call (cache-miss scenarios); digits are kept by normalisation, so ids differ. */
export const uniqueInput = () => `${nonce}${(seq++).toString(36).padStart(7, "0")} convert kilometres to miles, two decimals please`.slice(0, 60);

type Probe = Awaited<ReturnType<typeof probe>>;

export interface Scenario {
  name: string;
  description: string;
  /** Calibration scenarios are not the router; they explain its numbers. */
  calibration?: boolean;
  /** The status every response must have (default: any 2xx). */
  expectStatus?: number;
  /** Only the sequential loop, no autocannon runs. */
  sequentialOnly?: boolean;
  /** The scenario the tables subtract (default `direct`); its own name for a baseline. */
  baseline?: string;
  /** Shorter runs: the sequential loop and each autocannon run take ⅔ of the usual time. */
  shortLoad?: boolean;
  target: Target;
  /** Checks one response before the load; returns a problem or undefined. */
  check(r: Probe): string | undefined;
}

export interface Urls {
  router: string;
  /** Miniflare only: the router without KV, Cache API on Miniflare's no-op backend. */
  lruOnly?: string;
  upstream: string;
  proxy: string;
}

/** `raw`: the router on raw workerd (no KV, Cache API unconfigured); `miniflare`: KV + Cache API, plus `miss-lru-only`. */
export function scenarios(urls: Urls, intentId: string, mode: "raw" | "miniflare" = "miniflare"): Scenario[] {
  const json = { "content-type": "application/json" };
  const auth = { ...json, authorization: "Bearer dev-key" };
  const fixed = (body: unknown) => {
    const s = JSON.stringify(body);
    return { body: () => s, dynamic: false };
  };
  const unique = { body: () => JSON.stringify({ input: uniqueInput() }), dynamic: true };
  const routed = (r: Probe) => r.json as { decision?: { specialist?: string; intent?: { id?: string } | null }; output?: unknown };
  const hasOutput = (r: Probe) => (routed(r).output ? undefined : "no output");
  const classified = (r: Probe) => (routed(r).decision?.intent ? undefined : "no intent in the decision");
  const list: Scenario[] = [
    { name: "direct", description: "POST upstream /ok (baseline, no router)", target: { url: urls.upstream, path: "/ok", headers: json, ...fixed({ input: INPUT }) }, check: hasOutput },
    {
      name: "workerd-proxy",
      description: "calibration: a 3-line Worker on the same workerd that forwards the body to upstream /ok",
      calibration: true,
      target: { url: urls.proxy, path: "/", headers: json, ...fixed({ input: INPUT }) },
      check: hasOutput,
    },
    {
      name: "pinned",
      description: `/v1/route specialist "${BENCH_SPECIALIST}" (no classification)`,
      target: { url: urls.router, path: "/v1/route", headers: auth, ...fixed({ input: INPUT, specialist: BENCH_SPECIALIST }) },
      check: (r) => (routed(r).decision?.specialist === BENCH_SPECIALIST ? undefined : "not routed to the pinned specialist"),
    },
    {
      name: "pinned-limited",
      description: `/v1/route specialist "${BENCH_LIMITED}" (pinned; rpm only: admitted from the isolate's batched grants, a RateLimitPool grant now and then)`,
      target: { url: urls.router, path: "/v1/route", headers: auth, ...fixed({ input: INPUT, specialist: BENCH_LIMITED }) },
      check: (r) => (routed(r).decision?.specialist === BENCH_LIMITED ? undefined : "not routed to the pinned specialist"),
    },
    {
      name: "pinned-leased",
      description: `/v1/route specialist "${BENCH_LEASED}" (pinned; rpm and concurrency: one RateLimitPool admit on the path, finish after the response)`,
      target: { url: urls.router, path: "/v1/route", headers: auth, ...fixed({ input: INPUT, specialist: BENCH_LEASED }) },
      check: (r) => (routed(r).decision?.specialist === BENCH_LEASED ? undefined : "not routed to the pinned specialist"),
    },
    {
      name: "direct-error",
      description: "POST upstream /error (500; calibration for one-fallback: the failed call alone)",
      calibration: true,
      expectStatus: 500,
      sequentialOnly: true,
      target: { url: urls.upstream, path: "/error", headers: json, ...fixed({ input: INPUT }) },
      check: () => undefined,
    },
    {
      name: "one-fallback",
      description: `/v1/route specialist "${BENCH_FALLBACK}" (pinned; upstream /error → 500, no retry, no breaker, then its fallback "${BENCH_SPECIALIST}")`,
      target: { url: urls.router, path: "/v1/route", headers: auth, ...fixed({ input: INPUT, specialist: BENCH_FALLBACK }) },
      check: (r) => {
        const a = (r.json as { attempts?: { specialist: string; ok: boolean }[] }).attempts ?? [];
        const ok = a.length === 2 && a[0]?.specialist === BENCH_FALLBACK && !a[0].ok && a[1]?.specialist === BENCH_SPECIALIST && a[1].ok;
        return ok ? undefined : `expected 2 attempts (${BENCH_FALLBACK} failed, ${BENCH_SPECIALIST} ok), got ${JSON.stringify(a)}`;
      },
    },
    {
      name: "cached-intent",
      description: "/v1/route { intent } from /v1/intents (LRU hit, no encode/classify)",
      target: { url: urls.router, path: "/v1/route", headers: auth, ...fixed({ intent: intentId }) },
      check: (r) => (r.headers.get("x-intent-id") === intentId && routed(r).decision?.intent?.id === intentId ? undefined : "intent id not echoed"),
    },
    {
      name: "auto-chat",
      description: `POST /v1/chat/completions, model "auto": the last user message ("${INPUT}") routed by intent (classified once, then this isolate's LRU) to a JSON specialist on upstream /ok, its output answered as a chat.completion`,
      target: { url: urls.router, path: "/v1/chat/completions", headers: auth, ...fixed({ model: "auto", messages: [{ role: "user", content: INPUT }] }) },
      check: (r) => {
        const c = r.json as { object?: string; switchyard?: { intent?: { id?: string } | null } };
        if (c.object !== "chat.completion") return `not a chat.completion: ${JSON.stringify(r.json).slice(0, 300)}`;
        return c.switchyard?.intent?.id && r.headers.get("x-switchyard-specialist") ? undefined : "not routed by intent (no switchyard.intent, or no x-switchyard-specialist)";
      },
    },
    {
      name: "cache-miss",
      description:
        mode === "raw"
          ? "/v1/route { input } unique per request (encode + classify + LRU; no KV; the Cache API write throws 'No Cache was configured', caught and logged)"
          : "/v1/route { input } unique per request (encode + classify + Cache API/KV lookups and writes)",
      target: { url: urls.router, path: "/v1/route", headers: auth, ...unique },
      check: classified,
    },
  ];
  if (!urls.lruOnly) return list;
  return [
    ...list,
    {
      name: "miss-lru-only",
      description: "calibration: cache-miss on a router without KV, Cache API on Miniflare's no-op backend (encode + classify + LRU)",
      calibration: true,
      target: { url: urls.lruOnly, path: "/v1/route", headers: auth, ...unique },
      check: classified,
    },
  ];
}
