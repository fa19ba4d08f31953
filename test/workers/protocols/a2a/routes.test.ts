import { describe, expect, it } from "vitest";
import { call, problem } from "../../helpers.ts";
import { parseSse } from "../../task-helpers.ts";

type Rpc = { jsonrpc: "2.0"; id: string | number | null; result?: any; error?: { code: number; message: string; data?: any } };

let seq = 0;
/** One JSON-RPC call to POST /a2a; `raw` sends a body as is. */
async function rpc(method: string, params: unknown, init: { headers?: Record<string, string>; raw?: string } = {}): Promise<{ res: Response; body: Rpc }> {
  const id = ++seq;
  const res = await call("/a2a", { method: "POST", headers: { "content-type": "application/json", ...init.headers }, body: init.raw ?? JSON.stringify({ jsonrpc: "2.0", id, method, params }) });
  expect(res.headers.get("content-type")).toMatch(/^application\/json/);
  return { res, body: (await res.json()) as Rpc };
}

const v1msg = (text: string, extra: Record<string, unknown> = {}) => ({ message: { messageId: `m-${crypto.randomUUID()}`, role: "ROLE_USER", parts: [{ text }] }, ...extra });
const v03msg = (text: string, extra: Record<string, unknown> = {}) => ({ message: { kind: "message", messageId: `m-${crypto.randomUUID()}`, role: "user", parts: [{ kind: "text", text }] }, ...extra });
// a step whose call is in flight until the task is cancelled
const slowPlan = { switchyard: { plan: { steps: [{ id: "slow", specialist: "fault-held-effect", input: "x {{input}}" }] } } };

describe("GET /.well-known/agent-card.json", () => {
  it("is public and points a client at the JSON-RPC endpoint, with a skill per specialist", async () => {
    const res = await call("/.well-known/agent-card.json", { headers: { authorization: "" } });
    expect(res.status).toBe(200);
    const card = (await res.json()) as any;
    // no A2A-Version: the 0.3 card, with the 1.0 interfaces (card.test.ts has every version)
    expect(card.supportedInterfaces[0]).toEqual({ url: "https://router.test/a2a", protocolBinding: "JSONRPC", protocolVersion: "1.0" });
    expect(card.url).toBe("https://router.test/a2a");
    expect(card.capabilities.streaming).toBe(true);
    expect(card.skills.map((s: { id: string }) => s.id)).toEqual(expect.arrayContaining(["arithmetic", "units", "datetime", "general", "tasks"]));
    expect(card.securitySchemes).toHaveProperty("bearer");
  });

  it("is listed in /openapi.json with the JSON-RPC endpoint", async () => {
    const doc = (await (await call("/openapi.json")).json()) as { paths: Record<string, Record<string, { security?: unknown }>> };
    expect(doc.paths["/.well-known/agent-card.json"]).toHaveProperty("get");
    expect(doc.paths["/a2a"]!.post!.security).toEqual([{ bearer: [] }]);
  });
});

const hop = { switchyard: { mode: "hop" } };

