import { describe, expect, it } from "vitest";
import type { SpecialistOutcome } from "../../../worker/adapters/types.ts";
import { loadConfig } from "../../../worker/config/load.ts";
import { backoffMs, dispatch, fallbackChain, isRetryable, MAX_RETRY_WAIT_MS } from "../../../worker/routing/dispatch.ts";

const config = loadConfig({
  specialists: [
    { id: "a", retries: 2, fallbacks: ["b", "b"], endpoint: { type: "http", url: "https://a.example/" }, intents: [{ label: "a", examples: ["a"] }] },
    { id: "b", endpoint: { type: "http", url: "https://b.example/" } },
  ],
});
const registry = new Map(config.specialists.map((s) => [s.id, s]));
const a = registry.get("a")!;

function deps(script: Record<string, SpecialistOutcome[]>) {
  const calls: string[] = [];
  const sleeps: number[] = [];
  let t = 0;
  return {
    calls,
    sleeps,
    deps: {
      call: async (s: { id: string }, attempt: number) => {
        calls.push(`${s.id}#${attempt}`);
        t += 10;
        return script[s.id]!.shift() ?? { ok: false as const, failure: { kind: "http_error" as const, status: 500, detail: "out of script" } };
      },
      sleep: async (ms: number) => void sleeps.push(ms),
      rng: () => 0.5,
      now: () => t,
    },
  };
}

const ok: SpecialistOutcome = { ok: true, output: "done", usage: { units: 1 } };
const e500: SpecialistOutcome = { ok: false, failure: { kind: "http_error", status: 500, detail: "boom" } };
const e400: SpecialistOutcome = { ok: false, failure: { kind: "http_error", status: 422, detail: "cannot" } };
const timeout: SpecialistOutcome = { ok: false, failure: { kind: "timeout", detail: "slow" } };

describe("dispatch", () => {
  it("chains fallbacks once each, in order", () => {
    expect(fallbackChain(a, registry).map((s) => s.id)).toEqual(["a", "b"]);
  });

  it("retries transient failures with growing backoff, then succeeds", async () => {
    const d = deps({ a: [e500, e500, ok] });
    const r = await dispatch([a], d.deps);
    expect(r.ok).toBe(true);
    expect(d.calls).toEqual(["a#0", "a#1", "a#2"]);
    expect(d.sleeps).toEqual([37.5, 75]);
    expect(r.attempts.map((x) => x.ok)).toEqual([false, false, true]);
    expect(r.attempts[2]!.ms).toBe(10);
  });

  it("goes to the fallback after retries run out, and not before", async () => {
    const d = deps({ a: [e500, e500, e500], b: [ok] });
    const r = await dispatch(fallbackChain(a, registry), d.deps);
    expect(d.calls).toEqual(["a#0", "a#1", "a#2", "b#0"]);
    expect(r.ok && r.specialist.id).toBe("b");
  });

  it("does not retry a timeout or a 4xx, but does fall back", async () => {
    for (const failure of [timeout, e400]) {
      const d = deps({ a: [failure], b: [ok] });
      const r = await dispatch(fallbackChain(a, registry), d.deps);
      expect(d.calls).toEqual(["a#0", "b#0"]);
      expect(r.ok).toBe(true);
    }
  });

  it("returns the last failure when everything fails", async () => {
    const d = deps({ a: [e500, e500, e500], b: [timeout] });
    const r = await dispatch(fallbackChain(a, registry), d.deps);
    expect(r.ok).toBe(false);
    expect(!r.ok && r.failure.kind).toBe("timeout");
    expect(r.attempts).toHaveLength(4);
  });

  it("honours a short Retry-After and refuses to wait out a long one", () => {
    expect(isRetryable({ kind: "rate_limited", retryAfterSeconds: 1, detail: "" })).toBe(true);
    expect(isRetryable({ kind: "rate_limited", retryAfterSeconds: 60, detail: "" })).toBe(false);
    expect(backoffMs(0, { kind: "rate_limited", retryAfterSeconds: 1, detail: "" }, () => 0)).toBe(1000);
    expect(backoffMs(3, { kind: "unreachable", detail: "" }, () => 0.999)).toBeLessThan(MAX_RETRY_WAIT_MS);
    expect(isRetryable({ kind: "bad_response", detail: "" })).toBe(false);
    expect(isRetryable({ kind: "unreachable", detail: "" })).toBe(true);
  });
});
