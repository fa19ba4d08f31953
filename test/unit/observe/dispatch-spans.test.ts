import { describe, expect, it } from "vitest";
import type { SpecialistOutcome } from "../../../worker/routing/hop.ts";
import { Specialist } from "../../../worker/config/schema.ts";
import { traceAttempts } from "../../../worker/observe/dispatch-spans.ts";
import { Tracer } from "../../../worker/observe/span.ts";
import { dispatch } from "../../../worker/routing/dispatch.ts";

const TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
const spec = (id: string, extra: Record<string, unknown> = {}) =>
  Specialist.parse({ id, endpoint: { type: "http", url: `https://${id}.example` }, costPerCall: 0.01, ...extra });

describe("dispatch spans", () => {
  it("records an admission and a client call span per attempt, and sends each call its own traceparent", async () => {
    let now = 0;
    const t = new Tracer({ traceId: TRACE, clock: () => now });
    const sent: string[] = [];
    const outcomes: SpecialistOutcome[] = [
      { ok: false, failure: { kind: "http_error", status: 503, detail: "down" } },
      { ok: true, output: "hi", usage: { costUsd: 0.5, inputTokens: 3, outputTokens: 4 } },
    ];
    const deps = traceAttempts(
      t,
      "00f067aa0ba902b7",
      {
        admit: async (s) => (s.id === "busy" ? { ok: false, failure: { kind: "over_limit", detail: "pool full", retryAfterSeconds: 2 } } : { ok: true, done: () => {} }),
        call: async (_s, _a, traceparent) => {
          sent.push(traceparent);
          now += 7;
          return outcomes.shift()!;
        },
      },
      "unused",
    );
    const r = await dispatch([spec("busy"), spec("units", { retries: 1 })], { ...deps, sleep: async () => {}, rng: () => 0, now: () => now });
    expect(r.ok).toBe(true);
    expect(t.spans.map((s) => [s.name, s.attributes["switchyard.specialist"], s.attributes["switchyard.attempt"]])).toEqual([
      ["admission", "busy", 0],
      ["admission", "units", 0],
      ["specialist.call", "units", 0],
      ["admission", "units", 1],
      ["specialist.call", "units", 1],
    ]);
    const [denied, , failed, , ok] = t.spans;
    expect(denied).toMatchObject({ status: { code: "error", message: "pool full" }, attributes: { "switchyard.admission": "denied", "error.type": "over_limit", "switchyard.retry_after_s": 2 } });
    expect(failed).toMatchObject({ kind: "client", status: { code: "error" }, attributes: { "switchyard.outcome": "http_error", "http.response.status_code": 503, "switchyard.cost_usd": 0.01 } });
    expect(ok).toMatchObject({ status: { code: "ok" }, attributes: { "switchyard.outcome": "ok", "switchyard.cost_usd": 0.51, "gen_ai.usage.input_tokens": 3 } });
    expect(ok!.endMs! - ok!.startMs).toBe(7);
    for (const s of t.spans) expect(s.parentSpanId).toBe("00f067aa0ba902b7");
    expect(sent).toEqual([`00-${TRACE}-${failed!.spanId}-01`, `00-${TRACE}-${ok!.spanId}-01`]);
  });

  it("without a tracer, passes the fallback traceparent and records nothing", async () => {
    const seen: string[] = [];
    const deps = traceAttempts(undefined, undefined, { call: async (_s, _a, tp) => (seen.push(tp), { ok: true, output: 1, usage: {} }) }, "00-tp");
    await deps.call(spec("units"), 0);
    expect(seen).toEqual(["00-tp"]);
    expect(deps.admit).toBeUndefined();
  });
});
