import { describe, expect, it } from "vitest";
import { parseCall, problemToRpc, RPC, versionSupported } from "../../../../worker/protocols/a2a/jsonrpc.ts";

const body = (o: unknown) => JSON.stringify(o);

describe("JSON-RPC envelope", () => {
  it("parses a call under either protocol's method names", () => {
    const v1 = parseCall(body({ jsonrpc: "2.0", id: 1, method: "SendMessage", params: { message: {} } }));
    expect(v1).toEqual({ ok: true, call: { id: 1, method: "SendMessage", op: "send", wire: "1.0", params: { message: {} } } });
    const v03 = parseCall(body({ jsonrpc: "2.0", id: "a", method: "tasks/cancel", params: { id: "t" } }));
    expect(v03).toMatchObject({ ok: true, call: { id: "a", op: "cancel", wire: "0.3" } });
    for (const [method, op] of [["SendStreamingMessage", "stream"], ["GetTask", "get"], ["CancelTask", "cancel"], ["SubscribeToTask", "subscribe"], ["message/send", "send"], ["message/stream", "stream"], ["tasks/get", "get"], ["tasks/resubscribe", "subscribe"]])
      expect(parseCall(body({ jsonrpc: "2.0", id: 2, method }))).toMatchObject({ ok: true, call: { op, params: {} } });
  });

  it("answers -32700 for a body that is not JSON", () => {
    expect(parseCall("{nope")).toEqual({ ok: false, id: null, error: { code: RPC.PARSE_ERROR, message: expect.stringMatching(/Parse error/) } });
    expect(parseCall("")).toMatchObject({ ok: false, error: { code: -32700 } });
  });

  it("answers -32600 for anything but one request with an id, keeping a valid id", () => {
    const cases: [unknown, string | number | null][] = [
      [[{ jsonrpc: "2.0", id: 1, method: "GetTask" }], null],
      ["text", null],
      [{ id: 3, method: "GetTask" }, 3],
      [{ jsonrpc: "1.0", id: "x", method: "GetTask" }, "x"],
      [{ jsonrpc: "2.0", method: "GetTask" }, null],
      [{ jsonrpc: "2.0", id: null, method: "GetTask" }, null],
      [{ jsonrpc: "2.0", id: { a: 1 }, method: "GetTask" }, null],
      [{ jsonrpc: "2.0", id: 4, method: 7 }, 4],
      [{ jsonrpc: "2.0", id: 5, method: "GetTask", params: [1] }, 5],
    ];
    for (const [b, id] of cases) expect(parseCall(body(b)), JSON.stringify(b)).toMatchObject({ ok: false, id, error: { code: RPC.INVALID_REQUEST } });
  });

  it("answers -32601 for unknown methods and the A2A errors for methods not offered", () => {
    expect(parseCall(body({ jsonrpc: "2.0", id: 1, method: "tasks/list" }))).toMatchObject({ ok: false, id: 1, error: { code: -32601, message: "Method not found: tasks/list" } });
    expect(parseCall(body({ jsonrpc: "2.0", id: 1, method: "toString" }))).toMatchObject({ error: { code: -32601 } });
    expect(parseCall(body({ jsonrpc: "2.0", id: 1, method: "CreateTaskPushNotificationConfig" }))).toMatchObject({ error: { code: -32003 } });
    expect(parseCall(body({ jsonrpc: "2.0", id: 1, method: "tasks/pushNotificationConfig/set" }))).toMatchObject({ error: { code: -32003 } });
    expect(parseCall(body({ jsonrpc: "2.0", id: 1, method: "ListTasks" }))).toMatchObject({ error: { code: -32004 } });
    expect(parseCall(body({ jsonrpc: "2.0", id: 1, method: "GetExtendedAgentCard" }))).toMatchObject({ error: { code: -32007 } });
  });

  it("accepts A2A-Version 1.x and 0.3, or none", () => {
    for (const v of [undefined, "", "1.0", "1", "1.2", "0.3", "0.3.0"]) expect(versionSupported(v), String(v)).toBe(true);
    for (const v of ["2.0", "0.2", "abc", "1.0-beta"]) expect(versionSupported(v), v).toBe(false);
  });

  it("maps router problems: caller mistakes to -32602, the rest to -32603, with the HTTP details in data", () => {
    expect(problemToRpc({ status: 404, slug: "unknown-specialist", title: "Unknown specialist", detail: "no specialist 'x'" })).toEqual({
      code: -32602,
      message: "Unknown specialist: no specialist 'x'",
      data: { status: 404, type: "urn:switchyard:problem:unknown-specialist", title: "Unknown specialist" },
    });
    const e = problemToRpc({ status: 429, slug: "rate-limited", title: "Rate limited", detail: "d", retryAfterSeconds: 3, extra: { tried: [] } });
    expect(e).toMatchObject({ code: -32603, data: { status: 429, retryAfterSeconds: 3, tried: [] } });
    expect(problemToRpc({ status: 504, slug: "specialist-timeout", title: "t", detail: "d" }).code).toBe(-32603);
    expect(problemToRpc({ status: 422, slug: "policy-refused", title: "Refused by policy", detail: "d" }).code).toBe(-32602);
  });
});
