import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { a2aAdapter, resetA2aCards, taskOutcome } from "../../../../worker/protocols/a2a/adapter.ts";
import { WireTask } from "../../../../worker/protocols/a2a/wire.ts";
import { A2aEndpoint } from "../../../../worker/config/schema.ts";
import { ChatStream } from "../../../../worker/protocols/openai/stream.ts";
import type { SpecialistOutcome, SpecialistProgress } from "../../../../worker/routing/hop.ts";
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
type Opts = { timeoutMs?: number; secrets?: Record<string, string>; endpoint?: Record<string, unknown>; progress?: SpecialistProgress[] };
const endpoint = (path: string, o: Opts) => A2aEndpoint.parse({ type: "a2a", url: `${upstream.url}/${path}`, ...o.endpoint });
const request = (path: string, input: string) => ({ input, idempotencyKey: `key-${path}-${crypto.randomUUID()}`, traceparent });
const ctx = (o: Opts) => ({ binding: (n: string) => o.secrets?.[n], signal: AbortSignal.timeout(o.timeoutMs ?? 5000), ...(o.progress ? { progress: (p: SpecialistProgress) => void o.progress!.push(p) } : {}) });
const call = (path: string, input = "hi", o: Opts = {}) => a2aAdapter.call(endpoint(path, o), request(path, input), ctx(o));
const streamText = (path: string, input = "hi", o: Opts = {}) => a2aAdapter.streamText(endpoint(path, o), request(path, input), ctx(o), { idleMs: 5000, specialist: "agent", wantUsage: false });
const methods = async (agent: string) => (await (await fetch(`${upstream.url}/methods?agent=${agent}`)).json()) as string[];
const seen = async (agent: string) => (await (await fetch(`${upstream.url}/seen?agent=${agent}`)).json()) as Record<string, string>;

/** The text of a chat stream's content deltas, whether it ended with [DONE], and its error event if any. */
async function readChat(o: SpecialistOutcome): Promise<{ text: string; done: boolean; error?: { message: string } }> {
  if (!o.ok || !(o.output instanceof ChatStream)) throw new Error(`not a stream: ${JSON.stringify(o)}`);
  const events = (await new Response(o.output.body).text()).split("\n\n").filter((e) => e.startsWith("data: "));
  const json = events.filter((e) => e !== "data: [DONE]").map((e) => JSON.parse(e.slice(6)));
  const error = json.find((j) => j.error)?.error;
  return { text: json.map((j) => j.choices?.[0]?.delta?.content ?? "").join(""), done: events.at(-1) === "data: [DONE]", ...(error ? { error } : {}) };
}

describe("a2a adapter: agents whose card declares streaming", () => {
  it("calls SendStreamingMessage with the hop's headers and answers what GetTask would have: the same output as the polled path", async () => {
    const progress: SpecialistProgress[] = [];
    const out = await call("v1/stream", "hello", { endpoint: { apiKeySecret: "K" }, secrets: { K: "k1" }, progress });
    expect(out).toMatchObject({ ok: true, output: { text: "first: hello\nsecond", a2a: { state: "completed", taskId: expect.any(String) } } });
    expect(await methods("v1/stream")).toEqual(["SendStreamingMessage"]);
    const h = await seen("v1/stream");
    expect(h).toMatchObject({ accept: "text/event-stream", "a2a-version": "1.0", authorization: "Bearer k1", traceparent });
    expect(h["idempotency-key"]).toMatch(/^key-v1\/stream-/);
    // the remote task as the polled path reads it at the end
    const taskId = ((out as { output: { a2a: { taskId: string } } }).output.a2a.taskId);
    const got = (await (await fetch(`${upstream.url}/v1/stream/rpc`, { method: "POST", headers: { "content-type": "application/json", "a2a-version": "1.0" }, body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "GetTask", params: { id: taskId } }) })).json()) as { result: unknown };
    expect(taskOutcome(WireTask.parse(got.result))).toEqual({ ok: true, output: (out as { output: unknown }).output });
    // each event told as it came
    expect(progress).toEqual([
      { kind: "status", state: "working", remoteTaskId: taskId },
      { kind: "status", state: "working", remoteTaskId: taskId, text: "reading: hello" },
      { kind: "artifact", artifactId: "answer", remoteTaskId: taskId, text: "first: hello" },
      { kind: "status", state: "working", remoteTaskId: taskId, text: "writing" },
      { kind: "artifact", artifactId: "answer", remoteTaskId: taskId, text: "second" },
      { kind: "status", state: "completed", remoteTaskId: taskId },
    ]);
  });

  it("speaks message/stream to a 0.3 agent, and takes a message-only stream's Message", async () => {
    expect(await call("v03/stream", "old")).toMatchObject({ ok: true, output: { text: "first: old\nsecond" } });
    expect(await methods("v03/stream")).toEqual(["message/stream"]);
    expect((await seen("v03/stream"))["a2a-version"]).toBeUndefined();
    expect(await call("v1/stream-echo", "hey")).toMatchObject({ ok: true, output: { text: "echo: hey", a2a: { messageId: expect.any(String) } } });
  });

  it("still polls an agent whose card does not declare streaming, and streamText answers it whole", async () => {
    expect(await call("v1/slow", "later")).toMatchObject({ ok: true, output: { text: "done: later" } });
    const m = await methods("v1/slow");
    expect(m[0]).toBe("SendMessage");
    expect(m.slice(1).every((x) => x === "GetTask")).toBe(true);
    const whole = await streamText("v1/task", "whole");
    expect(whole).toMatchObject({ ok: true, output: { text: "done: whole" } });
    expect((whole as { output: unknown }).output).not.toBeInstanceOf(ChatStream);
    expect(await methods("v1/task")).toEqual(["SendMessage"]);
  });

  it("maps every way the stream fails as the polled path does", async () => {
    expect(await call("raw/rpc-error")).toMatchObject({ ok: false, failure: { kind: "http_error", status: 500, detail: "A2A agent error -32603: the model crashed" } });
    expect(await call("raw/refuse")).toMatchObject({ ok: false, failure: { kind: "http_error", status: 400, detail: expect.stringContaining("-32602") } });
    expect(await call("raw/http-error")).toMatchObject({ ok: false, failure: { kind: "http_error", status: 500, body: "the agent is down" } });
    expect(await call("raw/garbage")).toMatchObject({ ok: false, failure: { kind: "bad_response", detail: expect.stringContaining("not JSON") } });
    expect(await call("raw/not-sse")).toMatchObject({ ok: false, failure: { kind: "bad_response", detail: expect.stringContaining("expected text/event-stream") } });
    expect(await call("raw/cut-early")).toMatchObject({ ok: false, failure: { kind: "truncated" } });
    expect(await call("v1/stream-fail")).toMatchObject({ ok: false, failure: { kind: "http_error", status: 500, detail: expect.stringContaining("ended failed: the agent broke mid-stream") } });
    expect(await call("v1/stream-input")).toMatchObject({ ok: false, failure: { kind: "http_error", status: 422, detail: expect.stringContaining("ended input-required: which date?") } });
    expect(await call("v1/stream-hang", "x", { timeoutMs: 400 })).toMatchObject({ ok: false, failure: { kind: "timeout", detail: expect.stringContaining("was still working at the deadline") } });
  });

  it("follows a task whose stream was cut with GetTask; keeps the artifact a later chunk replaced", async () => {
    expect(await call("raw/cut")).toMatchObject({ ok: true, output: { text: "partial\nrest", a2a: { state: "completed" } } });
    expect(await methods("raw/cut")).toEqual(["SendStreamingMessage", "GetTask"]);
    expect(await call("raw/rewrite")).toMatchObject({ ok: true, output: { text: "final" } });
  });
});

