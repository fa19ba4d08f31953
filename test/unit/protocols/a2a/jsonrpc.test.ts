import { describe, expect, it } from "vitest";
import { parseCall, problemToRpc, RPC, RpcFailure, rpcError, rpcResult, withoutNulls } from "../../../../worker/protocols/a2a/jsonrpc.ts";

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
    expect(parseCall(body({ jsonrpc: "2.0", id: 1, method: "CreateTaskPushNotificationConfig" }))).toMatchObject({ ok: true, call: { op: "pushCreate", wire: "1.0" } });
    expect(parseCall(body({ jsonrpc: "2.0", id: 1, method: "tasks/pushNotificationConfig/set" }))).toMatchObject({ ok: true, call: { op: "pushCreate", wire: "0.3" } });
    expect(parseCall(body({ jsonrpc: "2.0", id: 1, method: "ListTaskPushNotificationConfig" }))).toMatchObject({ error: { code: -32601 } }); // 1.0 names it in the plural
    expect(parseCall(body({ jsonrpc: "2.0", id: 1, method: "ListTasks" }))).toMatchObject({ ok: true, call: { op: "list", wire: "1.0" } });
    // A2A 1.0 §3.3.4: no extended card declared → UnsupportedOperation; 0.3's method keeps its -32007
    expect(parseCall(body({ jsonrpc: "2.0", id: 1, method: "GetExtendedAgentCard" }))).toMatchObject({ error: { code: -32004 }, wire: "1.0" });
    expect(parseCall(body({ jsonrpc: "2.0", id: 1, method: "agent/getAuthenticatedExtendedCard" }))).toMatchObject({ error: { code: -32007 }, wire: "0.3" });
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

describe("JSON-RPC envelope: every refusal, said exactly", () => {
  const refused = (body: unknown) => parseCall(typeof body === "string" ? body : JSON.stringify(body));
  const call = (over: Record<string, unknown>) => ({ jsonrpc: "2.0", id: 1, method: "SendMessage", params: {}, ...over });

  it("names each invalid request, with the id when it is usable", () => {
    expect(refused([call({})])).toEqual({ ok: false, id: null, error: { code: RPC.INVALID_REQUEST, message: "Invalid Request: batch requests are not supported; send one request per call" } });
    expect(refused("7")).toEqual({ ok: false, id: null, error: { code: RPC.INVALID_REQUEST, message: "Invalid Request: the body must be a JSON-RPC request object" } });
    expect(refused("null")).toMatchObject({ ok: false, id: null, error: { message: "Invalid Request: the body must be a JSON-RPC request object" } });
    // a known method's version shapes its errors (errors.ts): `wire`
    expect(refused(call({ jsonrpc: "1.0", id: "a" }))).toEqual({ ok: false, id: "a", error: { code: RPC.INVALID_REQUEST, message: 'Invalid Request: \'jsonrpc\' must be "2.0"' }, wire: "1.0" });
    expect(refused(call({ id: null }))).toEqual({ ok: false, id: null, error: { code: RPC.INVALID_REQUEST, message: "Invalid Request: an 'id' is required (notifications are not served)" }, wire: "1.0" });
    const { id: _drop, ...noId } = call({});
    expect(refused(noId)).toMatchObject({ ok: false, id: null, error: { message: "Invalid Request: an 'id' is required (notifications are not served)" } });
    expect(refused(call({ id: { n: 1 } }))).toEqual({ ok: false, id: null, error: { code: RPC.INVALID_REQUEST, message: "Invalid Request: 'id' must be a string or a number" }, wire: "1.0" });
    expect(refused(call({ id: 2, method: "" }))).toEqual({ ok: false, id: 2, error: { code: RPC.INVALID_REQUEST, message: "Invalid Request: 'method' must be a non-empty string" } });
    expect(refused(call({ id: 2, method: "tasks/get", jsonrpc: "1" }))).toMatchObject({ wire: "0.3" });
    expect(refused(call({ id: 3, method: 5 }))).toMatchObject({ ok: false, id: 3, error: { message: "Invalid Request: 'method' must be a non-empty string" } });
    expect(refused(call({ id: 4, params: [1] }))).toEqual({ ok: false, id: 4, error: { code: RPC.INVALID_REQUEST, message: "Invalid Request: 'params' must be an object" }, wire: "1.0" });
    expect(refused(call({ id: 5, params: "x" }))).toMatchObject({ ok: false, id: 5, error: { message: "Invalid Request: 'params' must be an object" } });
    // ProtoJSON: null is the field's default, absent
    expect(refused(call({ id: 6, params: null }))).toMatchObject({ ok: true, call: { params: {} } });
  });

  it("depth: at the limit parses, one deeper is refused before parsing", () => {
    const nest = (n: number) => "[".repeat(n) + "]".repeat(n);
    expect(refused(`{"jsonrpc":"2.0","id":1,"method":"SendMessage","params":{"a":${nest(30)}}}`)).toMatchObject({ ok: true });
    expect(refused(`{"jsonrpc":"2.0","id":1,"method":"SendMessage","params":{"a":${nest(31)}}}`)).toEqual({ ok: false, id: null, error: { code: RPC.INVALID_REQUEST, message: "Invalid Request: JSON nested deeper than 32 levels" } });
  });

  it("methods it knows but does not serve, and ones it does not know", () => {
    expect(refused(call({ method: "GetExtendedAgentCard" }))).toEqual({ ok: false, id: 1, error: { code: RPC.UNSUPPORTED_OPERATION, message: "GetExtendedAgentCard is not supported by this agent", data: { method: "GetExtendedAgentCard" } }, wire: "1.0" });
    expect(refused(call({ method: "agent/getAuthenticatedExtendedCard" }))).toEqual({ ok: false, id: 1, error: { code: RPC.EXTENDED_CARD_NOT_CONFIGURED, message: "agent/getAuthenticatedExtendedCard is not supported by this agent", data: { method: "agent/getAuthenticatedExtendedCard" } }, wire: "0.3" });
    // push notification methods are served (push.test.ts), in each version
    expect(refused(call({ method: "DeleteTaskPushNotificationConfig" }))).toMatchObject({ ok: true, call: { op: "pushDelete", wire: "1.0" } });
    expect(refused(call({ method: "tasks/pushNotificationConfig/delete" }))).toMatchObject({ ok: true, call: { op: "pushDelete", wire: "0.3" } });
    expect(refused(call({ method: "tasks/list" }))).toEqual({ ok: false, id: 1, error: { code: RPC.METHOD_NOT_FOUND, message: "Method not found: tasks/list", data: { method: "tasks/list" } } });
    expect(refused(call({ method: "Nope" }))).toEqual({ ok: false, id: 1, error: { code: RPC.METHOD_NOT_FOUND, message: "Method not found: Nope", data: { method: "Nope" } } });
    expect(refused(call({ method: "toString" }))).toMatchObject({ ok: false, error: { code: RPC.METHOD_NOT_FOUND } });
    expect(refused({ jsonrpc: "2.0", id: "x", method: "SendMessage" })).toMatchObject({ ok: true, call: { id: "x", params: {} } });
  });


  it("an RpcFailure carries its error, with data only when given", () => {
    const f = new RpcFailure(RPC.INVALID_PARAMS, "bad");
    expect(f.name).toBe("RpcFailure");
    expect(f.error).toStrictEqual({ code: RPC.INVALID_PARAMS, message: "bad" });
    expect(new RpcFailure(RPC.INVALID_PARAMS, "bad", { x: 1 }).error).toStrictEqual({ code: RPC.INVALID_PARAMS, message: "bad", data: { x: 1 } });
    expect(rpcResult(1, "r")).toStrictEqual({ jsonrpc: "2.0", id: 1, result: "r" });
    expect(rpcError("a", { code: 1, message: "m" })).toStrictEqual({ jsonrpc: "2.0", id: "a", error: { code: 1, message: "m" } });
  });
});

