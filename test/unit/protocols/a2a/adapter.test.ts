import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { a2aAdapter, decodeSendResult, resetA2aCards, rpcErrorFailure, taskOutcome } from "../../../../worker/protocols/a2a/adapter.ts";
import { A2aEndpoint } from "../../../../worker/config/schema.ts";
import { startA2aUpstream, type A2aUpstream } from "../../../support/a2a-upstream.ts";

let upstream: A2aUpstream;
beforeAll(async () => {
  upstream = await startA2aUpstream();
});
afterAll(async () => {
  await upstream?.close();
});
beforeEach(() => resetA2aCards());

const traceparent = `00-${"a".repeat(32)}-${"b".repeat(16)}-01`;
const call = (path: string, input = "convert 5 km", opts: { timeoutMs?: number; secrets?: Record<string, string>; endpoint?: Record<string, unknown> } = {}) =>
  a2aAdapter.call(
    A2aEndpoint.parse({ type: "a2a", url: `${upstream.url}/${path}`, ...opts.endpoint }),
    { input, intent: { id: "in_" + "c".repeat(32), label: "units.convert", confidence: 0.9 }, idempotencyKey: `key-${path}-${crypto.randomUUID()}`, traceparent },
    { binding: (n) => opts.secrets?.[n], signal: AbortSignal.timeout(opts.timeoutMs ?? 3000) },
  );

describe("a2a adapter against @a2a-js/sdk agents", () => {
  it("sends SendMessage (1.0) and takes a Message answer: text, data, and where it came from", async () => {
    const out = await call("v1/echo", "hello there");
    expect(out).toMatchObject({ ok: true, output: { text: "echo: hello there", data: { chars: 11 }, a2a: { messageId: expect.any(String) } } });
    const seen = (await (await fetch(`${upstream.url}/seen?agent=v1/echo`)).json()) as Record<string, string>;
    expect(seen["a2a-version"]).toBe("1.0");
    expect(seen["idempotency-key"]).toMatch(/^key-v1\/echo-/);
    expect(seen.traceparent).toBe(traceparent);
    expect(seen["x-intent-id"]).toBe("in_" + "c".repeat(32));
  });

  it("takes a completed Task's artifacts as the output", async () => {
    expect(await call("v1/task", "hi")).toMatchObject({ ok: true, output: { text: "done: hi", data: { chars: 2 }, a2a: { state: "completed", taskId: expect.any(String) } } });
  });

  it("follows an unfinished task with GetTask until it completes", async () => {
    expect(await call("v1/slow", "later")).toMatchObject({ ok: true, output: { text: "done: later", a2a: { state: "completed" } } });
  });

  it("speaks 0.3 (message/send, tasks/get) to an agent whose card says 0.3", async () => {
    expect(await call("v03/echo", "old")).toMatchObject({ ok: true, output: { text: "echo: old", data: { chars: 3 } } });
    const seen = (await (await fetch(`${upstream.url}/seen?agent=v03/echo`)).json()) as Record<string, string>;
    expect(seen["a2a-version"]).toBeUndefined();
    expect(await call("v03/slow", "old")).toMatchObject({ ok: true, output: { text: "done: old" } });
  });

  it("maps a failed task, a task past the deadline, a missing card and a missing secret onto failure kinds", async () => {
    expect(await call("v1/fail")).toMatchObject({ ok: false, failure: { kind: "http_error", status: 500, detail: expect.stringContaining("failed: the agent broke") } });
    expect(await call("v1/hang", "x", { timeoutMs: 400 })).toMatchObject({ ok: false, failure: { kind: "timeout", detail: expect.stringContaining("still working") } });
    expect(await call("nowhere")).toMatchObject({ ok: false, failure: { kind: "http_error", status: 404, detail: expect.stringContaining("agent card") } });
    expect(await call("v1/echo", "x", { endpoint: { apiKeySecret: "A2A_KEY" } })).toMatchObject({ ok: false, failure: { kind: "misconfigured" } });
    expect(await call("v1/echo", "x", { endpoint: { apiKeySecret: "A2A_KEY" }, secrets: { A2A_KEY: "k" } })).toMatchObject({ ok: true });
    const seen = (await (await fetch(`${upstream.url}/seen?agent=v1/echo`)).json()) as Record<string, string>;
    expect(seen.authorization).toBe("Bearer k");
  });

  it("reports an unreachable agent", async () => {
    const out = await a2aAdapter.call(A2aEndpoint.parse({ type: "a2a", url: "http://127.0.0.1:9/agent" }), { input: "x", idempotencyKey: "k", traceparent }, { binding: () => undefined, signal: AbortSignal.timeout(2000) });
    expect(out).toMatchObject({ ok: false, failure: { kind: "unreachable" } });
  });
});

describe("a2a adapter mapping", () => {
  it("decodes SendMessage results of either version", () => {
    expect(decodeSendResult({ task: { id: "t", contextId: "c", status: { state: "TASK_STATE_WORKING" } } })).toMatchObject({ task: { id: "t", status: { state: "working" } } });
    expect(decodeSendResult({ message: { messageId: "m", role: "ROLE_AGENT", parts: [{ text: "x" }] } })).toMatchObject({ message: { messageId: "m" } });
    expect(decodeSendResult({ kind: "task", id: "t", status: { state: "completed" } })).toMatchObject({ task: { status: { state: "completed" } } });
    expect(decodeSendResult({ kind: "message", messageId: "m", role: "agent", parts: [{ kind: "text", text: "x" }] })).toMatchObject({ message: { role: "agent" } });
    expect(decodeSendResult({ nothing: true })).toBeUndefined();
    expect(decodeSendResult("text")).toBeUndefined();
  });

  it("maps task ends and JSON-RPC errors onto failure kinds", () => {
    const t = (state: string) => ({ id: "t", contextId: "", status: { state: state as never } });
    expect(taskOutcome(t("rejected"))).toMatchObject({ ok: false, failure: { kind: "http_error", status: 422 } });
    expect(taskOutcome(t("input-required"))).toMatchObject({ ok: false, failure: { status: 422 } });
    expect(taskOutcome(t("auth-required"))).toMatchObject({ ok: false, failure: { status: 401 } });
    expect(taskOutcome(t("canceled"))).toMatchObject({ ok: false, failure: { status: 409 } });
    expect(taskOutcome(t("unknown"))).toMatchObject({ ok: false, failure: { kind: "bad_response" } });
    expect(rpcErrorFailure({ code: -32603, message: "x" })).toMatchObject({ kind: "http_error", status: 500 });
    expect(rpcErrorFailure({ code: -32602, message: "x" })).toMatchObject({ kind: "http_error", status: 400 });
    expect(rpcErrorFailure({ code: -32601, message: "x" })).toMatchObject({ kind: "misconfigured" });
    expect(rpcErrorFailure({ code: -32001, message: "x" })).toMatchObject({ kind: "bad_response" });
    expect(rpcErrorFailure({ code: -32004, message: "x" })).toMatchObject({ kind: "http_error", status: 422 });
  });
});
