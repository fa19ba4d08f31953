import { describe, expect, it, inject, vi } from "vitest";
import { sha256Hex } from "../../worker/intent/record.ts";
import { callWith, configWith, problem } from "./helpers.ts";

type Span = { traceId: string; spanId: string; parentSpanId?: string; name: string; kind: string; startMs: number; endMs: number | null; durationMs: number | null; attributes: Record<string, string | number | boolean>; status: { code: string; message?: string } };
type Trace = { id: string; traceId: string; spans: Span[] };

const TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
const CALLER = "00f067aa0ba902b7";
const traceparent = (traceId = TRACE, flags = "01") => `00-${traceId}-${CALLER}-${flags}`;
/** A fresh trace id per test, so collector lookups only see that test's spans. */
const newTraceId = () => crypto.randomUUID().replaceAll("-", "");

/** A hop through the router, waiting for its after-response work (trace store, metrics, export). */
async function hop(json: unknown, headers: Record<string, string> = {}, path = "/v1/route") {
  return callWith({}, path, { json, headers });
}

async function trace(id: string, headers: Record<string, string> = {}): Promise<{ status: number; body: Trace }> {
  const res = await callWith({}, `/v1/hops/${id}/trace`, { headers });
  return { status: res.status, body: (await res.json()) as Trace };
}

const spanIdOf = (tp: string | null) => tp!.split("-")[2]!;

describe("GET /v1/hops/:id/trace", () => {
  it("has the request span (the caller's child), then intent, decide, admission and the call, in the caller's trace", async () => {
    const res = await hop({ input: "convert 5 km to miles" }, { traceparent: traceparent() });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { id: string };
    expect(res.headers.get("x-switchyard-hop")).toBe(body.id);
    const t = await trace(body.id);
    expect(t.status).toBe(200);
    expect(t.body).toMatchObject({ id: body.id, traceId: TRACE });
    const root = t.body.spans.find((s) => s.name === "POST /v1/route")!;
    expect(root).toMatchObject({ kind: "server", spanId: spanIdOf(res.headers.get("traceparent")), parentSpanId: CALLER, status: { code: "unset" } });
    expect(root.attributes).toMatchObject({ "http.request.method": "POST", "http.route": "/v1/route", "http.response.status_code": 200, "switchyard.hop.id": body.id, "switchyard.tenant": "dev", "switchyard.specialist": "units" });
    const names = t.body.spans.map((s) => s.name);
    expect(names).toEqual(expect.arrayContaining(["intent", "decide", "admission", "specialist.call"]));
    for (const s of t.body.spans) {
      expect(s.traceId).toBe(TRACE);
      if (s !== root) expect(s.parentSpanId).toBe(root.spanId);
      expect(s.endMs).toBeGreaterThanOrEqual(s.startMs);
    }
    expect(t.body.spans.find((s) => s.name === "intent")!.attributes).toMatchObject({ "switchyard.intent.label": "units.convert", "switchyard.intent.source": expect.any(String) });
    expect(t.body.spans.find((s) => s.name === "specialist.call")).toMatchObject({
      kind: "client",
      status: { code: "ok" },
      attributes: { "switchyard.specialist": "units", "switchyard.attempt": 0, "switchyard.outcome": "ok", "switchyard.endpoint.type": "service" },
    });
  });

  it("sends each specialist call its own span as the parent in traceparent", async () => {
    const res = await hop({ input: "echo", specialist: "fault-ok" }, { traceparent: traceparent() });
    const body = (await res.json()) as { id: string; output: { traceparent: string } };
    const call = (await trace(body.id)).body.spans.find((s) => s.name === "specialist.call")!;
    expect(body.output.traceparent).toBe(`00-${TRACE}-${call.spanId}-01`);
  });

  it("records a failed hop: every attempt with its failure kind and status, the request span as an error, the hop id in the problem", async () => {
    const res = await hop({ input: "x", specialist: "fault-error" }, { traceparent: traceparent() });
    expect(res.status).toBe(502);
    const p = await problem(res);
    expect(p.hop).toMatch(/^hop_/);
    const t = await trace(p.hop as string);
    const root = t.body.spans.find((s) => s.kind === "server")!;
    expect(root).toMatchObject({ status: { code: "error" }, attributes: { "http.response.status_code": 502 } });
    const call = t.body.spans.find((s) => s.name === "specialist.call")!;
    expect(call).toMatchObject({ status: { code: "error" }, attributes: { "switchyard.specialist": "fault-error", "switchyard.outcome": "http_error", "error.type": "http_error", "http.response.status_code": 500 } });
  });

  it("traces chat completions as hops too", async () => {
    const res = await hop({ model: "auto", messages: [{ role: "user", content: "what is 2 + 3" }] }, {}, "/v1/chat/completions");
    expect(res.status).toBe(200);
    const body = (await res.json()) as { switchyard: { hop: string } };
    const t = await trace(body.switchyard.hop);
    expect(t.body.spans.find((s) => s.kind === "server")!.name).toBe("POST /v1/chat/completions");
    expect(t.body.spans.some((s) => s.name === "specialist.call" && s.attributes["switchyard.specialist"] === "arithmetic")).toBe(true);
  });

  it("is the tenant's own: another tenant, an unknown id and an unsampled trace get 404", async () => {
    const body = (await (await hop({ input: "echo", specialist: "fault-ok" })).json()) as { id: string };
    const other = await callWith({ API_KEYS: JSON.stringify({ [await sha256Hex("other-key")]: "other" }) }, `/v1/hops/${body.id}/trace`, { headers: { authorization: "Bearer other-key" } });
    expect(other.status).toBe(404);
    expect((await trace(`hop_${crypto.randomUUID()}`)).status).toBe(404);
    expect((await trace("hop_nope")).status).toBe(400);
    const unsampled = (await (await hop({ input: "echo", specialist: "fault-ok" }, { traceparent: traceparent(newTraceId(), "00") })).json()) as { id: string };
    expect((await trace(unsampled.id)).status).toBe(404);
  });

  it("samples new traces at observability.sampleRatio: at 0 a hop without a traceparent is not stored, at 1 it is", async () => {
    const at = (sampleRatio: number) => configWith((c) => void (c.observability = { ...c.observability, sampleRatio }));
    const off = await callWith({ SWITCHYARD_CONFIG: at(0) }, "/v1/route", { json: { input: "echo", specialist: "fault-ok" } });
    expect(off.headers.get("traceparent")).toMatch(/-00$/);
    expect((await callWith({ SWITCHYARD_CONFIG: at(0) }, `/v1/hops/${((await off.json()) as { id: string }).id}/trace`)).status).toBe(404);
    const on = await callWith({ SWITCHYARD_CONFIG: at(1) }, "/v1/route", { json: { input: "echo", specialist: "fault-ok" } });
    expect(on.headers.get("traceparent")).toMatch(/-01$/);
    expect((await callWith({ SWITCHYARD_CONFIG: at(1) }, `/v1/hops/${((await on.json()) as { id: string }).id}/trace`)).status).toBe(200);
  });
});

