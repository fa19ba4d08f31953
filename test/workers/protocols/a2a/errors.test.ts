import { describe, expect, it } from "vitest";
import { call, problem } from "../../helpers.ts";
import { parseSse } from "../../task-helpers.ts";

type RpcError = { code: number; message: string; data?: any };
type Rpc = { jsonrpc: "2.0"; id: string | number | null; result?: any; error?: RpcError };

const ERROR_INFO = "type.googleapis.com/google.rpc.ErrorInfo";
const BAD_REQUEST = "type.googleapis.com/google.rpc.BadRequest";
const info = (reason: string, metadata?: Record<string, string>) => ({ "@type": ERROR_INFO, reason, domain: "a2a-protocol.org", ...(metadata ? { metadata } : {}) });

let seq = 0;
async function rpc(method: string, params: unknown, o: { headers?: Record<string, string>; path?: string; raw?: string } = {}): Promise<Rpc> {
  const res = await call(o.path ?? "/a2a", { method: "POST", headers: { "content-type": "application/json", ...o.headers }, body: o.raw ?? JSON.stringify({ jsonrpc: "2.0", id: ++seq, method, params }) });
  expect(res.status).toBe(200);
  return (await res.json()) as Rpc;
}
const msg = (parts: unknown[], extra: Record<string, unknown> = {}) => ({ message: { messageId: `m-${crypto.randomUUID()}`, role: "ROLE_USER", parts, ...extra } });
const unknownTask = `task_${"0".repeat(32)}`;

describe("POST / is the same JSON-RPC endpoint as POST /a2a, behind the same guards", () => {
  it("needs the key (401 problem, like /a2a); GET / stays the dashboard", async () => {
    const res = await call("/", { json: { jsonrpc: "2.0", id: 1, method: "GetTask", params: { id: unknownTask } }, headers: { authorization: "" } });
    expect(res.status).toBe(401);
    expect(res.headers.get("www-authenticate")).toBe("Bearer");
    await problem(res);
    const wrong = await call("/", { json: { jsonrpc: "2.0", id: 1, method: "GetTask", params: { id: unknownTask } }, headers: { authorization: "Bearer not-a-key" } });
    expect(wrong.status).toBe(401);
    const dashboard = await call("/", { headers: { authorization: "" } });
    expect(dashboard.status).not.toBe(401);
    expect(dashboard.headers.get("content-type") ?? "").not.toMatch(/problem/);
  });

  it("serves the same calls with the key", async () => {
    const sent = await rpc("SendMessage", msg([{ text: "convert 5 km to miles" }]), { path: "/" });
    expect(sent.result.task.artifacts[0].parts[0].text).toBe("5 kilometers = 3.10686 miles");
    expect((await rpc("GetTask", { id: unknownTask }, { path: "/" })).error).toMatchObject({ code: -32001 });
  });

  it("refuses a body larger than the router's limit (413), like /a2a", async () => {
    const res = await call("/", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "SendMessage", params: { pad: "x".repeat(1_100_000) } }) });
    expect(res.status).toBe(413);
  });
});

describe("A2A errors in 1.0's shape (data: typed details) for 1.x calls, 0.3's for 0.3 calls", () => {
  it("TaskNotFound -32001: an unknown task, also as a message's taskId", async () => {
    expect((await rpc("GetTask", { id: unknownTask })).error).toEqual({ code: -32001, message: `Task not found: ${unknownTask}`, data: [info("TASK_NOT_FOUND", { taskId: unknownTask })] });
    expect((await rpc("SendMessage", msg([{ text: "more" }], { taskId: unknownTask }))).error).toMatchObject({ code: -32001, data: [info("TASK_NOT_FOUND", { taskId: unknownTask })] });
    expect((await rpc("tasks/get", { id: unknownTask })).error).toEqual({ code: -32001, message: `Task not found: ${unknownTask}`, data: { taskId: unknownTask } });
  });

  it("UnsupportedOperation -32004 for the extended card (capabilities.extendedAgentCard is false, §3.3.4); 0.3's method keeps -32007", async () => {
    expect((await rpc("GetExtendedAgentCard", {})).error).toEqual({ code: -32004, message: "GetExtendedAgentCard is not supported by this agent", data: [info("UNSUPPORTED_OPERATION", { method: "GetExtendedAgentCard" })] });
    expect((await rpc("agent/getAuthenticatedExtendedCard", {})).error).toEqual({ code: -32007, message: "agent/getAuthenticatedExtendedCard is not supported by this agent", data: { method: "agent/getAuthenticatedExtendedCard" } });
  });

  it("ContentTypeNotSupported -32005 naming the part and its media type", async () => {
    const pdf = { url: "https://files.example/a.pdf", mediaType: "application/pdf", filename: "a.pdf" };
    const e = (await rpc("SendMessage", msg([{ text: "read this" }, pdf], { metadata: { switchyard: { specialist: "units" } } }))).error!;
    expect(e.code).toBe(-32005);
    expect(e.message).toMatch(/^Content type not supported \(incompatible content types\): part 1 \(application\/pdf\): 'units' does not accept application\/pdf/);
    expect(e.data).toEqual([info("CONTENT_TYPE_NOT_SUPPORTED", { partIndex: "1", mediaType: "application/pdf" })]);
    const legacy = await rpc("message/send", { message: { kind: "message", messageId: "m03", role: "user", parts: [{ kind: "file", file: { uri: pdf.url, mimeType: "application/pdf" } }] } });
    expect(legacy.error).toMatchObject({ code: -32005, data: { partIndex: 0, mediaType: "application/pdf" } });
  });

  it("InvalidParams -32602: the issues as a BadRequest's field violations", async () => {
    const e = (await rpc("SendMessage", { message: { messageId: "m", role: "robot", parts: [] } })).error!;
    expect(e.code).toBe(-32602);
    expect(e.data).toEqual([{ "@type": BAD_REQUEST, fieldViolations: expect.arrayContaining([{ field: "message.role", description: expect.any(String) }, { field: "message.parts", description: expect.any(String) }]) }]);
    expect((await rpc("message/send", { message: { messageId: "m", role: "robot", parts: [{ kind: "text", text: "x" }] } })).error).toMatchObject({ code: -32602, data: { errors: [{ path: "message.role" }] } });
  });

  it("the errors before the method is known take the shape of the version asked for", async () => {
    const raw = '{"jsonrpc":"2.0","id":1,"method":"GetTask","params":{"__proto__":{}}}';
    expect((await rpc("", null, { raw })).error).toMatchObject({ code: -32600, data: [{ "@type": ERROR_INFO, reason: "INVALID_REQUEST", metadata: { path: "params.__proto__" } }] });
    expect((await rpc("Nope", {}, { headers: { "a2a-version": "1.0" } })).error).toEqual({ code: -32601, message: "Method not found: Nope", data: [{ "@type": ERROR_INFO, reason: "METHOD_NOT_FOUND", domain: "switchyard", metadata: { method: "Nope" } }] });
    expect((await rpc("Nope", {})).error).toEqual({ code: -32601, message: "Method not found: Nope", data: { method: "Nope" } });
  });
});

