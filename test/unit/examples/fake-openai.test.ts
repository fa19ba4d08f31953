import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startFakeOpenAI, type FakeOpenAI } from "../../../examples/fake-openai/server.ts";

let fake: FakeOpenAI;
beforeAll(async () => {
  fake = await startFakeOpenAI();
});
afterAll(() => fake.close());
beforeEach(async () => void (await fetch(`${fake.url}/reset`, { method: "POST" })));

const hi = [{ role: "user", content: "hello there" }];
const post = (body: Record<string, unknown>, init: RequestInit = {}, url = fake.url) =>
  fetch(`${url}/v1/chat/completions`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ messages: hi, ...body }), ...init });
/** The parsed `chat.completion`; wire JSON, so loosely typed like the parsed chunks. */
const completion = async (body: Record<string, unknown>) => {
  const res = await post(body);
  expect(res.status).toBe(200);
  return JSON.parse(await res.text());
};
/** The SSE `data:` payloads of a whole body, in order. */
const events = (raw: string) => raw.split("\n\n").filter(Boolean).map((e) => e.replace(/^data: /, ""));
const streamed = async (body: Record<string, unknown>) => {
  const res = await post({ ...body, stream: true });
  expect(res.headers.get("content-type")).toBe("text/event-stream; charset=utf-8");
  return events(await res.text());
};
const chunksOf = (evs: string[]) => evs.filter((e) => e !== "[DONE]").map((e) => JSON.parse(e));
/** Reads events until `count` have arrived; returns them and the reader, still open. */
async function firstEvents(res: Response, count: number) {
  const reader = res.body!.getReader();
  let raw = "";
  while (events(raw).length < count || !raw.endsWith("\n\n")) {
    const { value, done } = await reader.read();
    if (done) break;
    raw += new TextDecoder().decode(value);
  }
  return { evs: events(raw), reader };
}
type Aborts = { aborted: number; requests: { path: string; model: string | null }[] };
const aborts = async () => (await (await fetch(`${fake.url}/aborts`)).json()) as Aborts;
const envelope = (model: string) => ({ id: expect.stringMatching(/^chatcmpl-fake\d+$/), object: "chat.completion.chunk", created: expect.any(Number), model, system_fingerprint: "fp_fake" });

describe("fake OpenAI: the usual reply", () => {
  it("answers as before, records the request as not aborted", async () => {
    expect(await completion({ model: "m" })).toEqual({
      id: expect.stringMatching(/^chatcmpl-fake\d+$/),
      object: "chat.completion",
      created: expect.any(Number),
      model: "m",
      choices: [{ index: 0, message: { role: "assistant", content: "[m] heard: hello there", refusal: null }, logprobs: null, finish_reason: "stop" }],
      usage: { prompt_tokens: 2, completion_tokens: 4, total_tokens: 6 },
      system_fingerprint: "fp_fake",
    });
    expect(fake.requests()).toMatchObject([{ path: "/v1/chat/completions", body: { model: "m" }, aborted: false }]);
  });

  it("streams with usage: null on every chunk and the usage chunk last, only when asked", async () => {
    const evs = await streamed({ model: "m", stream_options: { include_usage: true } });
    expect(evs.at(-1)).toBe("[DONE]");
    const chunks = chunksOf(evs);
    expect(chunks[0]).toEqual({ ...envelope("m"), choices: [{ index: 0, delta: { role: "assistant", content: "", refusal: null }, logprobs: null, finish_reason: null }], usage: null });
    expect(chunks.at(-2)).toEqual({ ...envelope("m"), choices: [{ index: 0, delta: {}, logprobs: null, finish_reason: "stop" }], usage: null });
    expect(chunks.at(-1)).toEqual({ ...envelope("m"), choices: [], usage: { prompt_tokens: 2, completion_tokens: 4, total_tokens: 6 } });
    expect(chunks.map((c) => c.choices[0]?.delta.content ?? "").join("")).toBe("[m] heard: hello there");
    const plain = chunksOf(await streamed({ model: "m" }));
    expect(plain.every((c) => !("usage" in c) && c.choices.length === 1)).toBe(true);
  });

  it("honours n, streamed and not, and turns down n outside 1..10", async () => {
    const out = await completion({ model: "m", n: 3 });
    expect(out.choices.map((c: { index: number; message: { content: string } }) => [c.index, c.message.content])).toEqual([
      [0, "[m] heard: hello there"],
      [1, "[m] heard: hello there (choice 1)"],
      [2, "[m] heard: hello there (choice 2)"],
    ]);
    expect(out.usage).toEqual({ prompt_tokens: 2, completion_tokens: 16, total_tokens: 18 });
    const chunks = chunksOf(await streamed({ model: "m", n: 2 }));
    const said = (i: number) => chunks.filter((c) => c.choices[0].index === i).map((c) => c.choices[0].delta.content ?? "").join("");
    expect([said(0), said(1)]).toEqual(["[m] heard: hello there", "[m] heard: hello there (choice 1)"]);
    expect(chunks.filter((c) => c.choices[0].finish_reason === "stop").map((c) => c.choices[0].index)).toEqual([0, 1]);
    for (const n of [0, 11, 1.5, "2"]) {
      const res = await post({ model: "m", n });
      expect(res.status).toBe(400);
      expect(await res.json()).toMatchObject({ error: { type: "invalid_request_error", param: "n" } });
    }
  });
});

