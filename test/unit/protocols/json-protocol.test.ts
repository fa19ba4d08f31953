import { describe, expect, it } from "vitest";
import { buildRequest, callJson, deeperThan, fetchJson, MAX_REPLY_BYTES, parseRetryAfter, snippet, statusFailure, untilAborted, upstreamError } from "../../../worker/protocols/json-protocol.ts";

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

  /** The same chunked body, declaring a `content-length` it does not keep to (a reply handed over in process can). */
  const lying = (length: string) => {
    const r = chunked('{"output":"', utf8.encode("a".repeat(CHUNK)), Math.ceil((2 * MAX_REPLY_BYTES) / CHUNK), '"}');
    return { send: async () => new Response((await r.send()).body, { headers: { "content-type": "application/json", "content-length": length } }), read: r.read };
  };

  it("holds a reply to the cap whatever length it declares, unless it came framed over HTTP with a length in digits", async () => {
    for (const [length, framed] of [["10", false], ["", true], ["1e3", true], ["-1", true]] as const) {
      const r = lying(length);
      expect(await callJson(r.send, req(), new AbortController().signal, framed), `content-length '${length}', framed ${framed}`).toMatchObject({
        ok: false,
        failure: { kind: "bad_response", detail: `reply exceeds ${MAX_REPLY_BYTES} bytes` },
      });
      expect(r.read()).toBeLessThanOrEqual(MAX_REPLY_BYTES / CHUNK + 2);
    }
  });

  it("reads a reply under the cap whole, multi-byte text intact", async () => {
    const r = chunked('{"output":"', utf8.encode("é€😀"), 3, '"}');
    expect(await callJson(r.send, req(), new AbortController().signal)).toEqual({ ok: true, output: "é€😀é€😀é€😀", usage: {} });
  });
});