type Received = { headers: Record<string, string>; body: { resourceSpans: { resource: { attributes: { key: string; value: { stringValue?: string } }[] }; scopeSpans: { spans: { traceId: string; spanId: string; parentSpanId?: string; name: string; kind: number; startTimeUnixNano: string; endTimeUnixNano: string; status: { code: number } }[] }[] }[] } };
async function received(traceId: string): Promise<Received[]> {
  return ((await (await fetch(`${inject("otlpUrl")}/received?traceId=${traceId}`)).json()) as { requests: Received[] }).requests;
}

describe("OTLP export", () => {
  it("posts the hop's spans to the collector after the response, in the caller's trace with parent links", async () => {
    const traceId = newTraceId();
    const res = await hop({ input: "echo", specialist: "fault-ok" }, { traceparent: traceparent(traceId) });
    expect(res.status).toBe(200);
    const got = await received(traceId);
    expect(got).toHaveLength(1);
    expect(got[0]!.headers["x-collector-key"]).toBe("test");
    const rs = got[0]!.body.resourceSpans[0]!;
    expect(rs.resource.attributes).toContainEqual({ key: "service.name", value: { stringValue: "switchyard" } });
    const spans = rs.scopeSpans.flatMap((s) => s.spans);
    const root = spans.find((s) => s.name === "POST /v1/route")!;
    expect(root).toMatchObject({ traceId, parentSpanId: CALLER, kind: 2, spanId: spanIdOf(res.headers.get("traceparent")) });
    expect(spans.map((s) => s.name).sort()).toEqual(["POST /v1/route", "admission", "decide", "intent", "specialist.call"].sort());
    for (const s of spans) {
      expect(s.traceId).toBe(traceId);
      if (s !== root) expect(s.parentSpanId).toBe(root.spanId);
      expect(s.startTimeUnixNano).toMatch(/^\d{19}$/);
      expect(BigInt(s.endTimeUnixNano) >= BigInt(s.startTimeUnixNano)).toBe(true);
    }
    expect(spans.find((s) => s.name === "specialist.call")).toMatchObject({ kind: 3, status: { code: 1 } });
  });

  it("exports nothing for an unsampled trace, or without a collector configured", async () => {
    const unsampled = newTraceId();
    await hop({ input: "echo", specialist: "fault-ok" }, { traceparent: traceparent(unsampled, "00") });
    expect(await received(unsampled)).toEqual([]);
    const off = newTraceId();
    const noOtlp = configWith((c) => void (c.observability = { logs: false }));
    await callWith({ SWITCHYARD_CONFIG: noOtlp }, "/v1/route", { json: { input: "echo", specialist: "fault-ok" }, headers: { traceparent: traceparent(off) } });
    expect(await received(off)).toEqual([]);
  });
});

describe("hop logs", () => {
  it("writes one JSON line per hop, and none when logs are off", async () => {
    const spy = vi.spyOn(console, "log");
    try {
      const on = configWith((c) => void (c.observability = { logs: true }));
      const ok = (await (await callWith({ SWITCHYARD_CONFIG: on }, "/v1/route", { json: { input: "convert 5 km to miles" } })).json()) as { id: string };
      await callWith({ SWITCHYARD_CONFIG: on }, "/v1/route", { json: { input: "x", specialist: "fault-garbage" }, headers: { traceparent: traceparent() } });
      const lines = spy.mock.calls.map((c) => String(c[0])).filter((l) => l.startsWith("{")).map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l.msg === "hop");
      expect(lines).toHaveLength(2);
      expect(lines[0]).toMatchObject({ level: "info", hop: ok.id, tenant: "dev", intent: "units.convert", specialist: "units", outcome: "ok", status: 200, attempts: 1, costUsd: expect.any(Number) });
      expect(lines[0]!.trace).toMatch(/^[0-9a-f]{32}$/);
      expect(Date.parse(lines[0]!.ts as string)).not.toBeNaN();
      expect(lines[1]).toMatchObject({ level: "error", trace: TRACE, specialist: "fault-garbage", outcome: "bad_response", status: 502, intent: null });
      spy.mockClear();
      await callWith({}, "/v1/route", { json: { input: "echo", specialist: "fault-ok" } }); // the test config has logs off
      expect(spy.mock.calls.map((c) => String(c[0])).filter((l) => l.includes('"msg":"hop"'))).toEqual([]);
    } finally {
      spy.mockRestore();
    }
  });
});
