import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, inject, it } from "vitest";
import worker from "../../../../worker/index.ts";
import type { ConfigInput } from "../../../../worker/config/schema.ts";
import type { Env } from "../../../../worker/env.ts";
import { AUTH, configWith } from "../../helpers.ts";

/** The test config plus `a2a` specialists for the streaming agents of test/support/a2a-upstream.ts (pinned only). */
function withStreamingAgents(c: ConfigInput): void {
  const url = inject("a2aUrl");
  const agent = (id: string, path: string, extra: Record<string, unknown> = {}) => c.specialists.push({ id, description: `remote A2A agent ${path}`, endpoint: { type: "a2a", url: `${url}/${path}` }, ...extra });
  agent("a2a-stream", "v1/stream");
  agent("a2a-stream-03", "v03/stream");
  agent("a2a-stream-off", "v1/stream", { capabilities: { streaming: false } });
  agent("a2a-stream-fail", "v1/stream-fail", { retries: 0 });
  agent("a2a-stream-input", "v1/stream-input");
  agent("a2a-stream-hang", "v1/stream-hang", { timeoutMs: 400, retries: 0 });
  agent("a2a-stream-down", "raw/http-error", { retries: 0 });
  agent("a2a-polled", "v1/task");
}
const SWITCHYARD_CONFIG = configWith(withStreamingAgents);
const upstream = () => inject("a2aUrl");

/** A request to the router whose response is read while it streams; `settle()` then waits for its background work. */
async function open(path: string, body: unknown): Promise<{ res: Response; settle: () => Promise<void> }> {
  const ctx = createExecutionContext();
  const res = await worker.fetch(
    new Request(`https://router.test${path}`, { method: "POST", headers: { ...AUTH, "content-type": "application/json" }, body: JSON.stringify(body) }),
    { ...(env as unknown as Env), SWITCHYARD_CONFIG },
    ctx,
  );
  return { res, settle: () => waitOnExecutionContext(ctx) };
}
const chat = (model: string, text: string, extra: Record<string, unknown> = {}) => ({ model, messages: [{ role: "user", content: text }], ...extra });
/** The `data:` payloads of an SSE body (JSON, or "[DONE]"). */
const datas = (sse: string) =>
  sse
    .split("\n\n")
    .filter((e) => e.startsWith("data: ") || e.includes("\ndata: "))
    .map((e) => e.slice(e.indexOf("data: ") + 6))
    .map((d) => (d === "[DONE]" ? d : JSON.parse(d)));
const deltas = (sse: string) => datas(sse).flatMap((d: any) => (d.choices?.[0]?.delta?.content !== undefined ? [d.choices[0].delta.content as string] : []));
const methods = async (agent: string) => (await (await fetch(`${upstream()}/methods?agent=${agent}`)).json()) as string[];

