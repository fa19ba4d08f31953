import { describe, expect, it } from "vitest";
import { decodeFrame, decodeStreamResult, RemoteStream, type RemoteEvent } from "../../../../worker/protocols/a2a/stream.ts";
import { TextChunks } from "../../../../worker/protocols/a2a/text-stream.ts";

const rpc = (result: unknown) => JSON.stringify({ jsonrpc: "2.0", id: 1, result });
const text = (t: string) => ({ kind: "text" as const, text: t });
const artifact = (id: string, parts: string[], append = false): RemoteEvent => ({ kind: "artifact", taskId: "t", contextId: "c", artifact: { artifactId: id, parts: parts.map(text) }, append, lastChunk: false });
const status = (state: string, final = false, said?: string): RemoteEvent => ({
  kind: "status",
  taskId: "t",
  contextId: "c",
  status: { state: state as never, ...(said ? { message: { messageId: "m", role: "agent", parts: [text(said)] } } : {}) },
  final,
});

describe("decoding a remote agent's stream events", () => {
  it("reads the four StreamResponse kinds in 1.x and in 0.3", () => {
    expect(decodeStreamResult({ task: { id: "t", contextId: "c", status: { state: "TASK_STATE_WORKING" } } })).toMatchObject({ kind: "task", task: { id: "t", status: { state: "working" } } });
    expect(decodeStreamResult({ message: { messageId: "m", role: "ROLE_AGENT", parts: [{ text: "hi" }] } })).toMatchObject({ kind: "message", message: { parts: [text("hi")] } });
    expect(decodeStreamResult({ statusUpdate: { taskId: "t", contextId: "c", status: { state: "TASK_STATE_COMPLETED" } } })).toEqual({ kind: "status", taskId: "t", contextId: "c", status: { state: "completed" }, final: false });
    expect(decodeStreamResult({ artifactUpdate: { taskId: "t", contextId: "c", artifact: { artifactId: "a", parts: [{ text: "x" }] }, append: true, lastChunk: true } })).toMatchObject({ kind: "artifact", append: true, lastChunk: true, artifact: { artifactId: "a", parts: [text("x")] } });
    expect(decodeStreamResult({ kind: "task", id: "t", contextId: "c", status: { state: "submitted" } })).toMatchObject({ kind: "task", task: { status: { state: "submitted" } } });
    expect(decodeStreamResult({ kind: "message", messageId: "m", role: "agent", parts: [{ kind: "text", text: "hi" }] })).toMatchObject({ kind: "message" });
    expect(decodeStreamResult({ kind: "status-update", taskId: "t", contextId: "c", status: { state: "working" }, final: true })).toMatchObject({ kind: "status", final: true });
    expect(decodeStreamResult({ kind: "artifact-update", taskId: "t", contextId: "c", artifact: { artifactId: "a", parts: [{ kind: "text", text: "x" }] } })).toMatchObject({ kind: "artifact", append: false });
  });

  it("says what is wrong with an event: not JSON, a JSON-RPC error, no StreamResponse, nested too deep", () => {
    expect(decodeFrame("this is not json")).toMatchObject({ ok: false, failure: { kind: "bad_response", body: "this is not json" } });
    expect(decodeFrame(JSON.stringify({ jsonrpc: "2.0", id: 1, error: { code: -32603, message: "boom" } }))).toMatchObject({ ok: false, failure: { kind: "http_error", status: 500, detail: "A2A agent error -32603: boom" } });
    expect(decodeFrame(JSON.stringify({ jsonrpc: "2.0", id: 1, error: { code: -32602, message: "bad" } }))).toMatchObject({ ok: false, failure: { kind: "http_error", status: 400 } });
    expect(decodeFrame(JSON.stringify({ id: 1, result: {} }))).toMatchObject({ ok: false, failure: { kind: "bad_response", detail: expect.stringContaining("not a JSON-RPC 2.0") } });
    expect(decodeFrame(rpc({ statusUpdate: { contextId: "c" } }))).toMatchObject({ ok: false, failure: { kind: "bad_response", detail: expect.stringContaining("no Task, Message") } });
    let deep: unknown = { text: "x" };
    for (let i = 0; i < 70; i++) deep = [deep];
    expect(decodeFrame(rpc(deep))).toMatchObject({ ok: false, failure: { kind: "bad_response", detail: expect.stringContaining("nested deeper") } });
    expect(decodeFrame(rpc({ task: { id: "t", status: { state: "TASK_STATE_WORKING" } } }))).toMatchObject({ ok: true, event: { kind: "task" } });
  });
});