describe("a2a adapter: streamText (the chat doors' stream)", () => {
  it("sends the first text before the agent has finished, then the rest, adding up to the polled output", async () => {
    const nonce = crypto.randomUUID();
    const o = await streamText("v1/stream", `[hold] ${nonce}`);
    if (!o.ok || !(o.output instanceof ChatStream)) throw new Error(JSON.stringify(o));
    const reader = o.output.body.pipeThrough(new TextDecoderStream()).getReader();
    let first = "";
    while (!first.includes("first:")) first += (await reader.read()).value ?? "";
    expect(first).toContain(`"content":"first: [hold] ${nonce}"`);
    expect(await (await fetch(`${upstream.url}/held?text=${nonce}`)).json()).toEqual({ held: 1 }); // the agent is still waiting
    await fetch(`${upstream.url}/release?text=${nonce}`, { method: "POST" });
    let rest = "";
    for (let r = await reader.read(); !r.done; r = await reader.read()) rest += r.value;
    expect(rest).toContain(": working\n\n"); // the status update between the chunks: the stream is alive
    expect(rest).toContain('"content":"\\nsecond"');
    expect(rest.trimEnd().endsWith("data: [DONE]")).toBe(true);
    expect(await o.settled).toMatchObject({ ok: true });
  });

  it("streams 0.3 agents and Message answers", async () => {
    expect(await readChat(await streamText("v03/stream", "a"))).toEqual({ text: "first: a\nsecond", done: true });
    expect(await readChat(await streamText("v1/stream-echo", "b"))).toEqual({ text: "echo: b", done: true });
  });

  it("fails as an ordinary attempt before the first text: mapped as the polled path, nothing sent", async () => {
    expect(await streamText("raw/rpc-error")).toMatchObject({ ok: false, failure: { kind: "http_error", status: 500 } });
    expect(await streamText("raw/refuse")).toMatchObject({ ok: false, failure: { kind: "http_error", status: 400 } });
    expect(await streamText("raw/http-error")).toMatchObject({ ok: false, failure: { kind: "http_error", status: 500 } });
    expect(await streamText("raw/garbage")).toMatchObject({ ok: false, failure: { kind: "bad_response" } });
    expect(await streamText("raw/not-sse")).toMatchObject({ ok: false, failure: { kind: "bad_response" } });
    expect(await streamText("raw/cut-early")).toMatchObject({ ok: false, failure: { kind: "truncated" } });
    expect(await streamText("v1/stream-input")).toMatchObject({ ok: false, failure: { kind: "http_error", status: 422 } });
    expect(await streamText("v1/stream-hang", "x", { timeoutMs: 400 })).toMatchObject({ ok: false, failure: { kind: "timeout" } });
  });

  it("after the first text: a failed task or a rewritten answer is an error event and no [DONE]; a cut is followed with GetTask", async () => {
    const failed = await streamText("v1/stream-fail", "f");
    const read = await readChat(failed);
    expect(read).toMatchObject({ text: "first: f", done: false, error: { message: expect.stringContaining("ended failed: the agent broke mid-stream") } });
    expect(await (failed as { settled: Promise<SpecialistOutcome> }).settled).toMatchObject({ ok: false });
    expect(await readChat(await streamText("raw/rewrite"))).toMatchObject({ text: "draft", done: false, error: { message: expect.stringContaining("does not continue the text it streamed") } });
    expect(await readChat(await streamText("raw/cut"))).toEqual({ text: "partial\nrest", done: true });
  });
});