describe("A2A-Version (§3.6): honoured, header or query parameter", () => {
  it("VersionNotSupported -32009 for a version the router does not speak, naming the ones it does", async () => {
    expect((await rpc("GetTask", { id: unknownTask }, { headers: { "a2a-version": "2.0" } })).error).toEqual({
      code: -32009,
      message: "Version not supported: A2A-Version 2.0 (this agent speaks 1.0 and 0.3)",
      data: [info("VERSION_NOT_SUPPORTED", { requestedVersion: "2.0", supportedVersions: "1.0, 0.3" })],
    });
    expect((await rpc("tasks/get", { id: unknownTask }, { path: "/a2a?A2A-Version=1.1" })).error).toMatchObject({ code: -32009, data: { requestedVersion: "1.1" } });
  });

  it("a method of the other version is not found under the version asked for; a patch is ignored; none lets the method decide", async () => {
    expect((await rpc("message/send", msg([{ text: "hi" }]), { headers: { "a2a-version": "1.0" } })).error).toMatchObject({ code: -32601, message: expect.stringMatching(/which names it SendMessage$/) });
    expect((await rpc("SendMessage", msg([{ text: "hi" }]), { headers: { "a2a-version": "0.3" } })).error).toMatchObject({ code: -32601, message: expect.stringMatching(/which names it message\/send$/) });
    expect((await rpc("GetTask", { id: unknownTask }, { headers: { "a2a-version": "1.0.3" } })).error?.code).toBe(-32001);
    expect((await rpc("tasks/get", { id: unknownTask }, { headers: { "a2a-version": "0.3" } })).error?.code).toBe(-32001);
    expect((await rpc("GetTask", { id: unknownTask })).error?.code).toBe(-32001);
  });
});

describe("null optional fields are absent (ProtoJSON), in every A2A params object", () => {
  it("SendMessage, GetTask, CancelTask, ListTasks, SubscribeToTask take nulls for their optional fields", async () => {
    const sent = await rpc("SendMessage", {
      message: { messageId: `m-${crypto.randomUUID()}`, role: "ROLE_USER", contextId: null, taskId: null, metadata: null, extensions: null, referenceTaskIds: null, parts: [{ text: "convert 5 km to miles", metadata: null, mediaType: null, filename: null }] },
      configuration: null,
      metadata: null,
      tenant: null,
    });
    expect(sent.result.task.artifacts[0].parts[0].text).toBe("5 kilometers = 3.10686 miles");
    const configured = await rpc("SendMessage", { ...msg([{ text: "convert 5 km to miles" }]), configuration: { acceptedOutputModes: null, historyLength: null, returnImmediately: null, taskPushNotificationConfig: null } });
    expect(configured.error).toBeUndefined();
    expect((await rpc("GetTask", { id: unknownTask, historyLength: null, tenant: null })).error?.code).toBe(-32001);
    expect((await rpc("CancelTask", { id: unknownTask, metadata: null, tenant: null })).error?.code).toBe(-32001);
    expect((await rpc("ListTasks", { contextId: null, status: null, pageSize: null, pageToken: null, historyLength: null, statusTimestampAfter: null, includeArtifacts: null, tenant: null })).result).toMatchObject({ pageSize: 50 });
    const sub = await call("/a2a", { json: { jsonrpc: "2.0", id: 9, method: "SubscribeToTask", params: { id: unknownTask, tenant: null } } });
    expect(parseSse(await sub.text())[0]!.data.error.code).toBe(-32001); // a streaming method's error is its stream's one event
  });

  it("a null required field is still missing", async () => {
    expect((await rpc("GetTask", { id: null })).error).toMatchObject({ code: -32602, data: [{ fieldViolations: [{ field: "id" }] }] });
  });
});