describe("POST /a2a: one hop (metadata.switchyard.mode: hop)", () => {
  it("SendMessage routes the text like /v1/route and answers an agent Message (1.0 shape)", async () => {
    const { res, body } = await rpc("SendMessage", v1msg("convert 5 km to miles", { metadata: hop }));
    expect(body.id).toBe(seq);
    const m = body.result.message;
    expect(m.role).toBe("ROLE_AGENT");
    expect(m.parts[0].text).toBe("5 kilometers = 3.10686 miles");
    expect(m.parts[1].data).toMatchObject({ value: expect.closeTo(3.10686, 4) });
    expect(m.metadata.switchyard).toMatchObject({ specialist: "units", intent: { label: "units.convert" }, hopId: m.messageId });
    expect(res.headers.get("x-switchyard-specialist")).toBe("units");
    expect(res.headers.get("server-timing")).toMatch(/specialist/);
  });

  it("message/send answers in the 0.3 shape and keeps the client's contextId", async () => {
    const p = v03msg("what is 12 * (3 + 4)?", { metadata: hop });
    (p.message as Record<string, unknown>).contextId = "ctx-42";
    const { body } = await rpc("message/send", p);
    expect(body.result).toMatchObject({ kind: "message", role: "agent", contextId: "ctx-42", parts: [{ kind: "text" }, { kind: "data", data: { value: 84 } }] });
  });

  it("pins a specialist with metadata.switchyard.specialist, and maps its failure onto -32603 with the HTTP details", async () => {
    const { body } = await rpc("SendMessage", v1msg("anything", { metadata: { switchyard: { mode: "hop", specialist: "fault-error" } } }));
    // 1.x: the HTTP details in the router's ErrorInfo (errors.test.ts has every shape)
    expect(body.error?.code).toBe(-32603);
    expect(body.error?.data[0]).toMatchObject({ reason: "SPECIALIST_FAILED", domain: "switchyard", metadata: { status: "502", type: "urn:switchyard:problem:specialist-failed" } });
    expect(body.error?.data[1]).toMatchObject({ value: { tried: [{ specialist: "fault-error" }] } });
    const unknown = await rpc("SendMessage", v1msg("anything", { metadata: { switchyard: { mode: "hop", specialist: "nobody" } } }));
    expect(unknown.body.error).toMatchObject({ code: -32602, data: [{ metadata: { status: "404" } }] });
    const legacy = await rpc("message/send", v03msg("anything", { metadata: { switchyard: { mode: "hop", specialist: "nobody" } } }));
    expect(legacy.body.error).toMatchObject({ code: -32602, data: { status: 404 } });
  });

  it("streams a hop as one message event (SendStreamingMessage)", async () => {
    const res = await call("/a2a", { json: { jsonrpc: "2.0", id: "s1", method: "SendStreamingMessage", params: v1msg("100 f in c", { metadata: hop }) } });
    expect(res.headers.get("content-type")).toMatch(/text\/event-stream/);
    const events = parseSse(await res.text());
    expect(events).toHaveLength(1);
    expect(events[0]!.data).toMatchObject({ jsonrpc: "2.0", id: "s1", result: { message: { role: "ROLE_AGENT", metadata: { switchyard: { specialist: "units" } } } } });
  });
});

describe("POST /a2a: a message is a task by default (a2a.sendMessageResult: task)", () => {
  it("answers a plain message with a completed Task that keeps the message as its history", async () => {
    const p = v1msg("convert 5 km to miles");
    const { res, body } = await rpc("SendMessage", p);
    const task = body.result.task;
    expect(task).toMatchObject({ id: expect.stringMatching(/^task_[0-9a-f]{32}$/), contextId: task.id, status: { state: "TASK_STATE_COMPLETED" } });
    expect(task.artifacts[0].parts[0].text).toBe("5 kilometers = 3.10686 miles");
    expect(task.metadata.switchyard.steps).toEqual([expect.objectContaining({ status: "succeeded", specialist: "units" })]);
    expect(task.history).toEqual([{ ...p.message, taskId: task.id, contextId: task.id }]);
    expect(res.headers.get("location")).toBe(`/v1/tasks/${task.id}`);
    // historyLength: 0 is none, unset is all; the same message again is the same task, with one message
    expect((await rpc("GetTask", { id: task.id, historyLength: 0 })).body.result.history).toEqual([]);
    expect((await rpc("SendMessage", p)).body.result.task.history).toHaveLength(1);
    expect((await rpc("SendMessage", { ...p, configuration: { historyLength: 0 } })).body.result.task.history).toEqual([]);
  });

  it("keeps the client's contextId, and pins a specialist as a one-step plan", async () => {
    const p = v03msg("anything", { metadata: { switchyard: { specialist: "fault-error" } } });
    (p.message as Record<string, unknown>).contextId = "ctx-7";
    const { body } = await rpc("message/send", p);
    expect(body.result).toMatchObject({ kind: "task", contextId: "ctx-7", status: { state: "failed", message: { parts: [{ text: expect.stringMatching(/fault-error/) }] } } });
    expect(body.result.metadata.switchyard.steps).toEqual([expect.objectContaining({ id: "main", status: "failed" })]);
    expect(body.result.history[0]).toMatchObject({ kind: "message", role: "user", contextId: "ctx-7", taskId: body.result.id });
  });

  it("refuses a follow-up to an unknown task (-32001), to an ended one (-32004) and with another contextId (-32602)", async () => {
    const followUp = (taskId: string, extra: Record<string, unknown> = {}) => {
      const m = v1msg("more please");
      Object.assign(m.message, { taskId, ...extra });
      return m;
    };
    expect((await rpc("SendMessage", followUp(`task_${"2".repeat(32)}`))).body.error).toMatchObject({ code: -32001 });
    expect((await rpc("SendMessage", followUp("not-a-task"))).body.error).toMatchObject({ code: -32001 });
    const done = (await rpc("SendMessage", v1msg("convert 1 km to miles"))).body.result.task;
    expect((await rpc("SendMessage", followUp(done.id))).body.error).toMatchObject({ code: -32004, message: expect.stringMatching(/COMPLETED|completed.*contextId/) });
    expect((await rpc("SendMessage", followUp(done.id, { contextId: "other" }))).body.error).toMatchObject({ code: -32602, data: [{ fieldViolations: [{ field: "message.contextId" }] }] });
  });
});

