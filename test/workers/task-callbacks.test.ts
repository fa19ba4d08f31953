import { runInDurableObject } from "cloudflare:test";
import { Webhook } from "standardwebhooks";
import { describe, expect, it } from "vitest";
import { MAX_ENQUEUE_TRIES, TaskCallbacks } from "../../durable-objects/task-callbacks.ts";
import { env } from "cloudflare:workers";
import { TaskStore } from "../../durable-objects/task-store.ts";
import type { Envelope } from "../../worker/queues/envelope.ts";
import { call, callWith, problem } from "./helpers.ts";
import { getTask, submit, taskStub, waitFor } from "./task-helpers.ts";
import { hook, receivedWhen, WHSEC } from "./webhook-helpers.ts";

type Delivered = { type: string; timestamp: string; data: { task: { id: string; status: string; updatedAt: string; result?: unknown; awaiting?: { step: string }; callback?: unknown; links: Record<string, string> } } };

describe("task callbacks", () => {
  it("a task that succeeds POSTs task.succeeded, signed, with the task as GET shows it; the secret is never shown", async () => {
    const h = hook();
    const { res, id } = await submit({ goal: "callback on success", plan: { steps: [{ id: "s", specialist: "fault-ok" }] }, callback: { url: h.url, secret: WHSEC } });
    expect(res.status).toBe(202);
    const done = await waitFor(id, ["succeeded", "failed"]);
    expect(done.status).toBe("succeeded");
    const r = await receivedWhen(h.name, (x) => x.accepted === 1);
    const got = r.attempts[0]!;
    const payload = new Webhook(WHSEC).verify(got.body, got.headers) as Delivered;
    expect(payload.type).toBe("task.succeeded");
    expect(got.headers["webhook-id"]).toMatch(new RegExp(`^${id}:\\d+$`));
    const shown = await (await call(`/v1/tasks/${id}`)).json();
    expect(payload.data.task).toEqual({ ...(shown as object), updatedAt: payload.data.task.updatedAt }); // the GET view (read a moment later)
    expect(payload.data.task.callback).toEqual({ url: h.url, signed: true });
    for (const text of [got.body, JSON.stringify(shown), JSON.stringify(await (await call(`/v1/tasks/${id}/audit`)).json()), JSON.stringify(await (await call("/v1/tasks")).json())]) expect(text).not.toContain(WHSEC);
    const audit = (await (await call(`/v1/tasks/${id}/audit`)).json()) as { entries: { action: string; detail: Record<string, unknown> }[]; verification: { ok: boolean } };
    expect(audit.verification.ok).toBe(true);
    expect(audit.entries.find((x) => x.action === "callback.set")?.detail).toMatchObject({ url: h.url.split("?")[0], signed: true, urlHash: expect.stringMatching(/^[0-9a-f]{64}$/) });
  });

  it("the shown bodyHash leaves the callback's secret out; the same idempotency key with another secret is a conflict", async () => {
    const key = `cb-${crypto.randomUUID()}`;
    const url = hook().url;
    const body = (secret: string) => ({ goal: "hash without the secret", plan: { steps: [{ id: "s", specialist: "fault-ok" }] }, callback: { url, secret } });
    const a = await submit({ ...body(WHSEC), idempotencyKey: key });
    expect(a.res.status).toBe(202);
    const again = await submit({ ...body(WHSEC), idempotencyKey: key });
    expect([200, 202]).toContain(again.res.status);
    expect(((await again.res.json()) as { id: string }).id).toBe(a.id);
    expect((await submit({ ...body("another plain secret, 16+ characters"), idempotencyKey: key })).res.status).toBe(409);
    const other = await submit({ ...body("another plain secret, 16+ characters"), idempotencyKey: `${key}-2` });
    expect(((await getTask(other.id)) as unknown as { bodyHash: string }).bodyHash).toBe(((await getTask(a.id)) as unknown as { bodyHash: string }).bodyHash); // the hash says nothing of the secret
  });

  it("a task waiting for approval POSTs task.awaiting_approval, then its end, each change under its own id", async () => {
    const h = hook();
    const { id } = await submit({ goal: "callback at a gate", plan: { steps: [{ id: "s", specialist: "policy-approve" }] }, callback: { url: h.url } });
    await waitFor(id, ["awaiting_approval"]);
    const first = await receivedWhen(h.name, (x) => x.accepted === 1);
    const waiting = JSON.parse(first.attempts[0]!.body) as Delivered;
    expect(waiting.type).toBe("task.awaiting_approval");
    expect(waiting.data.task).toMatchObject({ id, status: "awaiting_approval", awaiting: { step: "s" } });
    expect(first.attempts[0]!.headers["webhook-signature"]).toBeUndefined(); // no secret: unsigned
    expect((await call(`/v1/tasks/${id}/reject`, { json: { by: "dana", reason: "no" } })).status).toBe(200);
    const both = await receivedWhen(h.name, (x) => x.accepted === 2);
    expect(both.attempts.map((a) => (JSON.parse(a.body) as Delivered).type)).toEqual(["task.awaiting_approval", "task.rejected"]);
    const ids = both.attempts.map((a) => a.headers["webhook-id"]);
    expect(new Set(ids).size).toBe(2);
    for (const x of ids) expect(x).toMatch(new RegExp(`^${id}:\\d+$`));
  });

  it("a cancelled task POSTs task.cancelled; a task without a callback has none in its view", async () => {
    const h = hook();
    const { id } = await submit({ goal: "callback on cancel", plan: { steps: [{ id: "slow", specialist: "fault-slow-effect" }] }, callback: { url: h.url } });
    expect((await call(`/v1/tasks/${id}/cancel`, { json: { reason: "test" } })).status).toBe(200);
    const r = await receivedWhen(h.name, (x) => x.accepted === 1);
    expect((JSON.parse(r.attempts[0]!.body) as Delivered).type).toBe("task.cancelled");
    const plain = await submit({ goal: "no callback", plan: { steps: [{ id: "s", specialist: "fault-ok" }] } });
    expect((await getTask(plain.id)) as unknown).not.toHaveProperty("callback");
  });

  it("refuses a bad callback with a 400 naming the field", async () => {
    const plan = { steps: [{ id: "s", specialist: "fault-ok" }] };
    for (const [callback, path] of [
      [{ url: "ftp://hooks.example.com/x" }, "callback.url"],
      [{ url: "not a url" }, "callback.url"],
      [{ url: "https://hooks.example.com/ho\r\nok" }, "callback.url"],
      [{ url: "https://hooks.example.com/x", secret: "short" }, "callback.secret"],
      [{ url: "https://hooks.example.com/x", secret: "whsec_this is not base64!" }, "callback.secret"],
      [{ url: "https://hooks.example.com/x", extra: 1 }, "callback"],
    ] as const) {
      const res = await call("/v1/tasks", { json: { goal: "bad callback", plan, callback } });
      expect(res.status, JSON.stringify(callback)).toBe(400);
      expect((await problem(res)).errors?.map((x) => x.path)).toContain(path);
    }
  });

  it("refuses a private callback URL outside development (400 naming callback.url)", async () => {
    const key = "k-callbacks-0123456789";
    const digest = [...new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(key)))].map((b) => b.toString(16).padStart(2, "0")).join("");
    const prod = { DEV_MODE: "false", SWITCHYARD_CONFIG: undefined, API_KEYS: JSON.stringify({ [digest]: "acme" }) };
    const auth = { authorization: `Bearer ${key}` };
    for (const url of ["http://hooks.example.com/x", "https://127.0.0.1/x", "https://10.0.0.8/x", "https://metadata.internal/x"]) {
      const res = await callWith(prod, "/v1/tasks", { json: { goal: "private callback", callback: { url } }, headers: auth });
      expect(res.status, url).toBe(400);
      const p = await problem(res);
      expect(p.errors).toEqual([{ path: "callback.url", message: expect.stringMatching(/https: URL|points at/) }]);
    }
  });
});