describe("chat doors over a streaming A2A agent", () => {
  it("/v1/chat/completions stream: true sends the agent's first text before the agent has finished", async () => {
    const nonce = crypto.randomUUID();
    const { res, settle } = await open("/v1/chat/completions", chat("a2a-stream", `[hold] ${nonce}`, { stream: true, stream_options: { include_usage: true } }));
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/event-stream/);
    expect(res.headers.get("x-switchyard-specialist")).toBe("a2a-stream");
    const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
    let head = "";
    while (!head.includes("first:")) head += (await reader.read()).value ?? "";
    // the agent still waits for the test: this text was relayed as it came, not after the end
    expect(await (await fetch(`${upstream()}/held?text=${nonce}`)).json()).toEqual({ held: 1 });
    await fetch(`${upstream()}/release?text=${nonce}`, { method: "POST" });
    let sse = head;
    for (let r = await reader.read(); !r.done; r = await reader.read()) sse += r.value;
    await settle();
    expect(deltas(sse)).toEqual([`first: [hold] ${nonce}`, "\nsecond"]);
    const all = datas(sse);
    expect(all.at(-1)).toBe("[DONE]");
    expect(all.at(-2)).toMatchObject({ object: "chat.completion.chunk", model: "a2a-stream", choices: [], usage: { total_tokens: 0 } });
    expect(all.find((d: any) => d.choices?.[0]?.finish_reason)).toMatchObject({ choices: [{ finish_reason: "stop" }] });
  });

  it("answers the same text whole without stream: true, and on /v1/route; a 0.3 agent streams too", async () => {
    const whole = await open("/v1/chat/completions", chat("a2a-stream", "whole"));
    expect(((await whole.res.json()) as any).choices[0].message.content).toBe("first: whole\nsecond");
    await whole.settle();
    const hop = await open("/v1/route", { input: "routed", specialist: "a2a-stream" });
    expect(((await hop.res.json()) as any).output).toMatchObject({ text: "first: routed\nsecond", a2a: { state: "completed" } });
    await hop.settle();
    const old = await open("/v1/chat/completions", chat("a2a-stream-03", "old", { stream: true }));
    expect(deltas(await old.res.text())).toEqual(["first: old", "\nsecond"]);
    await old.settle();
    expect((await methods("v03/stream")).at(-1)).toBe("message/stream");
  });

  it("the Anthropic and Responses doors stream it too, in their own events", async () => {
    const m = await open("/v1/messages", { model: "a2a-stream", max_tokens: 100, messages: [{ role: "user", content: "msg" }], stream: true });
    const mEvents = datas(await m.res.text());
    await m.settle();
    expect(mEvents.filter((e: any) => e.type === "content_block_delta").map((e: any) => e.delta.text)).toEqual(["first: msg", "\nsecond"]);
    expect(mEvents.at(-1)).toMatchObject({ type: "message_stop" });
    const r = await open("/v1/responses", { model: "a2a-stream", input: "resp", stream: true });
    const rEvents = datas(await r.res.text());
    await r.settle();
    expect(rEvents.filter((e: any) => e.type === "response.output_text.delta").map((e: any) => e.delta)).toEqual(["first: resp", "\nsecond"]);
    expect(rEvents.at(-1)).toMatchObject({ type: "response.completed", response: { output: [{ content: [{ text: "first: resp\nsecond" }] }] } });
  });

  it("a failure before the first text is the hop's status (502, 504, as when polled); after it, an error event and no [DONE]", async () => {
    const input = await open("/v1/chat/completions", chat("a2a-stream-input", "x", { stream: true }));
    expect(input.res.status).toBe(502); // input-required: a non-retryable failure, as the polled path maps it
    expect(((await input.res.json()) as any).error.message).toMatch(/input-required: which date\?/);
    const down = await open("/v1/chat/completions", chat("a2a-stream-down", "x", { stream: true }));
    expect(down.res.status).toBe(502);
    const hang = await open("/v1/chat/completions", chat("a2a-stream-hang", "x", { stream: true }));
    expect(hang.res.status).toBe(504);
    const failed = await open("/v1/chat/completions", chat("a2a-stream-fail", "x", { stream: true }));
    expect(failed.res.status).toBe(200);
    const sse = await failed.res.text();
    await Promise.all([input.settle(), down.settle(), hang.settle(), failed.settle()]);
    expect(deltas(sse)).toEqual(["first: x"]);
    const all = datas(sse);
    expect(all.at(-1)).toMatchObject({ error: { type: "server_error", message: expect.stringContaining("ended failed: the agent broke mid-stream") } });
    expect(all).not.toContain("[DONE]");
  });

  it("answers whole, as one chunk, an agent whose card does not declare streaming, or a specialist that declares streaming: false", async () => {
    const polled = await open("/v1/chat/completions", chat("a2a-polled", "p", { stream: true }));
    expect(deltas(await polled.res.text())).toEqual(["done: p"]);
    await polled.settle();
    expect(await methods("v1/task")).not.toContain("SendStreamingMessage");
    const off = await open("/v1/chat/completions", chat("a2a-stream-off", "off", { stream: true }));
    expect(deltas(await off.res.text())).toEqual(["first: off\nsecond"]);
    await off.settle();
  });
});
