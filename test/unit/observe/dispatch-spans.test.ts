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

describe("dispatch spans: attributes of every span", () => {
  it("go on the admission and call spans of every attempt, and cannot replace the specialist or attempt", async () => {
    const t = new Tracer({ traceId: TRACE, clock: () => 0 });
    const attributes = { "gen_ai.tool.name": "github__create_issue", "switchyard.specialist": "forged", "switchyard.attempt": "forged" };
    const deps = traceAttempts(t, undefined, { admit: async () => ({ ok: true, done: () => {} }), call: async () => ({ ok: true, output: {}, usage: {} }) }, "unused", attributes);
    await deps.admit!(spec("github"), 0);
    await deps.call(spec("github"), 0);
    await deps.admit!(spec("github"), 1);
    expect(t.spans.map((s) => [s.name, s.attributes["gen_ai.tool.name"], s.attributes["switchyard.specialist"], s.attributes["switchyard.attempt"]])).toEqual([
      ["admission", "github__create_issue", "github", 0],
      ["specialist.call", "github__create_issue", "github", 0],
      ["admission", "github__create_issue", "github", 1],
    ]);
  });

  it("without attributes, the spans carry none of their own", async () => {
    const t = new Tracer({ traceId: TRACE, clock: () => 0 });
    const deps = traceAttempts(t, undefined, { admit: async () => ({ ok: false, failure: { kind: "disabled", detail: "off" } }), call: async () => ({ ok: true, output: {}, usage: {} }) }, "unused");
    await deps.admit!(spec("units"), 0);
    await deps.call(spec("units"), 0);
    for (const s of t.spans) expect(s.attributes).not.toHaveProperty("gen_ai.tool.name");
  });
});

describe("dispatch spans: exceptions, streams and bodies", () => {
  it("an admission or a call that throws ends its span as an exception and rethrows", async () => {
    const t = new Tracer({ traceId: TRACE, clock: () => 0 });
    const deps = traceAttempts(t, "00f067aa0ba902b7", { admit: async () => Promise.reject(new Error("pool gone")), call: async () => Promise.reject(new Error("socket")) }, "unused");
    await expect(deps.admit!(spec("units"), 0)).rejects.toThrow("pool gone");
    await expect(deps.call(spec("units"), 1)).rejects.toThrow("socket");
    expect(t.spans.map((s) => ({ name: s.name, status: s.status, attributes: s.attributes }))).toEqual([
      { name: "admission", status: { code: "error", message: "Error: pool gone" }, attributes: { "switchyard.specialist": "units", "switchyard.attempt": 0, "switchyard.admission": "error", "error.type": "exception" } },
      {
        name: "specialist.call",
        status: { code: "error", message: "Error: socket" },
        attributes: { "switchyard.specialist": "units", "switchyard.attempt": 1, "switchyard.endpoint.type": "http", "switchyard.outcome": "exception", "error.type": "exception", "switchyard.cost_usd": 0.01 },
      },
    ]);
  });

  it("an admitted call's span says admitted; a failure's body goes to the trace after its detail", async () => {
    const t = new Tracer({ traceId: TRACE, clock: () => 0 });
    const deps = traceAttempts(t, undefined, { admit: async () => ({ ok: true, done: () => {} }), call: async () => ({ ok: false, failure: { kind: "http_error", status: 500, detail: "specialist answered 500", body: "stack trace" } }) }, "unused");
    await deps.admit!(spec("units"), 0);
    await deps.call(spec("units"), 0);
    expect(t.spans[0]).toMatchObject({ status: { code: "ok" }, attributes: { "switchyard.admission": "admitted" } });
    expect(t.spans[1]!.status).toEqual({ code: "error", message: "specialist answered 500: stack trace" });
  });

  it("a streamed call's span ends when the stream settles, with how it ended", async () => {
    let now = 0;
    const t = new Tracer({ traceId: TRACE, clock: () => now });
    let settle!: (o: SpecialistOutcome) => void;
    const settled = new Promise<SpecialistOutcome>((r) => (settle = r));
    const deps = traceAttempts(t, undefined, { call: async () => ({ ok: true, output: "stream", usage: {}, settled }) }, "unused");
    await deps.call(spec("units"), 0);
    expect(t.spans).toEqual([]);
    now = 40;
    settle({ ok: false, failure: { kind: "truncated", detail: "cut" } });
    await settled;
    await Promise.resolve();
    expect(t.spans.map((s) => [s.status, s.attributes["switchyard.outcome"], s.endMs])).toEqual([[{ code: "error", message: "cut" }, "truncated", 40]]);
  });
});
