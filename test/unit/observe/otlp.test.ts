import { describe, expect, it } from "vitest";
import { hrTime, otlpJson, tracesUrl } from "../../../worker/observe/otlp.ts";
import type { SpanRecord } from "../../../worker/observe/span.ts";

const TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
const spans: SpanRecord[] = [
  {
    traceId: TRACE,
    spanId: "00f067aa0ba902b7",
    parentSpanId: "b7ad6b7169203331",
    name: "POST /v1/route",
    kind: "server",
    startMs: 1_700_000_000_000.5,
    endMs: 1_700_000_000_012,
    attributes: { "http.request.method": "POST", "http.response.status_code": 502, "switchyard.hop.id": "hop_x" },
    status: { code: "error", message: "specialist failed" },
  },
  {
    traceId: TRACE,
    spanId: "1111111111111111",
    parentSpanId: "00f067aa0ba902b7",
    name: "specialist.call",
    kind: "client",
    startMs: 1_700_000_000_001,
    endMs: 1_700_000_000_011,
    attributes: { "switchyard.specialist": "units", "switchyard.attempt": 0, "switchyard.cost_usd": 0.25, ok: false },
    status: { code: "ok" },
  },
  { traceId: TRACE, spanId: "2222222222222222", name: "task", kind: "internal", startMs: 1, endMs: null, attributes: {}, status: { code: "unset" } },
];

type AnyValue = { stringValue?: string; intValue?: number | string; doubleValue?: number; boolValue?: boolean };
type OtlpSpan = {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  startTimeUnixNano: string;
  endTimeUnixNano: string;
  attributes: { key: string; value: AnyValue }[];
  status: { code: number; message?: string };
  flags: number;
};

describe("OTLP JSON mapping", () => {
  const body = JSON.parse(otlpJson(spans, { serviceName: "switchyard-test", serviceVersion: "1.2.3" })) as {
    resourceSpans: { resource: { attributes: { key: string; value: AnyValue }[] }; scopeSpans: { scope: { name: string; version?: string }; spans: OtlpSpan[] }[] }[];
  };

  it("nests resourceSpans → scopeSpans → spans with the service resource and the router's scope", () => {
    expect(body.resourceSpans).toHaveLength(1);
    const rs = body.resourceSpans[0]!;
    expect(rs.resource.attributes).toEqual(
      expect.arrayContaining([
        { key: "service.name", value: { stringValue: "switchyard-test" } },
        { key: "service.version", value: { stringValue: "1.2.3" } },
      ]),
    );
    expect(rs.scopeSpans).toHaveLength(1);
    expect(rs.scopeSpans[0]!.scope).toEqual({ name: "switchyard", version: "1.2.3" });
  });

  it("maps ids as hex, times as nanosecond strings, kinds and status codes as OTLP numbers; open spans are left out", () => {
    const [req, call] = body.resourceSpans[0]!.scopeSpans[0]!.spans;
    expect(body.resourceSpans[0]!.scopeSpans[0]!.spans).toHaveLength(2);
    expect(req).toMatchObject({ traceId: TRACE, spanId: "00f067aa0ba902b7", parentSpanId: "b7ad6b7169203331", name: "POST /v1/route", kind: 2 });
    expect(req!.startTimeUnixNano).toBe("1700000000000500000");
    expect(req!.endTimeUnixNano).toBe("1700000000012000000");
    expect(req!.status).toEqual({ code: 2, message: "specialist failed" });
    expect(req!.flags & 0x300).toBe(0x300); // the caller's span is a remote parent
    expect(call).toMatchObject({ parentSpanId: "00f067aa0ba902b7", kind: 3, status: { code: 1 } });
    expect(call!.flags & 0x300).toBe(0x100);
  });

  it("maps attributes to KeyValue with AnyValue by type", () => {
    const call = body.resourceSpans[0]!.scopeSpans[0]!.spans[1]!;
    const attr = Object.fromEntries(call.attributes.map((a) => [a.key, a.value]));
    expect(attr["switchyard.specialist"]).toEqual({ stringValue: "units" });
    expect(Number(attr["switchyard.attempt"]!.intValue)).toBe(0);
    expect(attr["switchyard.cost_usd"]).toEqual({ doubleValue: 0.25 });
    expect(attr.ok).toEqual({ boolValue: false });
  });

  it("converts epoch ms to HrTime without losing the sub-millisecond part", () => {
    expect(hrTime(1_700_000_000_123.25)).toEqual([1_700_000_000, 123_250_000]);
    expect(hrTime(0)).toEqual([0, 0]);
  });

  it("appends /v1/traces to a collector's base URL", () => {
    expect(tracesUrl("http://127.0.0.1:4318")).toBe("http://127.0.0.1:4318/v1/traces");
    expect(tracesUrl("http://c.example/otlp/")).toBe("http://c.example/otlp/v1/traces");
    expect(tracesUrl("http://c.example/v1/traces")).toBe("http://c.example/v1/traces");
  });
});