describe("fake OpenAI: tools, JSON and logprobs", () => {
  const tools = [{ type: "function", function: { name: "lookup", parameters: { type: "object" } } }, { type: "function", function: { name: "other" } }];

  it("calls the first tool", async () => {
    const out = await completion({ model: "m", tools });
    expect(out.choices).toEqual([
      {
        index: 0,
        message: { role: "assistant", content: null, refusal: null, tool_calls: [{ id: expect.stringMatching(/^call_fake\d+$/), type: "function", function: { name: "lookup", arguments: '{"heard":"hello there"}' } }] },
        logprobs: null,
        finish_reason: "tool_calls",
      },
    ]);
    const named = await completion({ model: "m", tools, tool_choice: { type: "function", function: { name: "other" } } });
    expect(named.choices[0].message.tool_calls[0].function.name).toBe("other");
    expect((await completion({ model: "m", tools, tool_choice: "none" })).choices[0].message.content).toBe("[m] heard: hello there");
    const bad = await post({ model: "m", tools: [{ type: "function", function: {} }] });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ error: { param: "tools[0].function.name", type: "invalid_request_error" } });
  });

  it("streams the tool call: id and name first, arguments in pieces, finish tool_calls", async () => {
    const evs = await streamed({ model: "m", tools });
    expect(evs.at(-1)).toBe("[DONE]");
    const [first, ...rest] = chunksOf(evs);
    const id = first.choices[0].delta.tool_calls[0].id;
    expect(id).toMatch(/^call_fake\d+$/);
    expect(first.choices[0].delta).toEqual({ role: "assistant", content: null, tool_calls: [{ index: 0, id, type: "function", function: { name: "lookup", arguments: "" } }] });
    const finish = rest.pop();
    expect(finish.choices).toEqual([{ index: 0, delta: {}, logprobs: null, finish_reason: "tool_calls" }]);
    expect(rest.length).toBeGreaterThanOrEqual(2);
    expect(rest.length).toBeLessThanOrEqual(3);
    for (const c of rest) expect(c.choices[0].delta).toEqual({ tool_calls: [{ index: 0, function: { arguments: expect.any(String) } }] });
    expect(rest.map((c) => c.choices[0].delta.tool_calls[0].function.arguments).join("")).toBe('{"heard":"hello there"}');
  });

  it("answers JSON for response_format json_object and json_schema", async () => {
    for (const response_format of [{ type: "json_object" }, { type: "json_schema", json_schema: { name: "x", schema: { type: "object" } } }]) {
      expect((await completion({ model: "m", response_format })).choices[0].message.content).toBe('{"heard":"hello there"}');
      const chunks = chunksOf(await streamed({ model: "m", response_format }));
      expect(chunks.map((c) => c.choices[0].delta.content ?? "").join("")).toBe('{"heard":"hello there"}');
    }
  });

  it("gives a logprob per word, and per piece when streamed", async () => {
    const lp = (token: string) => ({ token, logprob: -0.1, bytes: [...Buffer.from(token)], top_logprobs: [] });
    const out = await completion({ model: "m", logprobs: true });
    expect(out.choices[0].logprobs).toEqual({ content: ["[m] ", "heard: ", "hello ", "there"].map(lp), refusal: null });
    const chunks = chunksOf(await streamed({ model: "m", logprobs: true }));
    expect(chunks[0].choices[0].logprobs).toBeNull();
    expect(chunks[1].choices[0]).toEqual({ index: 0, delta: { content: "[m] " }, logprobs: { content: [lp("[m] ")], refusal: null }, finish_reason: null });
    expect(chunks.at(-1).choices[0].logprobs).toBeNull();
  });
});

