import { describe, expect, it } from "vitest";
import type { SpecialistOutcome } from "../../../worker/routing/hop.ts";
import { loadConfig } from "../../../worker/config/load.ts";
import { backoffMs, callsMade, dispatch, fallbackChain, isRetryable, MAX_RETRY_WAIT_MS } from "../../../worker/routing/dispatch.ts";

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

  it("a refusal or a caller that went away ends the hop: no retry, no fallback", async () => {
    const refused: SpecialistOutcome = { ok: false, failure: { kind: "refused", status: 422, detail: "division by zero" } };
    const gone: SpecialistOutcome = { ok: false, failure: { kind: "client_closed", detail: "gone" } };
    for (const f of [refused, gone]) {
      const d = deps({ a: [f], b: [ok] });
      const r = await dispatch(fallbackChain(a, registry), d.deps);
      expect(d.calls).toEqual(["a#0"]);
      expect(!r.ok && r.failure.kind).toBe(f.ok ? "" : f.failure.kind);
    }
  });

  it("a disabled specialist's own fallbacks do not stand in for it; other candidates still may", async () => {
    const denyA = async (s: { id: string }) => (s.id === "a" ? { ok: false as const, failure: { kind: "disabled" as const, detail: "off" } } : { ok: true as const, done: () => {} });
    const d = deps({ b: [ok] });
    expect(await dispatch(fallbackChain(a, registry), { ...d.deps, admit: denyA })).toMatchObject({ ok: false, failure: { kind: "disabled" } });
    expect(d.calls).toEqual([]);
    const asCandidate = await dispatch(fallbackChain([a, registry.get("b")!], registry), { ...d.deps, admit: denyA });
    expect(asCandidate.ok && asCandidate.specialist.id).toBe("b");
  });

  it("an adapter that throws is a failed call whose admission is still finished (its lease released)", async () => {
    const done: SpecialistOutcome[] = [];
    const r = await dispatch([registry.get("b")!], {
      call: async () => {
        throw new TypeError("invalid header value");
      },
      admit: async () => ({ ok: true, done: (o: SpecialistOutcome) => void done.push(o) }),
      sleep: async () => {},
      rng: () => 0,
      now: () => 0,
    });
    expect(r).toMatchObject({ ok: false, failure: { kind: "misconfigured", detail: "the call could not be made: invalid header value" } });
    expect(done).toHaveLength(1);
    expect(done[0]).toMatchObject({ ok: false });
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

describe("callsMade", () => {
  it("counts the attempts that called the specialist: answered or failed by it, not those admission refused", () => {
    const refused = ["over_limit", "circuit_open", "disabled", "policy_denied", "approval_required"].map((kind) => ({ ok: false, failure: { kind } }));
    const called = ["timeout", "http_error", "bad_response", "unreachable", "truncated", "refused", "client_closed", "rate_limited"].map((kind) => ({ ok: false, failure: { kind } }));
    expect(callsMade(refused)).toBe(0);
    expect(callsMade(called)).toBe(called.length);
    expect(callsMade([{ ok: true }, ...refused, { ok: true, failure: { kind: "policy_denied" } }])).toBe(2);
    expect(callsMade([{ ok: false }])).toBe(1); // a failure without a kind was a call that failed
    expect(callsMade([])).toBe(0);
  });
});
