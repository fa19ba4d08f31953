import { describe, expect, it } from "vitest";
import { ATTR, SPAN } from "../../../worker/observe/attributes.ts";
import { hopLog, levelOf } from "../../../worker/observe/log.ts";
import type { SpanRecord } from "../../../worker/observe/span.ts";

const s = (name: string, attributes: SpanRecord["attributes"]): SpanRecord => ({ traceId: "t", spanId: "s", name, kind: "internal", startMs: 0, endMs: 1, attributes, status: { code: "unset" } });
const base = { at: Date.parse("2026-11-23T10:00:00Z"), traceId: "abc", tenant: "acme", ms: 12.3456, hop: "hop_1" };

describe("hop log line", () => {
  it("summarizes a hop served after a retry and a fallback", () => {
    const line = hopLog(
      [
        s(SPAN.intent, { [ATTR.intentLabel]: "units.convert" }),
        s(SPAN.admission, { [ATTR.specialist]: "units", [ATTR.admission]: "admitted" }),
        s(SPAN.call, { [ATTR.specialist]: "units", [ATTR.outcome]: "http_error", [ATTR.costUsd]: 0.001 }),
        s(SPAN.admission, { [ATTR.specialist]: "units", [ATTR.admission]: "denied", [ATTR.errorType]: "circuit_open" }),
        s(SPAN.call, { [ATTR.specialist]: "general", [ATTR.outcome]: "ok", [ATTR.costUsd]: 0.002 }),
      ],
      { ...base, status: 200 },
    );
    expect(line).toEqual({
      ts: "2026-11-23T10:00:00.000Z",
      level: "info",
      msg: "hop",
      hop: "hop_1",
      trace: "abc",
      tenant: "acme",
      intent: "units.convert",
      specialist: "general",
      outcome: "ok",
      status: 200,
      attempts: 3,
      ms: 12.346,
      costUsd: 0.003,
    });
  });

  it("reports the last failure kind, and 'refused' for hops refused before or after any call", () => {
    expect(hopLog([s(SPAN.call, { [ATTR.specialist]: "x", [ATTR.outcome]: "timeout" })], { ...base, status: 504 })).toMatchObject({ outcome: "timeout", level: "error", specialist: "x" });
    expect(hopLog([], { ...base, status: 404 })).toMatchObject({ outcome: "refused", level: "warn", specialist: null, attempts: 0, intent: null });
    expect(hopLog([s(SPAN.call, { [ATTR.specialist]: "x", [ATTR.outcome]: "ok" })], { ...base, status: 422 })).toMatchObject({ outcome: "refused" });
  });

  it("names a task step instead of a hop", () => {
    const line = hopLog([], { ...base, hop: undefined, task: "task_1", step: "a", status: 200, intent: null });
    expect(line).toMatchObject({ task: "task_1", step: "a" });
    expect(line).not.toHaveProperty("hop");
  });

  it("names the MCP tool of a tool call, from its last attempt, and no tool for any other hop", () => {
    const tool = { [ATTR.tool]: "github__create_issue" };
    const called = hopLog([s(SPAN.call, { [ATTR.specialist]: "github", [ATTR.outcome]: "ok", ...tool })], { ...base, status: 200 });
    expect(called).toMatchObject({ tool: "github__create_issue", specialist: "github", outcome: "ok" });
    const denied = hopLog([s(SPAN.admission, { [ATTR.specialist]: "github", [ATTR.admission]: "denied", [ATTR.errorType]: "approval_required", ...tool })], { ...base, status: 422 });
    expect(denied).toMatchObject({ tool: "github__create_issue", outcome: "approval_required" });
    expect(hopLog([s(SPAN.call, { [ATTR.specialist]: "units", [ATTR.outcome]: "ok" })], { ...base, status: 200 })).not.toHaveProperty("tool");
    expect(hopLog([], { ...base, status: 404 })).not.toHaveProperty("tool");
    expect(hopLog([s(SPAN.call, { [ATTR.specialist]: "x", [ATTR.outcome]: "ok", [ATTR.tool]: 3 })], { ...base, status: 200 })).not.toHaveProperty("tool");
    // an admitted admission span is no attempt: the tool comes from the call
    expect(hopLog([s(SPAN.call, { [ATTR.specialist]: "units", [ATTR.outcome]: "ok" }), s(SPAN.admission, { [ATTR.specialist]: "github", [ATTR.admission]: "admitted", ...tool })], { ...base, status: 200 })).not.toHaveProperty("tool");
  });

  it("counts an escalation's call in the cost, not in the attempts, and says how the escalation ended", () => {
    const child = (name: string, attributes: SpanRecord["attributes"]): SpanRecord => ({ ...s(name, attributes), spanId: `c${name}`, parentSpanId: "esc" });
    const spans = [
      { ...s(SPAN.escalation, { [ATTR.specialist]: "llm", [ATTR.escalationOutcome]: "picked" }), spanId: "esc" },
      child(SPAN.admission, { [ATTR.specialist]: "llm", [ATTR.admission]: "admitted" }),
      child(SPAN.call, { [ATTR.specialist]: "llm", [ATTR.outcome]: "ok", [ATTR.costUsd]: 0.004 }),
      s(SPAN.call, { [ATTR.specialist]: "units", [ATTR.outcome]: "ok", [ATTR.costUsd]: 0.001 }),
    ];
    expect(hopLog(spans, { ...base, status: 200 })).toMatchObject({ specialist: "units", attempts: 1, costUsd: 0.005, escalation: "picked" });
    // refused before any call of its own: the escalation's call is not its last attempt
    expect(hopLog(spans.slice(0, 3), { ...base, status: 422 })).toMatchObject({ specialist: null, attempts: 0, outcome: "refused", escalation: "picked" });
    expect(hopLog(spans.slice(3), { ...base, status: 200 })).not.toHaveProperty("escalation");
  });

  it("levels by status", () => {
    expect([levelOf(200), levelOf(429), levelOf(502)]).toEqual(["info", "warn", "error"]);
  });
});