describe("a member named __proto__", () => {
  it("anywhere in the call is an Invalid Request naming its path, answered with the call's id", () => {
    const r = parseCall('{"jsonrpc":"2.0","id":3,"method":"SendMessage","params":{"message":{"parts":[{"text":"hi","__proto__":{}}]}}}');
    expect(r).toMatchObject({ ok: false, id: 3, error: { code: RPC.INVALID_REQUEST, data: { path: "params.message.parts.0.__proto__" } } });
    expect(!r.ok && r.error.message).toContain("'params.message.parts.0.__proto__'");
    expect(parseCall('{"jsonrpc":"2.0","id":3,"method":"SendMessage","params":{"message":{"parts":[{"text":"__proto__"}]}}}').ok).toBe(true);
  });
});

describe("null members of params (ProtoJSON: null is the field's default)", () => {
  it("are dropped at any depth, except a data part's value and anything inside metadata", () => {
    const params = {
      message: { messageId: "m", contextId: null, taskId: null, role: "ROLE_USER", parts: [{ text: "hi", mediaType: null, metadata: null }, { data: null }, { data: { a: null } }, null], metadata: { keep: null, deep: { x: null } } },
      configuration: null,
      metadata: null,
      tenant: null,
    };
    expect(withoutNulls(params)).toStrictEqual({
      message: { messageId: "m", role: "ROLE_USER", parts: [{ text: "hi" }, { data: null }, { data: { a: null } }, null], metadata: { keep: null, deep: { x: null } } },
    });
    const parsed = parseCall(JSON.stringify({ jsonrpc: "2.0", id: 1, method: "GetTask", params: { id: "t", historyLength: null, tenant: null } }));
    expect(parsed).toMatchObject({ ok: true, call: { params: { id: "t" } } });
    expect(parsed.ok && Object.keys(parsed.call.params)).toEqual(["id"]);
  });
});
