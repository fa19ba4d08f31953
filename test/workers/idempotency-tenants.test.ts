import { describe, expect, it } from "vitest";
import { sha256Hex } from "../../worker/intent/record.ts";
import { tenantScopedKey } from "../../worker/routing/serve-hop.ts";
import { callWith } from "./helpers.ts";
import { effects } from "./task-helpers.ts";

/**
 * A client's idempotency key reaches specialists namespaced by tenant on every front
 * door: two tenants that use the same key each get their own call and reply from a
 * specialist that deduplicates by key (examples/fault-upstream `/side-effect`).
 */
const KEYS = { acme: "key-acme-idem", beta: "key-beta-idem" } as const;
const API_KEYS = JSON.stringify(Object.fromEntries(await Promise.all(Object.entries(KEYS).map(async ([t, k]) => [await sha256Hex(k), t]))));
const as = (t: keyof typeof KEYS) => ({ authorization: `Bearer ${KEYS[t]}` });

describe("idempotency keys are namespaced by tenant", () => {
  it("the scoped key names no tenant and differs per tenant", async () => {
    const a = await tenantScopedKey("acme", "k1");
    expect(a).toMatch(/^t[0-9a-f]{16}:k1$/);
    expect(a).not.toContain("acme");
    expect(await tenantScopedKey("beta", "k1")).not.toBe(a);
    expect(await tenantScopedKey("acme", "k1")).toBe(a);
  });

  const doors: [string, (t: keyof typeof KEYS, key: string) => Promise<Response>, (r: Response) => Promise<string>][] = [
    [
      "/v1/route",
      (t, key) => callWith({ API_KEYS }, "/v1/route", { json: { input: `from ${t}`, specialist: "fault-side-effect", idempotencyKey: key }, headers: as(t) }),
      async (r) => ((await r.json()) as { output: { text: string } }).output.text,
    ],
    [
      "/v1/chat/completions",
      (t, key) => callWith({ API_KEYS }, "/v1/chat/completions", { json: { model: "fault-side-effect", messages: [{ role: "user", content: `from ${t}` }] }, headers: { ...as(t), "idempotency-key": key } }),
      async (r) => ((await r.json()) as { choices: { message: { content: string } }[] }).choices[0]!.message.content,
    ],
    [
      "/v1/messages",
      (t, key) => callWith({ API_KEYS }, "/v1/messages", { json: { model: "fault-side-effect", max_tokens: 50, messages: [{ role: "user", content: `from ${t}` }] }, headers: { ...as(t), "idempotency-key": key } }),
      async (r) => ((await r.json()) as { content: { text: string }[] }).content[0]!.text,
    ],
    [
      "/v1/responses",
      (t, key) => callWith({ API_KEYS }, "/v1/responses", { json: { model: "fault-side-effect", input: `from ${t}` }, headers: { ...as(t), "idempotency-key": key } }),
      async (r) => ((await r.json()) as { output: { content: { text: string }[] }[] }).output[0]!.content[0]!.text,
    ],
    [
      "/a2a",
      (t, key) =>
        callWith({ API_KEYS }, "/a2a", {
          json: { jsonrpc: "2.0", id: 1, method: "SendMessage", params: { message: { messageId: key, role: "ROLE_USER", parts: [{ text: `from ${t}` }] }, metadata: { switchyard: { mode: "hop", specialist: "fault-side-effect" } } } },
          headers: as(t),
        }),
      async (r) => JSON.stringify(await r.json()),
    ],
  ];
  for (const [door, send, text] of doors)
    it(`${door}: each tenant's call reaches the specialist and gets its own reply`, async () => {
      const key = `shared-${crypto.randomUUID()}`;
      const a = await send("acme", key);
      const b = await send("beta", key);
      expect([a.status, b.status]).toEqual([200, 200]);
      const [ta, tb] = [await text(a), await text(b)];
      expect(ta).not.toBe(tb);
      const [ka, kb] = [await tenantScopedKey("acme", key), await tenantScopedKey("beta", key)];
      expect((await effects(ka)).effects).toBe(1);
      expect((await effects(kb)).effects).toBe(1);
      expect((await effects(key)).effects).toBe(0); // the raw key never reached it
    });
});

describe("a key longer than 255 characters is refused on every door, never dropped", () => {
  const long = "k".repeat(256);
  it("/v1/route: a 400 naming idempotencyKey", async () => {
    const res = await callWith({}, "/v1/route", { json: { input: "x", specialist: "fault-side-effect", idempotencyKey: long } });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { errors: { path: string }[] }).errors[0]!.path).toBe("idempotencyKey");
  });

  it("/v1/chat/completions: a 400 naming the Idempotency-Key header (the call is not made without it)", async () => {
    const res = await callWith({}, "/v1/chat/completions", { json: { model: "fault-side-effect", messages: [{ role: "user", content: "once" }] }, headers: { "idempotency-key": long } });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { type: string; param: string } }).error).toMatchObject({ type: "invalid_request_error", param: "idempotency-key" });
    expect((await effects(await tenantScopedKey("dev", long))).effects).toBe(0);
  });

  it("/v1/messages: a 400 in Anthropic's shape naming the Idempotency-Key header (the call is not made without it)", async () => {
    const res = await callWith({}, "/v1/messages", { json: { model: "fault-side-effect", max_tokens: 50, messages: [{ role: "user", content: "once" }] }, headers: { "idempotency-key": long } });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { type: string; error: { type: string; message: string } };
    expect(body).toMatchObject({ type: "error", error: { type: "invalid_request_error" } });
    expect(body.error.message).toMatch(/Idempotency-Key/);
    expect((await effects(await tenantScopedKey("dev", long))).effects).toBe(0);
  });

  it("/v1/responses: a 400 naming the Idempotency-Key header (the call is not made without it)", async () => {
    const res = await callWith({}, "/v1/responses", { json: { model: "fault-side-effect", input: "once" }, headers: { "idempotency-key": long } });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { type: string; param: string } }).error).toMatchObject({ type: "invalid_request_error", param: "idempotency-key" });
    expect((await effects(await tenantScopedKey("dev", long))).effects).toBe(0);
  });

  it("/a2a: a message id (its idempotency key) over 255 characters is invalid params naming it", async () => {
    const res = await callWith({}, "/a2a", {
      json: { jsonrpc: "2.0", id: 1, method: "SendMessage", params: { message: { messageId: long, role: "ROLE_USER", parts: [{ text: "once" }] }, metadata: { switchyard: { specialist: "fault-side-effect" } } } },
    });
    const body = (await res.json()) as { error?: { code: number; data: { fieldViolations: { field: string }[] }[] } };
    expect(body.error?.code).toBe(-32602);
    expect(body.error?.data[0]!.fieldViolations[0]!.field).toBe("message.messageId");
  });
});
