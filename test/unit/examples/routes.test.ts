import { describe, expect, it } from "vitest";
import worker, { app } from "../../../examples/specialists/src/index.ts";

const NOW = "2026-03-01T12:00:00Z";

function post(path: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return Promise.resolve(
    app.request(path, {
      method: "POST",
      headers: { "content-type": "application/json", ...headers },
      body: typeof body === "string" ? body : JSON.stringify(body),
    }),
  );
}

async function problemOf(res: Response): Promise<Record<string, unknown>> {
  expect(res.headers.get("content-type")).toBe("application/problem+json");
  return (await res.json()) as Record<string, unknown>;
}

describe("specialists worker routes", () => {
  it("exports the same hono app as the default handler", () => {
    expect(worker).toBe(app);
    expect(typeof worker.fetch).toBe("function");
  });

  it("GET /healthz lists the specialists", async () => {
    const res = await app.request("/healthz");
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ok: true, specialists: ["arithmetic", "units", "datetime", "text-stats", "summarize", "general"] });
  });

  it.each([
    ["/arithmetic", { input: "what is 12 * (3 + 4)?" }, { text: "12 * (3 + 4) = 84", expression: "12 * (3 + 4)", value: 84 }],
    ["/units", { input: "convert 5 km to miles" }, { text: "5 kilometers = 3.10686 miles", value: 3.10685596119, category: "length" }],
    ["/datetime", { input: "time in Tokyo", context: { now: NOW } }, { operation: "timezone", local: "2026-03-01T21:00:00+09:00" }],
    ["/datetime", { input: "what day is it today", context: { now: "2026-03-01T23:30:00+00:00", timezone: "Asia/Tokyo" } }, { date: "2026-03-02" }],
    ["/text-stats", { input: "Hello world. Hello again!" }, { words: 4, sentences: 2, characters: 25 }],
    ["/summarize", { input: "Summarize in 1 sentence: Rust is fast. Rust is safe and fast. Tea is hot." }, { text: "Rust is safe and fast." }],
    ["/summarize", { input: "Rust is fast. Rust is safe and fast. Tea is hot. Tea is green.", context: { maxSentences: 2 } }, { requested: 2 }],
    ["/general", { input: "hello" }, { kind: "greeting" }],
  ])("POST %s answers 200 with output and usage", async (path, body, expected) => {
    const res = await post(path, body);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^application\/json/);
    const json = (await res.json()) as { output: Record<string, unknown>; usage: unknown };
    expect(json.usage).toEqual({ units: 1 });
    expect(json.output).toMatchObject(expected);
    expect(typeof json.output.text).toBe("string");
    expect(json.output).not.toHaveProperty("ok");
  });

  it("accepts the full router request shape with headers", async () => {
    const res = await post(
      "/arithmetic",
      { input: "17 % 5", intent: { id: "abc", label: "math.evaluate", confidence: 0.92 }, context: { user: "u1" } },
      { "x-intent-id": "abc", "idempotency-key": "k-1", traceparent: "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01" },
    );
    expect(res.status).toBe(200);
    expect(res.headers.get("traceparent")).toBe("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01");
    expect(await res.json()).toEqual({ output: { text: "17 % 5 = 2", expression: "17 % 5", value: 2 }, usage: { units: 1 } });
  });

  it("does not echo a malformed traceparent", async () => {
    const res = await post("/arithmetic", { input: "1+1" }, { traceparent: "garbage" });
    expect(res.headers.get("traceparent")).toBeNull();
  });

  it("is deterministic for /datetime given context.now", async () => {
    const a = await (await post("/datetime", { input: "how many days until christmas", context: { now: NOW } })).json();
    const b = await (await post("/datetime", { input: "how many days until christmas", context: { now: NOW } })).json();
    expect(a).toEqual(b);
    expect(a).toMatchObject({ output: { days: 299 } });
  });

  it.each([
    ["/arithmetic", "1 / 0", "Division by zero"],
    ["/arithmetic", "hello", 'No arithmetic expression found in the input (try something like "12 * (3 + 4)")'],
    ["/units", "3 kg to meters", "Cannot convert kilograms (mass) to meters (length): both units must measure the same kind of quantity"],
    ["/datetime", "what day is 2024-02-30", "'2024-02-30' is not a valid date"],
    ["/text-stats", "word count:", 'There is no text to analyse: send the text itself, e.g. "count the words in: The quick brown fox."'],
    ["/summarize", "summarize this", 'There is no text to summarize: send the text itself, e.g. "summarize in 2 sentences: …"'],
  ])("POST %s with %j is a 422 problem", async (path, input, detail) => {
    const res = await post(path, { input });
    expect(res.status).toBe(422);
    expect(await problemOf(res)).toEqual({
      type: "urn:switchyard:problem:unprocessable-input",
      title: "Input not understood",
      status: 422,
      detail,
      specialist: path.slice(1),
    });
  });

  it("answers 400 with errors for a body that is not JSON", async () => {
    const res = await post("/arithmetic", "{not json");
    expect(res.status).toBe(400);
    const p = await problemOf(res);
    expect(p).toMatchObject({ type: "urn:switchyard:problem:bad-request", title: "Bad request", status: 400, detail: "The request body is not valid JSON" });
    expect(p.errors).toEqual([{ path: "", message: expect.any(String) }]);
  });

  it("answers 400 for an empty body", async () => {
    const res = await app.request("/units", { method: "POST" });
    expect(res.status).toBe(400);
    expect(await problemOf(res)).toMatchObject({ detail: "The request body is not valid JSON" });
  });

  it.each([
    [{}, ["input"]],
    [{ input: "" }, ["input"]],
    [{ input: 42 }, ["input"]],
    [{ input: "x".repeat(20_001) }, ["input"]],
    [{ input: "1+1", intent: { id: "a" } }, ["intent.label", "intent.confidence"]],
    [{ input: "1+1", context: "nope" }, ["context"]],
    [[1, 2], [""]],
  ])("answers 400 with errors for schema violations: %j", async (body, paths) => {
    const res = await post("/arithmetic", body);
    expect(res.status).toBe(400);
    const p = await problemOf(res);
    expect(p.detail).toBe("The request body does not match the specialist contract");
    expect((p.errors as Array<{ path: string }>).map((e) => e.path)).toEqual(paths);
  });

  it("accepts input of exactly 20,000 characters", async () => {
    const res = await post("/text-stats", { input: "a ".repeat(10_000) });
    expect(res.status).toBe(200);
  });

  it("validates the datetime and summarize context", async () => {
    let res = await post("/datetime", { input: "what day is it", context: { now: "yesterday-ish" } });
    expect(res.status).toBe(400);
    expect(await problemOf(res)).toMatchObject({ detail: "The request context is invalid", errors: [{ path: "context.now" }] });
    res = await post("/datetime", { input: "what day is it", context: { timezone: "Mars/Base" } });
    expect(await problemOf(res)).toMatchObject({ errors: [{ path: "context.timezone", message: "not a known IANA time zone" }] });
    res = await post("/summarize", { input: "A. B.", context: { maxSentences: 0 } });
    expect(res.status).toBe(400);
    expect(await problemOf(res)).toMatchObject({ errors: [{ path: "context.maxSentences" }] });
  });

  it("answers 413 for an oversized body", async () => {
    const res = await post("/general", { input: "hi", context: { blob: "x".repeat(300_000) } });
    expect(res.status).toBe(413);
    expect(await problemOf(res)).toMatchObject({ type: "urn:switchyard:problem:payload-too-large", status: 413 });
  });

  it("answers 404 problem+json for an unknown path", async () => {
    const res = await post("/nope", { input: "hi" });
    expect(res.status).toBe(404);
    expect(await problemOf(res)).toEqual({
      type: "urn:switchyard:problem:not-found",
      title: "Not found",
      status: 404,
      detail: "No specialist at /nope; POST to one of /arithmetic, /units, /datetime, /text-stats, /summarize, /general or GET /healthz",
    });
  });

  it("answers 405 with Allow for a wrong method", async () => {
    let res = await app.request("/arithmetic");
    expect(res.status).toBe(405);
    expect(res.headers.get("allow")).toBe("POST");
    expect(await problemOf(res)).toMatchObject({ type: "urn:switchyard:problem:method-not-allowed", status: 405 });
    res = await app.request("/healthz", { method: "POST", body: "{}" });
    expect(res.status).toBe(405);
    expect(res.headers.get("allow")).toBe("GET, HEAD");
  });
});