describe("POST /a2a: tasks", () => {
  it("runs a multi-clause goal as a TaskAgent task, waits for it, and GetTask / tasks/get read it", async () => {
    const p = v1msg("convert 5 km to miles, then what is the result times 3");
    const { res, body } = await rpc("SendMessage", p);
    const task = body.result.task;
    expect(task.id).toMatch(/^task_[0-9a-f]{32}$/);
    expect(task.status.state).toBe("TASK_STATE_COMPLETED");
    expect(task.artifacts[0].parts[1].data.value).toBeCloseTo(3.10686 * 3, 3);
    expect(task.artifacts[0].parts[0].text).toMatch(/\* 3 = 9\.32/);
    expect(task.metadata.switchyard.steps.map((s: { specialist: string }) => s.specialist)).toEqual(["units", "arithmetic"]);
    expect(res.headers.get("location")).toBe(`/v1/tasks/${task.id}`);
    const got = await rpc("GetTask", { id: task.id });
    expect(got.body.result).toMatchObject({ id: task.id, status: { state: "TASK_STATE_COMPLETED" } });
    const legacy = await rpc("tasks/get", { id: task.id });
    expect(legacy.body.result).toMatchObject({ kind: "task", id: task.id, status: { state: "completed" } });
    // the same message again is the same task (the message id is the idempotency key)
    const again = await rpc("SendMessage", p);
    expect(again.body.result.task.id).toBe(task.id);
    // an ended task cannot be cancelled
    expect((await rpc("CancelTask", { id: task.id })).body.error).toMatchObject({ code: -32002 });
  });

  it("CancelTask and tasks/cancel stop a running task (returnImmediately / blocking: false)", async () => {
    const started = await rpc("SendMessage", v1msg("slow work", { metadata: slowPlan, configuration: { returnImmediately: true } }));
    const task = started.body.result.task;
    expect(task.status.state).toBe("TASK_STATE_WORKING");
    const cancelled = await rpc("CancelTask", { id: task.id });
    expect(cancelled.body.result).toMatchObject({ id: task.id, status: { state: "TASK_STATE_CANCELED" } });
    expect((await rpc("GetTask", { id: task.id })).body.result.status.state).toBe("TASK_STATE_CANCELED");

    const legacy = await rpc("message/send", v03msg("slow work", { metadata: slowPlan, configuration: { blocking: false } }));
    expect(legacy.body.result).toMatchObject({ kind: "task", status: { state: "working" } });
    expect((await rpc("tasks/cancel", { id: legacy.body.result.id })).body.result).toMatchObject({ kind: "task", status: { state: "canceled" } });
    // cancelling again answers the cancelled task, not an error
    expect((await rpc("tasks/cancel", { id: legacy.body.result.id })).body.result).toMatchObject({ kind: "task", status: { state: "canceled" } });
  });

  it("answers input-required for a task waiting for approval, with how to approve it", async () => {
    const text = "The router classifies each request. It picks a specialist. The specialist answers. The router reports the decision.";
    const { body } = await rpc("SendMessage", v1msg(text, { metadata: { switchyard: { workflow: "approved-summary" } } }));
    const task = body.result.task;
    expect(task.status.state).toBe("TASK_STATE_INPUT_REQUIRED");
    expect(task.status.message.parts[0].text).toMatch(/approval of step 'count'.*'approve: <reason>'.*\/approve/);
    expect((await rpc("CancelTask", { id: task.id })).body.result.status.state).toBe("TASK_STATE_CANCELED");
  });

  it("takes the answer to an approval gate as a follow-up message on the task, audited like a REST approval", async () => {
    const text = "The router classifies each request. It picks a specialist. The specialist answers. The router reports the decision.";
    const first = v1msg(text, { metadata: { switchyard: { workflow: "approved-summary" } } });
    const task = (await rpc("SendMessage", first)).body.result.task;
    expect(task.status.state).toBe("TASK_STATE_INPUT_REQUIRED");
    const answer = (t: string, extra: Record<string, unknown> = {}) => ({ message: { messageId: `a-${crypto.randomUUID()}`, role: "ROLE_USER", taskId: task.id, parts: [{ text: t }], ...extra } });
    // not an answer: -32602 saying how to answer; the task still waits
    expect((await rpc("SendMessage", answer("sure"))).body.error).toMatchObject({ code: -32602, data: [{ fieldViolations: [{ field: "message.parts" }] }] });
    const yes = answer("approve: the summary is fine", { contextId: task.contextId });
    const done = (await rpc("SendMessage", yes)).body.result.task;
    expect(done).toMatchObject({ id: task.id, status: { state: "TASK_STATE_COMPLETED" } });
    expect(done.history.map((m: { role: string; messageId: string }) => [m.role, m.messageId])).toEqual([
      ["ROLE_USER", first.message.messageId],
      ["ROLE_AGENT", task.status.message.messageId],
      ["ROLE_USER", yes.message.messageId],
    ]);
    // resending the same answer decides nothing again
    expect((await rpc("SendMessage", yes)).body.result.task.status.state).toBe("TASK_STATE_COMPLETED");
    const audit = (await (await call(`/v1/tasks/${task.id}/audit`)).json()) as { entries: { actor: string; action: string; detail: { reason?: string } }[] };
    const granted = audit.entries.filter((e) => e.action === "approval.granted");
    expect(granted).toEqual([expect.objectContaining({ actor: expect.stringMatching(/over A2A$/), detail: expect.objectContaining({ reason: "the summary is fine" }) })]);

    // a data part rejects, naming who decided
    const other = (await rpc("SendMessage", v1msg(text, { metadata: { switchyard: { workflow: "approved-summary" } } }))).body.result.task;
    const no = { message: { messageId: `a-${crypto.randomUUID()}`, role: "ROLE_USER", taskId: other.id, parts: [{ data: { decision: "reject", reason: "not now", by: "ana" } }] } };
    const rejected = (await rpc("SendMessage", no)).body.result.task;
    expect(rejected.status).toMatchObject({ state: "TASK_STATE_REJECTED", message: { parts: [{ text: expect.stringMatching(/ana.*not now/) }] } });
  });

  it("streams a task (message/stream): the task, the result artifact and a final status", async () => {
    const res = await call("/a2a", { json: { jsonrpc: "2.0", id: 7, method: "message/stream", params: v03msg("convert 2 km to miles, then what is the result times 2") } });
    expect(res.headers.get("content-type")).toMatch(/text\/event-stream/);
    const results = parseSse(await res.text()).map((e) => e.data.result);
    expect(results[0]).toMatchObject({ kind: "task" });
    const kinds = results.map((r) => r.kind);
    expect(kinds.at(-1)).toBe("status-update");
    expect(results.at(-1)).toMatchObject({ final: true, status: { state: "completed" } });
    // an artifact-update, or in the task itself when it had already ended as the stream began
    const artifact = results.find((r) => r.kind === "artifact-update")?.artifact ?? results[0].artifacts?.[0];
    expect(artifact.parts[1].data.value).toBeCloseTo(2.4855, 3);
    // subscribing to an ended task is -32004 (A2A 1.0 §3.1.6), sent as the stream the method answers
    const again = await call("/a2a", { json: { jsonrpc: "2.0", id: 8, method: "SubscribeToTask", params: { id: results[0].id } } });
    expect(again.headers.get("content-type")).toMatch(/text\/event-stream/);
    expect(parseSse(await again.text()).map((e) => e.data)).toEqual([{ jsonrpc: "2.0", id: 8, error: { code: -32004, message: expect.stringMatching(/has ended \(completed\)/), data: [expect.objectContaining({ reason: "UNSUPPORTED_OPERATION" })] } }]);
  });
});