describe("JSON specialist protocol: each failure, said exactly", () => {
  const live = () => new AbortController().signal;
  const fetched = (body: string, init: ResponseInit = {}) => fetchJson(reply(body, init), req(), live());

  it("headers: accept unless given, tracestate only when present, no intent id without an intent", () => {
    const base = { input: "hi", idempotencyKey: "k", traceparent: "00-" + "a".repeat(32) + "-" + "b".repeat(16) + "-01" };
    const plain = buildRequest("https://s.example/", base, {}, live());
    expect(plain.headers.get("accept")).toBe("application/json");
    expect(plain.headers.has("tracestate")).toBe(false);
    expect(plain.headers.has("x-intent-id")).toBe(false);
    const given = buildRequest("https://s.example/", { ...base, tracestate: "v=1" }, { accept: "text/event-stream" }, live());
    expect(given.headers.get("accept")).toBe("text/event-stream");
    expect(given.headers.get("tracestate")).toBe("v=1");
    expect(given.redirect).toBe("manual");
  });

  it("a reply without output, or with a bad usage, names the first issue", async () => {
    expect(await callJson(reply(JSON.stringify({ usage: {} })), req(), live())).toEqual({ ok: false, failure: { kind: "bad_response", status: 200, detail: "reply does not match {output, usage?}: output is required" } });
    expect(await callJson(reply(JSON.stringify({ output: null })), req(), live())).toMatchObject({ ok: true, output: null, usage: {} });
  });

  it("size: a declared length over the cap is refused unread; so is a longer body without one", async () => {
    const big = new Response("{}", { headers: { "content-length": String(MAX_REPLY_BYTES + 1) } });
    expect(await fetchJson(async () => big, req(), live())).toEqual({ ok: false, failure: { kind: "bad_response", status: 200, detail: `reply of ${MAX_REPLY_BYTES + 1} bytes exceeds ${MAX_REPLY_BYTES}` } });
    const atCap = JSON.stringify({ output: "x".repeat(MAX_REPLY_BYTES - 13) });
    expect(atCap.length).toBe(MAX_REPLY_BYTES);
    expect(await fetched(atCap, { headers: { "content-length": String(atCap.length) } })).toMatchObject({ ok: true });
    expect(await fetched(`${atCap} `)).toEqual({ ok: false, failure: { kind: "bad_response", status: 200, detail: `reply exceeds ${MAX_REPLY_BYTES} bytes` } });
  });

  it("not JSON, or JSON nested too deep", async () => {
    expect(await fetched("<html>")).toEqual({ ok: false, failure: { kind: "bad_response", status: 200, detail: "reply is not JSON", body: "<html>" } });
    const deep = "[".repeat(65) + "]".repeat(65);
    expect(await fetched(deep)).toEqual({ ok: false, failure: { kind: "bad_response", status: 200, detail: expect.stringMatching(/^reply is JSON nested deeper than \d+ levels$/) } });
    expect(deeperThan([[1, [2]], { a: { b: null } }], 3)).toBe(false);
    expect(deeperThan([[1, [2]], { a: { b: [] } }], 3)).toBe(true);
    expect(deeperThan("flat", 0)).toBe(false);
    expect(deeperThan([null, "s", 1], 1)).toBe(false);
  });

  it("a request that fails says why", async () => {
    expect(await fetchJson(async () => Promise.reject(new Error("refused")), req(), live())).toEqual({ ok: false, failure: { kind: "unreachable", detail: "request failed: refused" } });
    expect(await fetchJson(async () => Promise.reject("down"), req(), live())).toEqual({ ok: false, failure: { kind: "unreachable", detail: "request failed: down" } });
  });

  it("an aborted signal rejects at once, and a settled call leaves no listener", async () => {
    const gone = AbortSignal.abort(new Error("late"));
    await expect(untilAborted(gone, Promise.resolve(1))).rejects.toThrow("late");
    const c = new AbortController();
    expect(await untilAborted(c.signal, Promise.resolve(2))).toBe(2);
    await expect(untilAborted(c.signal, Promise.reject(new Error("no")))).rejects.toThrow("no");
    c.abort(new Error("after"));
  });

  it("status: 429 with its Retry-After, redirects, refusals with the upstream message, other errors with a snippet", () => {
    expect(statusFailure(new Response("", { status: 429, headers: { "retry-after": "7" } }), "")).toEqual({ kind: "rate_limited", status: 429, detail: "specialist rate-limited the router", retryAfterSeconds: 7 });
    expect(statusFailure(new Response("", { status: 429 }), "")).toStrictEqual({ kind: "rate_limited", status: 429, detail: "specialist rate-limited the router" });
    expect(statusFailure(new Response(null, { status: 300 }), "")).toMatchObject({ kind: "http_error", status: 300, detail: "specialist answered a redirect (300); redirects are not followed, so configure the URL it points to" });
    expect(statusFailure(new Response(null, { status: 308 }), "")).toMatchObject({ kind: "http_error", status: 308 });
    expect(statusFailure(new Response("", { status: 200 }), "")).toBeUndefined();
    expect(statusFailure(new Response("", { status: 299 }), "")).toBeUndefined();
    expect(statusFailure(new Response("", { status: 422 }), '{"detail":"too long"}')).toEqual({ kind: "refused", status: 422, detail: "specialist refused the input (422): too long", upstream: { status: 422, message: "too long" } });
    expect(statusFailure(new Response("", { status: 400 }), "")).toMatchObject({ kind: "refused", status: 400 });
    expect(statusFailure(new Response("", { status: 503, headers: { "retry-after": "2" } }), " boom \n\n here ")).toEqual({ kind: "http_error", status: 503, detail: "specialist answered 503", body: "boom here", retryAfterSeconds: 2 });
  });

  it("upstream error messages: OpenAI's error object, else detail, title, a string error, message, else the body", () => {
    expect(upstreamError(400, '{"error":{"message":"bad","type":"t","param":"p","code":"c"}}')).toEqual({ status: 400, message: "bad", openai: { message: "bad", type: "t", param: "p", code: "c" } });
    expect(upstreamError(400, '{"error":{"message":"bad","type":"","code":5}}')).toEqual({ status: 400, message: "bad", openai: { message: "bad", type: "invalid_request_error", param: null, code: null } });
    expect(upstreamError(400, '{"error":{"message":""},"detail":"d"}')).toEqual({ status: 400, message: "d" });
    expect(upstreamError(400, '{"title":"t","message":"m"}')).toEqual({ status: 400, message: "t" });
    expect(upstreamError(400, '{"error":"e","message":"m"}')).toEqual({ status: 400, message: "e" });
    expect(upstreamError(400, '{"message":"m"}')).toEqual({ status: 400, message: "m" });
    expect(upstreamError(400, '{"other":1}')).toEqual({ status: 400, message: '{"other":1}' });
    expect(upstreamError(400, "[1]")).toEqual({ status: 400, message: "[1]" });
    expect(upstreamError(400, "not json")).toEqual({ status: 400, message: "not json" });
    expect(upstreamError(400, JSON.stringify({ detail: "x".repeat(500) })).message).toBe("x".repeat(500));
    expect(upstreamError(400, JSON.stringify({ detail: "x".repeat(501) })).message).toBe(`${"x".repeat(500)}…`);
  });

  it("snippets: whitespace runs as one space, 200 characters at most, and a word for an empty body", () => {
    expect(snippet("  a \n\t b  ")).toBe("a b");
    expect(snippet("y".repeat(200))).toBe("y".repeat(200));
    expect(snippet("y".repeat(201))).toBe(`${"y".repeat(200)}…`);
    expect(snippet(" \n ")).toBe("(empty body)");
  });

  it("Retry-After: seconds or an HTTP date, never negative; blank or junk is none", () => {
    const now = Date.UTC(2026, 0, 1);
    expect(parseRetryAfter("  ", now)).toBeUndefined();
    expect(parseRetryAfter(null, now)).toBeUndefined();
    expect(parseRetryAfter("soon", now)).toBeUndefined();
    expect(parseRetryAfter("-5", now)).toBe(0);
    expect(parseRetryAfter(new Date(now + 3_000).toUTCString(), now)).toBe(3);
  });
});
