import { describe, expect, it } from "vitest";
import { buildRequest, callJson, MAX_REPLY_BYTES, parseRetryAfter } from "../../../worker/protocols/json-protocol.ts";

const req = (signal = new AbortController().signal) =>
  buildRequest("https://s.example/run", { input: "hi", intent: { id: "in_x", label: "l", confidence: 0.5 }, idempotencyKey: "k1", traceparent: "00-" + "a".repeat(32) + "-" + "b".repeat(16) + "-01" }, { "x-extra": "1" }, signal);

const reply = (body: string, init: ResponseInit = {}) => async () => new Response(body, { status: 200, ...init });

describe("JSON specialist protocol", () => {
  it("sends the documented request", async () => {
    const r = req();
    expect(r.method).toBe("POST");
    expect(r.headers.get("idempotency-key")).toBe("k1");
    expect(r.headers.get("x-intent-id")).toBe("in_x");
    expect(r.headers.get("traceparent")).toMatch(/^00-a{32}-b{16}-01$/);
    expect(r.headers.get("x-extra")).toBe("1");
    expect(await r.json()).toEqual({ input: "hi", intent: { id: "in_x", label: "l", confidence: 0.5 } });
  });

  it("accepts { output, usage }", async () => {
    const out = await callJson(reply(JSON.stringify({ output: { text: "ok" }, usage: { units: 2 } })), req(), new AbortController().signal);
    expect(out).toEqual({ ok: true, output: { text: "ok" }, usage: { units: 2 } });
  });

  it("classifies every failure", async () => {
    const s = new AbortController().signal;
    const cases: [() => Promise<Response>, string, number?][] = [
      [reply("<html>", {}), "bad_response"],
      [reply(JSON.stringify({ result: 1 })), "bad_response"],
      [reply(JSON.stringify({ output: 1, usage: { units: -1 } })), "bad_response"],
      [reply("{}", { status: 500 }), "http_error", 500],
      [reply("{}", { status: 422 }), "refused", 422],
      [reply("{}", { status: 401 }), "http_error", 401],
      [reply("{}", { status: 404 }), "http_error", 404],
      [reply("{}", { status: 429, headers: { "retry-after": "7" } }), "rate_limited", 429],
      [async () => Promise.reject(new TypeError("connection refused")), "unreachable"],
      [reply("x", { headers: { "content-length": String(MAX_REPLY_BYTES + 1) } }), "bad_response"],
    ];
    for (const [send, kind, status] of cases) expect(await callJson(send, req(), s), kind).toMatchObject({ ok: false, failure: { kind, ...(status ? { status } : {}) } });
    const refusal = await callJson(reply(JSON.stringify({ type: "urn:x", title: "Input not understood", status: 422, detail: "division by zero" }), { status: 422 }), req(), s);
    expect(refusal).toMatchObject({ ok: false, failure: { kind: "refused", status: 422, upstream: { status: 422, message: "division by zero" } } });
    const openaiRefusal = await callJson(reply(JSON.stringify({ error: { message: "bad tools", type: "invalid_request_error", param: "tools", code: null } }), { status: 400 }), req(), s);
    expect(openaiRefusal).toMatchObject({ ok: false, failure: { kind: "refused", upstream: { status: 400, message: "bad tools", openai: { param: "tools" } } } });
    const limited = await callJson(reply("{}", { status: 429, headers: { "retry-after": "7" } }), req(), s);
    expect(limited).toMatchObject({ ok: false, failure: { retryAfterSeconds: 7 } });
  });

  it("times out a hung upstream and a body that never finishes", async () => {
    const ac = new AbortController();
    const hang = callJson(() => new Promise<Response>(() => {}), req(), ac.signal);
    const drip = new ReadableStream({ start: (c) => c.enqueue(new TextEncoder().encode(" ")) });
    const ac2 = new AbortController();
    const slow = callJson(async () => new Response(drip), req(), ac2.signal);
    ac.abort(new Error("deadline"));
    ac2.abort(new Error("deadline"));
    expect(await hang).toEqual({ ok: false, failure: { kind: "timeout", detail: "no complete reply before the deadline" } });
    expect(await slow).toMatchObject({ ok: false, failure: { kind: "timeout" } });
  });

  it("parses Retry-After seconds and dates", () => {
    expect(parseRetryAfter("3")).toBe(3);
    expect(parseRetryAfter(null)).toBeUndefined();
    expect(parseRetryAfter("soon")).toBeUndefined();
    const now = Date.parse("2026-01-01T00:00:00Z");
    expect(parseRetryAfter("Thu, 01 Jan 2026 00:00:10 GMT", now)).toBe(10);
  });
});

describe("reply depth", () => {
  it("counts nesting iteratively and stops at the limit", async () => {
    const { deeperThan } = await import("../../../worker/protocols/json-protocol.ts");
    expect(deeperThan({ a: [1, { b: 2 }] }, 3)).toBe(false);
    expect(deeperThan({ a: [1, { b: [] }] }, 3)).toBe(true);
    expect(deeperThan(JSON.parse(`${"[".repeat(100_000)}${"]".repeat(100_000)}`), 64)).toBe(true);
    expect(deeperThan("text", 0)).toBe(false);
  });
});

describe("reply size cap without content-length", () => {
  const utf8 = new TextEncoder();
  const CHUNK = 64 * 1024;
  /** A chunked reply (no content-length): `head`, then `n` chunks of `fill`, then `tail`; counts the chunks read. */
  function chunked(head: string, fill: Uint8Array, n: number, tail: string) {
    let sent = 0;
    const parts = [utf8.encode(head), ...Array.from({ length: n }, () => fill), utf8.encode(tail)];
    const body = new ReadableStream<Uint8Array>({
      pull(c) {
        if (sent === parts.length) return c.close();
        c.enqueue(parts[sent++]!);
      },
    });
    return { send: async () => new Response(body, { status: 200, headers: { "content-type": "application/json" } }), read: () => sent };
  }

  it("refuses a reply once it passes MAX_REPLY_BYTES and reads no further", async () => {
    const chunks = Math.ceil((2 * MAX_REPLY_BYTES) / CHUNK); // twice the cap
    const r = chunked('{"output":"', utf8.encode("a".repeat(CHUNK)), chunks, '"}');
    const out = await callJson(r.send, req(), new AbortController().signal);
    expect(out).toMatchObject({ ok: false, failure: { kind: "bad_response", detail: `reply exceeds ${MAX_REPLY_BYTES} bytes` } });
    expect(r.read()).toBeLessThanOrEqual(MAX_REPLY_BYTES / CHUNK + 2); // the cap's worth of chunks, not all of them
  });

  it("counts bytes, not characters: multi-byte text over the cap is refused", async () => {
    const euros = utf8.encode("€".repeat(CHUNK / 4)); // 3 bytes a character
    const chunks = Math.ceil(MAX_REPLY_BYTES / euros.byteLength) + 1; // just over the cap in bytes, a third of it in characters
    const r = chunked('{"output":"', euros, chunks, '"}');
    expect(await callJson(r.send, req(), new AbortController().signal)).toMatchObject({ ok: false, failure: { kind: "bad_response", detail: `reply exceeds ${MAX_REPLY_BYTES} bytes` } });
  });

  it("reads a reply under the cap whole, multi-byte text intact", async () => {
    const r = chunked('{"output":"', utf8.encode("é€😀"), 3, '"}');
    expect(await callJson(r.send, req(), new AbortController().signal)).toEqual({ ok: true, output: "é€😀é€😀é€😀", usage: {} });
  });
});