describe("POST /a2a: malformed calls get JSON-RPC errors", () => {
  it("-32700 parse error, -32600 invalid request, -32601 method not found", async () => {
    expect((await rpc("", null, { raw: "{not json" })).body).toEqual({ jsonrpc: "2.0", id: null, error: { code: -32700, message: expect.any(String) } });
    expect((await rpc("", null, { raw: JSON.stringify({ jsonrpc: "2.0", id: 1, method: 5 }) })).body).toMatchObject({ id: 1, error: { code: -32600 } });
    expect((await rpc("", null, { raw: JSON.stringify([{ jsonrpc: "2.0", id: 1, method: "GetTask" }]) })).body.error?.code).toBe(-32600);
    expect((await rpc("tasks/list", {})).body.error).toMatchObject({ code: -32601 });
  });

  it("-32602 invalid params, with the bad paths", async () => {
    const missing = await rpc("SendMessage", {});
    expect(missing.body.error).toMatchObject({ code: -32602, data: [{ "@type": "type.googleapis.com/google.rpc.BadRequest", fieldViolations: [{ field: "message" }] }] });
    const role = await rpc("message/send", { message: { messageId: "m", role: "robot", parts: [{ kind: "text", text: "x" }] } });
    expect(role.body.error).toMatchObject({ code: -32602, data: { errors: [{ path: "message.role" }] } });
    expect((await rpc("GetTask", {})).body.error).toMatchObject({ code: -32602 });
    expect((await rpc("SendMessage", v1msg("x", { metadata: { switchyard: { workflow: "no-such-flow" } } }))).body.error).toMatchObject({ code: -32602, message: expect.stringMatching(/no workflow/) });
  });

  it("-32001 for unknown tasks (GetTask, tasks/get, CancelTask; SubscribeToTask as a stream of that error)", async () => {
    for (const [method, id] of [["GetTask", `task_${"0".repeat(32)}`], ["tasks/get", "nope"], ["CancelTask", `task_${"1".repeat(32)}`]] as const)
      expect((await rpc(method, { id })).body.error, method).toMatchObject({ code: -32001, message: `Task not found: ${id}` });
    const res = await call("/a2a", { json: { jsonrpc: "2.0", id: 9, method: "SubscribeToTask", params: { id: "x" } } });
    expect(res.headers.get("content-type")).toMatch(/text\/event-stream/);
    expect(parseSse(await res.text()).map((e) => e.data)).toEqual([{ jsonrpc: "2.0", id: 9, error: { code: -32001, message: "Task not found: x", data: [expect.objectContaining({ reason: "TASK_NOT_FOUND" })] } }]);
  });

  it("refuses unknown A2A versions (push notifications: push.test.ts)", async () => {
    expect((await rpc("GetTask", { id: "x" }, { headers: { "a2a-version": "2.0" } })).body.error?.code).toBe(-32009);
  });

  it("needs the bearer key (401 problem, like every other authenticated route)", async () => {
    const res = await call("/a2a", { json: { jsonrpc: "2.0", id: 1, method: "GetTask", params: { id: "x" } }, headers: { authorization: "" } });
    expect(res.status).toBe(401);
    expect(res.headers.get("www-authenticate")).toBe("Bearer");
    await problem(res);
  });
});

