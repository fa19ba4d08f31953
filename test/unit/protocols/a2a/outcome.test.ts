import { describe, expect, it } from "vitest";
import { decodeSendResult, messageOutput, outputOf, rpcErrorFailure, rpcResult, taskOutcome, type RemoteTask } from "../../../../worker/protocols/a2a/outcome.ts";

const text = (t: string) => ({ kind: "text" as const, text: t });
const msg = { messageId: "m", role: "agent", parts: [{ kind: "text", text: "hi" }] };

describe("rpcErrorFailure", () => {
  it("server errors (-32000 to -32099) are 422, other codes 502", () => {
    for (const code of [-32000, -32010, -32099]) expect(rpcErrorFailure({ code, message: "x" }), String(code)).toEqual({ kind: "http_error", status: 422, detail: `A2A agent error ${code}: x` });
    for (const code of [-31999, -32100, 0, 1, 32050]) expect(rpcErrorFailure({ code, message: "x" }).status, String(code)).toBe(502);
  });
});

describe("rpcResult", () => {
  it("names the call and keeps the HTTP status when given", () => {
    expect(rpcResult("x", "GetTask", 200)).toStrictEqual({ ok: false, failure: { kind: "bad_response", status: 200, detail: "GetTask: the reply is not a JSON-RPC 2.0 response" } });
    expect(rpcResult(null, "GetTask")).toStrictEqual({ ok: false, failure: { kind: "bad_response", detail: "GetTask: the reply is not a JSON-RPC 2.0 response" } });
    expect(rpcResult({ jsonrpc: "2.0", id: 1 }, "SendMessage", 200)).toStrictEqual({ ok: false, failure: { kind: "bad_response", status: 200, detail: "SendMessage: the reply has neither result nor error" } });
    expect(rpcResult({ jsonrpc: "2.0", id: 1 }, "SendMessage")).toStrictEqual({ ok: false, failure: { kind: "bad_response", detail: "SendMessage: the reply has neither result nor error" } });
  });

  it("an error without a numeric code is an internal error; without a message it says so", () => {
    expect(rpcResult({ jsonrpc: "2.0", id: 1, error: { code: "x", message: 5 } }, "c")).toEqual({ ok: false, failure: { kind: "http_error", status: 500, detail: "A2A agent error -32603: (no message)" } });
    expect(rpcResult({ jsonrpc: "2.0", id: 1, error: { code: -32001, message: "gone" } }, "c")).toEqual({ ok: false, failure: { kind: "bad_response", detail: "A2A agent error -32001: gone" } });
  });

  it("a result, even null, is the result", () => {
    expect(rpcResult({ jsonrpc: "2.0", id: 1, result: null }, "c")).toEqual({ ok: true, result: null });
  });
});

describe("decodeSendResult", () => {
  it("no object is no result", () => {
    for (const r of [null, undefined, "x", [], [msg]]) expect(decodeSendResult(r), JSON.stringify(r)).toBeUndefined();
  });

  it("a task: 1.x `{ task }` (even beside a message), 0.3 by its kind, or any object with a status", () => {
    const task = { id: "t", contextId: "c", status: { state: "completed" } };
    expect(decodeSendResult({ task, message: msg })).toMatchObject({ task: { id: "t" } });
    expect(decodeSendResult({ kind: "task", ...task })).toMatchObject({ task: { id: "t" } });
    expect(decodeSendResult(task)).toMatchObject({ task: { id: "t", status: { state: "completed" } } });
  });

  it("an object that says it is a task is read as one, and refused when it is not", () => {
    expect(decodeSendResult({ kind: "task", id: "t", ...msg })).toBeUndefined();
  });

  it("a message: 1.x `{ message }` or 0.3's", () => {
    expect(decodeSendResult({ message: msg })).toMatchObject({ message: { messageId: "m" } });
    expect(decodeSendResult({ kind: "message", ...msg })).toMatchObject({ message: { messageId: "m" } });
    expect(decodeSendResult({ message: msg, status: { state: "completed" } })).toMatchObject({ message: { messageId: "m" } });
  });
});

describe("outputOf", () => {
  const file = { kind: "file" as const, url: "https://f.example/a.pdf", mediaType: "application/pdf" };
  it("text, one data part as is, several as a list, files as they are", () => {
    expect(outputOf([text("a"), { kind: "data", data: { x: 1 } }], { taskId: "t" })).toStrictEqual({ text: "a", data: { x: 1 }, a2a: { taskId: "t" } });
    expect(outputOf([{ kind: "data", data: 1 }, { kind: "data", data: 2 }, file], {})).toStrictEqual({ text: "", data: [1, 2], files: [file], a2a: {} });
    expect(outputOf([text("a")], {})).toStrictEqual({ text: "a", a2a: {} });
  });

  it("a Message's output names it and its context", () => {
    expect(messageOutput({ messageId: "m", role: "agent", parts: [text("hi")] })).toStrictEqual({ text: "hi", a2a: { messageId: "m" } });
    expect(messageOutput({ messageId: "m", role: "agent", parts: [text("hi")], contextId: "c" })).toStrictEqual({ text: "hi", a2a: { messageId: "m", contextId: "c" } });
  });
});

describe("taskOutcome", () => {
  const task = (state: string, over: Partial<RemoteTask> = {}): RemoteTask => ({ id: "t", contextId: "c", status: { state: state as never }, ...over });
  it("completed with neither artifacts nor a status message is empty output", () => {
    expect(taskOutcome(task("completed"))).toStrictEqual({ ok: true, output: { text: "", a2a: { taskId: "t", contextId: "c", state: "completed" } } });
  });

  it("every other end is a failure, its status by state, with what the agent said", () => {
    const said = { messageId: "m", role: "agent" as const, parts: [text("no")] };
    expect(taskOutcome(task("failed", { status: { state: "failed", message: said } }))).toEqual({ ok: false, failure: { kind: "http_error", status: 500, detail: "A2A task t ended failed: no" } });
    expect(taskOutcome(task("rejected"))).toMatchObject({ failure: { status: 422, detail: "A2A task t ended rejected" } });
    expect(taskOutcome(task("input-required"))).toMatchObject({ failure: { status: 422 } });
    expect(taskOutcome(task("auth-required"))).toMatchObject({ failure: { status: 401 } });
    expect(taskOutcome(task("canceled"))).toMatchObject({ failure: { status: 409 } });
    expect(taskOutcome(task("working"))).toEqual({ ok: false, failure: { kind: "bad_response", detail: "A2A task t ended working" } });
  });
});