describe("the callback outbox (in the TaskAgent)", () => {
  it("keeps an event the queue refused and sends it on a later try, once", async () => {
    const id = `task_${crypto.randomUUID().replaceAll("-", "")}`;
    await runInDurableObject(taskStub(id), async (_instance, state) => {
      let callbacks: TaskCallbacks | undefined;
      const store = new TaskStore(state.storage.sql, undefined, (ev) => callbacks!.recorded(ev));
      callbacks = new TaskCallbacks(state.storage.sql, () => store);
      const now = Date.now();
      store.saveTask({ id, tenant: "acme", goal: "g", input: "i", status: "running", plan: null, planner: null, workflow: null, bodyHash: "h", createdAt: "", updatedAt: "", approvalTtlSeconds: 60, traceparent: "", costUsd: 0, hops: 0 });
      callbacks.set({ url: "https://hooks.example.com/in", secret: WHSEC });
      store.event("step.started", { step: "s" }); // progress: not told
      expect(callbacks.pending()).toBe(0);
      const seq = store.event("task.succeeded", {});
      expect(callbacks.pending()).toBe(1);
      const sent: Envelope[] = [];
      const down = { WEBHOOKS: { send: async () => Promise.reject(new Error("queue unavailable")) } as unknown as Queue };
      const up = { WEBHOOKS: { send: async (m: Envelope) => void sent.push(m) } as unknown as Queue };
      const next = await callbacks.flush(down, () => now);
      expect(next).toBe(now + 5_000);
      expect(await callbacks.flush(up, () => now + 1_000)).toBe(now + 5_000); // not before its time
      expect(sent).toEqual([]);
      expect(await callbacks.flush(up, () => now + 5_000)).toBeUndefined();
      expect(callbacks.pending()).toBe(0);
      expect(sent).toHaveLength(1);
      expect(sent[0]).toMatchObject({ kind: "webhook.deliver", id: `webhook:${id}:${seq}`, tenant: "acme", body: { callback: { url: "https://hooks.example.com/in", secret: WHSEC }, event: { id: `${id}:${seq}`, type: "task.succeeded" } } });
    });
  });

  it("gives an event up after the queue refused it 10 times, as a dead letter an admin can see (with the secret redacted)", async () => {
    const id = `task_${crypto.randomUUID().replaceAll("-", "")}`;
    const tenant = `gave-up-${crypto.randomUUID().slice(0, 8)}`;
    await runInDurableObject(taskStub(id), async (_instance, state) => {
      let callbacks: TaskCallbacks | undefined;
      const store = new TaskStore(state.storage.sql, undefined, (ev) => callbacks!.recorded(ev));
      callbacks = new TaskCallbacks(state.storage.sql, () => store);
      store.saveTask({ id, tenant, goal: "g", input: "i", status: "running", plan: null, planner: null, workflow: null, bodyHash: "h", createdAt: "", updatedAt: "", approvalTtlSeconds: 60, traceparent: "", costUsd: 0, hops: 0 });
      callbacks.set({ url: "https://hooks.example.com/in", secret: WHSEC });
      const seq = store.event("task.failed", {});
      const down = { ...env, WEBHOOKS: { send: async () => Promise.reject(new Error("queue unavailable")) } as unknown as Queue };
      let at = Date.now();
      for (let i = 0; i < MAX_ENQUEUE_TRIES && callbacks.pending() > 0; i++) at = (await callbacks.flush(down, () => at)) ?? at;
      expect(callbacks.pending()).toBe(0);
    });
    const listed = (await (await call(`/v1/admin/dead-letters?tenant=${tenant}&queue=webhooks&limit=100`, { headers: { authorization: "Bearer dev-admin-key" } })).json()) as { deadLetters: { envelopeId: string | null; reason: string; attempts: number; body: unknown }[] };
    const letter = listed.deadLetters.find((d) => d.envelopeId?.startsWith(`webhook:${id}:`));
    expect(letter).toMatchObject({ reason: "never enqueued: Error: queue unavailable", attempts: MAX_ENQUEUE_TRIES });
    expect(JSON.stringify(letter)).not.toContain(WHSEC);
  });
});