describe("fake OpenAI: models", () => {
  it("parts: the content as an array of text parts", async () => {
    expect((await completion({ model: "parts" })).choices[0].message).toEqual({ role: "assistant", content: [{ type: "text", text: "[parts] heard: hello there" }], refusal: null });
  });

  it("refusal: content null and a refusal, streamed as refusal deltas", async () => {
    const out = await completion({ model: "refusal" });
    expect(out.choices[0]).toEqual({ index: 0, message: { role: "assistant", content: null, refusal: "I can't help with that." }, logprobs: null, finish_reason: "stop" });
    const chunks = chunksOf(await streamed({ model: "refusal" }));
    expect(chunks[0].choices[0].delta).toEqual({ role: "assistant", content: null, refusal: "" });
    expect(chunks.slice(1, -1).every((c) => Object.keys(c.choices[0].delta).join() === "refusal")).toBe(true);
    expect(chunks.map((c) => c.choices[0].delta.refusal ?? "").join("")).toBe("I can't help with that.");
    expect(chunks.at(-1).choices[0].finish_reason).toBe("stop");
  });

  it("fail-400 and stream-error-first", async () => {
    const res = await post({ model: "fail-400" });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({
      error: { message: "Invalid 'tools[0].function.name': string does not match pattern.", type: "invalid_request_error", param: "tools[0].function.name", code: "invalid_value" },
    });
    const overloaded = { error: { message: "The server is overloaded", type: "server_error", param: null, code: null } };
    const s = await post({ model: "stream-error-first", stream: true });
    expect(s.status).toBe(200);
    expect(await s.text()).toBe(`data: ${JSON.stringify(overloaded)}\n\n`);
    const plain = await post({ model: "stream-error-first" });
    expect(plain.status).toBe(500);
    expect(await plain.json()).toEqual(overloaded);
  });

  it("echo-body: the body it got, whole or in chunks", async () => {
    const body = { model: "echo-body", messages: hi, temperature: 0.2 };
    expect(JSON.parse((await completion(body)).choices[0].message.content)).toEqual(body);
    const chunks = chunksOf(await streamed(body));
    expect(chunks.length).toBeGreaterThan(3);
    expect(JSON.parse(chunks.map((c) => c.choices[0].delta.content ?? "").join(""))).toEqual({ ...body, stream: true });
  });

  it("say:<text>: exactly that text, whole or streamed", async () => {
    const body = { model: 'say:{"label":null}', messages: hi };
    expect((await completion(body)).choices[0].message.content).toBe('{"label":null}');
    expect(chunksOf(await streamed(body)).map((c) => c.choices[0]?.delta.content ?? "").join("")).toBe('{"label":null}');
  });

  it("stream-* without stream: the usual reply", async () => {
    for (const model of ["stream-cut", "stream-eof", "stream-stall", "stream-slow", "stream-no-done"])
      expect((await completion({ model })).choices[0].message.content).toBe(`[${model}] heard: hello there`);
  });

  it("stream-no-done and stream-eof end cleanly, short of [DONE] (and of the finish chunk)", async () => {
    const noDone = await streamed({ model: "stream-no-done", stream_options: { include_usage: true } });
    expect(noDone).not.toContain("[DONE]");
    expect(chunksOf(noDone).at(-2).choices[0].finish_reason).toBe("stop");
    expect(chunksOf(noDone).at(-1).choices).toEqual([]);
    const eof = chunksOf(await streamed({ model: "stream-eof" }));
    expect(eof.every((c) => c.choices[0].finish_reason === null)).toBe(true);
    expect(eof.map((c) => c.choices[0].delta.content ?? "").join("")).toBe("[stream-eof] heard: hello there");
    expect((await aborts()).aborted).toBe(0);
  });

  it("stream-cut: the role chunk and two content chunks, then the connection drops", async () => {
    const res = await post({ model: "stream-cut", stream: true });
    const reader = res.body!.getReader();
    let raw = "";
    const drain = async () => {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        raw += new TextDecoder().decode(value);
      }
    };
    await expect(drain()).rejects.toThrow();
    expect(chunksOf(events(raw)).map((c) => c.choices[0].delta)).toEqual([{ role: "assistant", content: "", refusal: null }, { content: "[stream-cut] " }, { content: "heard: " }]);
    expect((await aborts()).aborted).toBe(0);
  });
});