describe("POST /a2a: what a client's message may hold (each -32602 naming the path, nothing made)", () => {
  const paths = (e: { data?: any } | undefined): string[] => (Array.isArray(e?.data) ? e!.data.flatMap((d: { fieldViolations?: { field: string }[] }) => (d.fieldViolations ?? []).map((v) => v.field)) : []);
  const msg = (patch: Record<string, unknown>, parts: unknown[] = [{ text: "convert 5 km to miles" }]) => ({ message: { messageId: `m-${crypto.randomUUID()}`, role: "ROLE_USER", parts, ...patch } });

  it("refuses an agent's role, a messageId that cannot be a header, long ids and unknown members", async () => {
    for (const [params, path] of [
      [msg({ role: "ROLE_AGENT" }), "message.role"],
      [msg({ messageId: "bad\r\nid" }), "message.messageId"],
      [msg({ contextId: "c".repeat(256) }), "message.contextId"],
      [msg({ taskId: "t".repeat(256) }), "message.taskId"],
      [msg({ surprise: 1 }), "message"],
      [{ ...msg({}), configuration: { returnImmediatly: true } }, "configuration"],
      [{ ...msg({}), extra: 1 }, ""],
    ] as const) {
      const { body } = await rpc("SendMessage", params);
      expect(body.error?.code, JSON.stringify(params)).toBe(-32602);
      expect(paths(body.error), JSON.stringify(params)).toContain(path);
    }
    expect((await rpc("GetTask", { id: `task_${"0".repeat(32)}`, histroyLength: 1 })).body.error?.code).toBe(-32602);
  });

  it("refuses a part with two contents, a kind that does not match, a URL a specialist must not be sent, a media type that is not one", async () => {
    for (const [part, path] of [
      [{ text: "x", raw: "aGVsbG8=" }, "message.parts.0"],
      [{ text: "x", data: { a: 1 } }, "message.parts.0"],
      [{ url: "https://x.example/a.pdf", raw: "aGVsbG8=", mediaType: "application/pdf" }, "message.parts.0"],
      [{ kind: "data", text: "x" }, "message.parts.0.kind"],
      [{ url: "javascript:alert(1)", mediaType: "image/png" }, "message.parts.0.url"],
      [{ url: "file:///etc/passwd", mediaType: "text/plain" }, "message.parts.0.url"],
      [{ url: "https://u:p@x.example/a.png", mediaType: "image/png" }, "message.parts.0.url"],
      [{ url: "https://x.example/a.png", mediaType: 'image/png\u0000;x="y"' }, "message.parts.0.mediaType"],
      [{ text: "x", colour: "red" }, "message.parts.0"],
    ] as const) {
      const { body } = await rpc("SendMessage", msg({}, [part]));
      expect(body.error?.code, JSON.stringify(part)).toBe(-32602);
      expect(paths(body.error), JSON.stringify(part)).toContain(path);
    }
  });

  it("keeps extensions and referenceTaskIds in the history, reads proto field names, and keeps a 255-character contextId", async () => {
    const contextId = "c".repeat(255);
    const sent = msg({ contextId, extensions: ["https://ext.example/v1"], referenceTaskIds: ["task_x"] });
    const task = (await rpc("SendMessage", { ...sent, configuration: { history_length: 5 } })).body.result.task;
    expect(task.contextId).toBe(contextId);
    expect(task.history[0]).toMatchObject({ extensions: ["https://ext.example/v1"], referenceTaskIds: ["task_x"], contextId });
    expect((await rpc("GetTask", { id: task.id, history_length: 0 })).body.result.history).toEqual([]);
  });

  it("runs a one-clause message as one routed step, without asking the planner", async () => {
    const task = (await rpc("SendMessage", msg({}))).body.result.task;
    expect(task.metadata.switchyard).toMatchObject({ hops: 1, steps: [{ id: "main", specialist: "units" }] });
  });

  it("a context naming the router's own a2aContextId key is refused", async () => {
    const { body } = await rpc("SendMessage", { ...msg({}), metadata: { switchyard: { context: { a2aContextId: "mine" } } } });
    expect(body.error?.code).toBe(-32602);
  });

  it("a streamed task's first event carries its history", async () => {
    const sent = msg({});
    const res = await call("/a2a", { json: { jsonrpc: "2.0", id: "h", method: "SendStreamingMessage", params: sent } });
    const first = parseSse(await res.text())[0]!.data.result.task;
    expect(first.history.map((m: { messageId: string }) => m.messageId)).toEqual([sent.message.messageId]);
  });
});