describe("RemoteStream: the task the agent keeps, from its events", () => {
  it("appends, replaces and adds artifacts as the SDK's task store does, and ends completed with the polled output", () => {
    const s = new RemoteStream();
    expect(s.push({ kind: "task", task: { id: "t", contextId: "c", status: { state: "working" } } })).toEqual({ progress: { kind: "status", state: "working", remoteTaskId: "t" } });
    expect(s.push(status("working", false, "thinking"))).toEqual({ progress: { kind: "status", state: "working", remoteTaskId: "t", text: "thinking" } });
    expect(s.push(artifact("a", ["Hel"]))).toEqual({ progress: { kind: "artifact", artifactId: "a", remoteTaskId: "t", text: "Hel" } });
    s.push(artifact("a", ["lo"], true));
    expect(s.text()).toBe("Hel\nlo"); // parts joined as a polled task's are
    s.push(artifact("b", ["world"]));
    s.push(artifact("b", ["World"])); // replaced
    expect(s.text()).toBe("Hel\nlo\nWorld");
    const end = s.push(status("completed"));
    expect(end.end).toEqual({ ok: true, output: { text: "Hel\nlo\nWorld", a2a: { taskId: "t", contextId: "c", state: "completed" } } });
  });

  it("ends at a Message, a 0.3 `final`, and every final or interrupted state, mapped as a polled task", () => {
    expect(new RemoteStream().push({ kind: "message", message: { messageId: "m", role: "agent", parts: [text("hi")], contextId: "c" } }).end).toEqual({ ok: true, output: { text: "hi", a2a: { messageId: "m", contextId: "c" } } });
    expect(new RemoteStream().push(status("working", true)).end).toMatchObject({ ok: false, failure: { kind: "bad_response", detail: "A2A task t ended working" } });
    expect(new RemoteStream().push(status("failed", false, "broke")).end).toMatchObject({ ok: false, failure: { kind: "http_error", status: 500, detail: "A2A task t ended failed: broke" } });
    expect(new RemoteStream().push(status("input-required", false, "which date?")).end).toMatchObject({ ok: false, failure: { status: 422 } });
    expect(new RemoteStream().push(status("auth-required")).end).toMatchObject({ ok: false, failure: { status: 401 } });
    expect(new RemoteStream().push(status("canceled")).end).toMatchObject({ ok: false, failure: { status: 409 } });
    expect(new RemoteStream().push(status("rejected")).end).toMatchObject({ ok: false, failure: { status: 422 } });
    expect(new RemoteStream().push(status("working")).end).toBeUndefined();
  });

  it("a completed task without artifacts answers its status message; a later task snapshot keeps the streamed artifacts", () => {
    const s = new RemoteStream();
    s.push(artifact("a", ["streamed"]));
    expect(s.task).toMatchObject({ id: "t", status: { state: "submitted" } });
    s.push({ kind: "task", task: { id: "t", contextId: "c", status: { state: "working" } } });
    expect(s.text()).toBe("streamed");
    expect(new RemoteStream().push(status("completed", true, "the answer")).end).toMatchObject({ ok: true, output: { text: "the answer" } });
  });
});

describe("TextChunks: the answer's text as chat.completion.chunk events", () => {
  const chunks = (includeUsage = false) => new TextChunks({ id: "chatcmpl-1", created: 1, model: "agent", includeUsage, specialist: "agent" });
  const parse = (sse: string) => sse.split("\n\n").filter(Boolean).map((e) => (e.startsWith("data: ") ? (e === "data: [DONE]" ? "[DONE]" : JSON.parse(e.slice(6))) : e));

  it("sends what is new of the text, the role with the first delta, then the finish chunk and [DONE]", () => {
    const c = chunks();
    expect(parse(c.more("Hel")!)).toEqual([{ id: "chatcmpl-1", object: "chat.completion.chunk", created: 1, model: "agent", choices: [{ index: 0, delta: { role: "assistant", content: "Hel" }, logprobs: null, finish_reason: null }] }]);
    expect(c.more("Hel")).toBe("");
    expect(parse(c.more("Hello")!)[0].choices[0].delta).toEqual({ content: "lo" });
    expect(c.more("Help")).toBeUndefined();
    const end = parse(c.finish("Hello!"));
    expect(end.map((e: any) => (e === "[DONE]" ? e : e.choices[0]))).toEqual([{ index: 0, delta: { content: "!" }, logprobs: null, finish_reason: null }, { index: 0, delta: {}, logprobs: null, finish_reason: "stop" }, "[DONE]"]);
  });

  it("adds the usage chunk when asked, and ends with an error event when the answer does not continue what was sent", () => {
    const withUsage = parse(chunks(true).finish("x"));
    expect(withUsage[0].usage).toBeNull();
    expect(withUsage.at(-2)).toMatchObject({ choices: [], usage: { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 } });
    const c = chunks();
    c.more("draft");
    const e = parse(c.finish("final"));
    expect(e).toHaveLength(1);
    expect(e[0].error).toMatchObject({ type: "server_error", message: expect.stringContaining("does not continue the text it streamed") });
  });
});

describe("stream events: edges", () => {
  it("no object, or an object that is no StreamResponse, is no event", () => {
    for (const r of [null, undefined, "x", 3, [], [{ kind: "task" }], {}, { foo: 1 }]) expect(decodeStreamResult(r), JSON.stringify(r)).toBeUndefined();
    expect(decodeFrame(rpc(null))).toMatchObject({ ok: false, failure: { kind: "bad_response", detail: "an event of the agent's stream is no Task, Message, status update or artifact update" } });
  });

  it("an artifact update's flags are false unless sent true", () => {
    expect(decodeStreamResult({ artifactUpdate: { taskId: "t", contextId: "c", artifact: { artifactId: "a", parts: [{ text: "x" }] }, append: false, lastChunk: false } })).toMatchObject({ append: false, lastChunk: false });
    expect(decodeStreamResult({ artifactUpdate: { taskId: "t", artifact: { artifactId: "a", parts: [{ text: "x" }] } } })).toMatchObject({ contextId: "", append: false, lastChunk: false });
  });

  it("a reply that is no JSON-RPC response is named a stream event", () => {
    expect(decodeFrame(JSON.stringify({ id: 1, result: {} }))).toEqual({ ok: false, failure: { kind: "bad_response", detail: "stream event: the reply is not a JSON-RPC 2.0 response" } });
  });

  it("before any event there is no task and no text", () => {
    const s = new RemoteStream();
    expect(s.task).toBeUndefined();
    expect(s.text()).toBe("");
  });
});