describe("fake OpenAI: clients that leave", () => {
  it("stream-slow: a word at a time; the abort is recorded and /reset forgets it", async () => {
    const stop = new AbortController();
    const res = await post({ model: "stream-slow", stream: true }, { signal: stop.signal });
    const { evs } = await firstEvents(res, 3);
    expect(chunksOf(evs.slice(0, 3)).map((c) => c.choices[0].delta)).toEqual([{ role: "assistant", content: "", refusal: null }, { content: "word1 " }, { content: "word2 " }]);
    stop.abort();
    await expect.poll(async () => (await aborts()).aborted, { timeout: 10_000 }).toBe(1);
    expect(await aborts()).toEqual({ aborted: 1, requests: [{ path: "/v1/chat/completions", model: "stream-slow" }] });
    expect(fake.requests()[0]!.aborted).toBe(true);
    await fetch(`${fake.url}/reset`, { method: "POST" });
    expect(await aborts()).toEqual({ aborted: 0, requests: [] });
  });

  it("stream-stall: two content chunks, then silence; close() ends it without counting an abort", async () => {
    const own = await startFakeOpenAI();
    const res = await post({ model: "stream-stall", stream: true }, {}, own.url);
    const { evs, reader } = await firstEvents(res, 3);
    expect(chunksOf(evs).map((c) => c.choices[0].delta)).toEqual([{ role: "assistant", content: "", refusal: null }, { content: "[stream-stall] " }, { content: "heard: " }]);
    const next = reader.read();
    const quiet = await Promise.race([next.then(() => "data", () => "error"), new Promise((r) => setTimeout(() => r("quiet"), 100))]);
    expect(quiet).toBe("quiet");
    await own.close();
    await expect(next).rejects.toThrow();
    expect(own.requests()[0]!.aborted).toBe(false);
  });

  it("stream-stall: a client that aborts is counted", async () => {
    const stop = new AbortController();
    const res = await post({ model: "stream-stall", stream: true }, { signal: stop.signal });
    await firstEvents(res, 3);
    stop.abort();
    await expect.poll(async () => (await aborts()).aborted, { timeout: 10_000 }).toBe(1);
    expect((await aborts()).requests).toEqual([{ path: "/v1/chat/completions", model: "stream-stall" }]);
  });
});
