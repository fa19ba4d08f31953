import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { expect, it } from "vitest";
import worker from "../../../worker/index.ts";
import type { Env } from "../../../worker/env.ts";
import { AUTH } from "../helpers.ts";

/**
 * What the tests of translated chat models share (`anthropic`, `gemini` and
 * `workers-ai` specialists through the OpenAI front door): a client of the door, the
 * metrics of a specialist, and the tests every such model must pass (a field it cannot
 * take is refused before any call; every failure of its provider is counted).
 */

export const user = (content: unknown) => ({ role: "user", content });
/** The system prompt of test-config's translated models. */
export const SYSTEM = "You are a terse test model.";
export const TOOLS = [{ type: "function", function: { name: "lookup", description: "looks up", parameters: { type: "object", properties: { q: { type: "string" } }, required: ["q"] } } }];
/** A 1×1 PNG, base64. */
export const PNG = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==";
/** The `data:` payloads of an OpenAI event stream. */
export const dataOf = (text: string) => text.split("\n\n").filter((e) => e.trim() !== "").map((e) => e.replace(/^data: /, ""));

export type Metrics = { id: string; ok: number; errors: number; refused: number; failures: Record<string, number> };
export type Send = (body: unknown) => Promise<{ res: Response; settle: () => Promise<void> }>;

/** A client of the OpenAI front door with the test bindings (and `config` as SWITCHYARD_CONFIG, if given). */
export function openaiDoor(config?: string): { send: Send; metricsOf: (id: string) => Promise<Metrics> } {
  const bindings = () => ({ ...(env as unknown as Env), ...(config !== undefined ? { SWITCHYARD_CONFIG: config } : {}) }) as Env;
  async function send(body: unknown) {
    const ctx = createExecutionContext();
    const res = await worker.fetch(new Request("https://router.test/v1/chat/completions", { method: "POST", headers: { ...AUTH, "content-type": "application/json" }, body: JSON.stringify(body) }), bindings(), ctx);
    return { res, settle: () => waitOnExecutionContext(ctx) };
  }
  async function metricsOf(id: string): Promise<Metrics> {
    const ctx = createExecutionContext();
    const res = await worker.fetch(new Request("https://router.test/v1/metrics", { headers: { authorization: "Bearer dev-admin-key" } }), bindings(), ctx);
    await waitOnExecutionContext(ctx);
    return ((await res.json()) as { specialists: Metrics[] }).specialists.find((s) => s.id === id) ?? { id, ok: 0, errors: 0, refused: 0, failures: {} };
  }
  return { send, metricsOf };
}

/** A test per field `model` cannot take: a 400 `invalid_request_error` whose `param` and message name it, and no call to the provider (`calls`). */
export function refusedBeforeAnyCall(send: Send, model: string, calls: () => Promise<unknown[]>, cases: readonly (readonly [extra: Record<string, unknown>, param: string])[]): void {
  for (const [extra, param] of cases)
    it(param, async () => {
      const { res } = await send({ model, messages: [user("hi")], ...extra });
      expect(res.status).toBe(400);
      const e = ((await res.json()) as { error: { message: string; type: string; param: string | null } }).error;
      expect(e).toMatchObject({ type: "invalid_request_error", param });
      expect(e.message).toContain(param);
      expect(await calls()).toEqual([]);
    });
}

/** A test per failing specialist: the client's status, the failure counted once under its kind, no success. */
export function countedFailures({ send, metricsOf }: ReturnType<typeof openaiDoor>, fails: readonly (readonly [id: string, status: number, kind: string])[]): void {
  for (const [id, status, kind] of fails)
    it(`${id}: ${status}, counted as '${kind}'`, async () => {
      const before = await metricsOf(id);
      const { res, settle } = await send({ model: id, messages: [user("hi")] });
      expect(res.status, await res.clone().text()).toBe(status);
      await res.text();
      await settle();
      const after = await metricsOf(id);
      expect((after.failures[kind] ?? 0) - (before.failures[kind] ?? 0)).toBe(1);
      expect(after.ok - before.ok).toBe(0);
    });
}

/**
 * A test per broken stream (a specialist `<provider>-<model>` of the fake): the text
 * heard so far (in chunks only), then an error event naming `detail` and no [DONE];
 * counted under `kind`, never as a success.
 */
export function brokenStreams({ send, metricsOf }: ReturnType<typeof openaiDoor>, cases: readonly (readonly [id: string, kind: string, detail: RegExp])[]): void {
  for (const [id, kind, detail] of cases)
    it(`${id}: the stream ends with an error event and no [DONE], counted as '${kind}'`, async () => {
      const before = await metricsOf(id);
      const { res, settle } = await send({ model: id, stream: true, messages: [user("tell me more")] });
      expect(res.status).toBe(200);
      const data = dataOf(await res.text());
      await settle();
      expect(data).not.toContain("[DONE]");
      // before the one error event, chunks only: nothing the provider sent that is not one (garbage) reaches the client
      expect(data.slice(0, -1).map((d) => (JSON.parse(d) as { object?: string }).object)).toEqual(data.slice(0, -1).map(() => "chat.completion.chunk"));
      const content = data.slice(0, -1).map((d) => JSON.parse(d).choices?.[0]?.delta?.content ?? "").join("");
      expect(content.startsWith(`[${id.slice(id.indexOf("-") + 1)}] heard:`)).toBe(true);
      const last = JSON.parse(data.at(-1)!) as { error: { message: string; type: string } };
      expect(last.error.type).toBe("server_error");
      expect(last.error.message).toMatch(detail);
      const after = await metricsOf(id);
      expect(after.ok - before.ok).toBe(0);
      expect((after.failures[kind] ?? 0) - (before.failures[kind] ?? 0)).toBe(1);
    });
}

/**
 * A stream that completed: 200 `text/event-stream` ending with `[DONE]`, its first
 * chunk the assistant's role, its content `text`; returns the chunks (without `[DONE]`).
 */
export async function completedStream(send: Send, body: Record<string, unknown>, text: string): Promise<any[]> {
  const { res, settle } = await send({ ...body, stream: true });
  expect(res.status).toBe(200);
  expect(res.headers.get("content-type")).toMatch(/^text\/event-stream/);
  const data = dataOf(await res.text());
  await settle();
  expect(data.at(-1)).toBe("[DONE]");
  const chunks = data.slice(0, -1).map((d) => JSON.parse(d));
  expect(chunks[0].choices[0].delta).toMatchObject({ role: "assistant" });
  expect(chunks.map((c) => c.choices[0]?.delta?.content ?? "").join("")).toBe(text);
  return chunks;
}

/** The test that the provider's 429 reaches the client as a 429 with its Retry-After (1 s), counted as `rate_limited`. */
export function rateLimited({ send, metricsOf }: ReturnType<typeof openaiDoor>, id: string, title: string): void {
  it(title, async () => {
    const before = await metricsOf(id);
    const { res, settle } = await send({ model: id, messages: [user("hi")] });
    expect(res.status).toBe(429);
    expect(res.headers.get("retry-after")).toBe("1");
    await res.text();
    await settle();
    expect(((await metricsOf(id)).failures.rate_limited ?? 0) - (before.failures.rate_limited ?? 0)).toBe(1);
  });
}
