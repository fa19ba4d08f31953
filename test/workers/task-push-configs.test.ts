import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { MAX_ENQUEUE_TRIES } from "../../durable-objects/task-callbacks.ts";
import { TaskPushConfigs } from "../../durable-objects/task-push-configs.ts";
import { TaskStore } from "../../durable-objects/task-store.ts";
import type { Envelope } from "../../worker/queues/envelope.ts";
import type { PushConfig } from "../../worker/protocols/a2a/push-params.ts";
import { call } from "./helpers.ts";
import { taskStub } from "./task-helpers.ts";

const newId = () => `task_${crypto.randomUUID().replaceAll("-", "")}`;
const config = (id: string, extra: Partial<PushConfig> = {}): PushConfig => ({ id, url: `https://hooks.example.com/${id || "x"}`, wire: "1.0", ...extra });
const queue = (sent: Envelope[]) => ({ WEBHOOKS: { send: async (m: Envelope) => void sent.push(m) } as unknown as Queue });
const down = { WEBHOOKS: { send: async () => Promise.reject(new Error("queue unavailable")) } as unknown as Queue };

/** A task's storage with its push configs, the task running, inside its Durable Object. */
async function withTask(id: string, tenant: string, run: (push: TaskPushConfigs, store: TaskStore) => Promise<void>): Promise<void> {
  await runInDurableObject(taskStub(id), async (_instance, state) => {
    let push: TaskPushConfigs | undefined;
    const store = new TaskStore(state.storage.sql, undefined, (ev) => push!.recorded(ev));
    push = new TaskPushConfigs(state.storage.sql, () => store);
    store.saveTask({ id, tenant, goal: "g", input: "i", status: "running", plan: null, planner: null, workflow: null, bodyHash: "h", createdAt: "", updatedAt: "2026-01-01T00:00:00.000Z", approvalTtlSeconds: 60, traceparent: "", costUsd: 0, hops: 0 });
    await run(push, store);
  });
}

describe("TaskPushConfigs (a task's push notification configs, in the TaskAgent)", () => {
  it("sets, gets, lists and deletes; the views hold no token or credentials; a set without an id gets a UUID", async () => {
    const id = newId();
    await withTask(id, "acme", async (push) => {
      const a = push.set(config("a", { token: "tok", authentication: { scheme: "Bearer", credentials: "cred" } }), false);
      expect(a).toEqual({ kind: "config", config: { id: "a", url: "https://hooks.example.com/a", wire: "1.0", scheme: "Bearer" } });
      const b = push.set(config("", { wire: "0.3" }), false);
      expect(b.kind === "config" && b.config.id).toMatch(/^[0-9a-f-]{36}$/);
      expect(push.list().map((c) => c.id)).toEqual(["a", b.kind === "config" ? b.config.id : ""]);
      expect(JSON.stringify(push.list())).not.toMatch(/tok|cred/);
      expect(push.get("a")).toEqual({ id: "a", url: "https://hooks.example.com/a", wire: "1.0", scheme: "Bearer" });
      expect(push.get("nope")).toBeUndefined();
      expect(push.get()).toMatchObject({ id: "a" }); // no id: the one with the task's id, else the oldest
      push.set(config(id), false);
      expect(push.get()).toMatchObject({ id });
      expect(push.delete("a")).toBe(true);
      expect(push.delete("a")).toBe(false);
      expect(push.apply({ kind: "get", id: "a" })).toEqual({ kind: "missing" });
      expect(push.apply({ kind: "delete", id: "a" })).toEqual({ kind: "deleted", existed: false });
    });
  });

  it("replaces a config set again under its id, dropping its pending notifications; holds at most 10", async () => {
    const id = newId();
    await withTask(id, "acme", async (push, store) => {
      push.set(config("c"), false);
      store.event("task.failed", {});
      expect(push.pending()).toBe(1);
      push.set(config("c", { url: "https://hooks.example.com/new" }), false);
      expect(push.pending()).toBe(0);
      expect(push.list()).toEqual([{ id: "c", url: "https://hooks.example.com/new", wire: "1.0" }]);
      for (let i = 1; i < 10; i++) push.set(config(`c${i}`), false);
      expect(push.set(config("c10"), false)).toEqual({ kind: "too_many", max: 10 });
      expect(push.set(config("c5", { url: "https://hooks.example.com/other" }), false)).toMatchObject({ kind: "config" });
      expect(push.list()).toHaveLength(10);
    });
  });

  it("records a notification per config for the state changes A2A reports (not for step progress), in each config's format", async () => {
    const id = newId();
    const sent: Envelope[] = [];
    await withTask(id, "acme", async (push, store) => {
      push.set(config("v1", { token: "t-1", authentication: { scheme: "Bearer", credentials: "c-1" } }), false);
      push.set(config("v03", { wire: "0.3" }), false);
      store.event("step.started", { step: "s" });
      expect(push.pending()).toBe(0);
      const task = store.requireTask();
      store.saveTask({ ...task, status: "succeeded", result: { text: "done" } });
      const seq = store.event("task.succeeded", {});
      expect(push.pending()).toBe(3); // 1.0: the artifact and the status; 0.3: the task
      expect(await push.flush(queue(sent))).toBeUndefined();
      expect(push.pending()).toBe(0);
      const [artifact, status, legacy] = sent;
      expect(artifact).toMatchObject({ kind: "webhook.deliver", id: `webhook:${id}:${seq}:p1:artifact`, tenant: "acme" });
      expect(artifact!.body).toMatchObject({
        format: "a2a",
        callback: { url: "https://hooks.example.com/v1", authorization: { scheme: "Bearer", secret: "c-1" }, token: { secret: "t-1" } },
        event: { id: `${id}:${seq}:p1:artifact`, type: "a2a.artifactUpdate", data: { artifactUpdate: { taskId: id, artifact: { artifactId: "result", parts: [{ text: "done" }, { data: { text: "done" } }] } } } },
      });
      expect(status!.body).toMatchObject({ event: { id: `${id}:${seq}:p1`, type: "a2a.statusUpdate", data: { statusUpdate: { taskId: id, contextId: id, status: { state: "TASK_STATE_COMPLETED" } } } } });
      expect(legacy!.body).toMatchObject({ callback: { url: "https://hooks.example.com/v03" }, event: { id: `${id}:${seq}:p2`, type: "a2a.task", data: { kind: "task", id, status: { state: "completed" } } } });
      expect(legacy!.body).not.toHaveProperty("callback.authorization");
    });
  });

  it("with a snapshot, sends the task as it is at once (a SendMessage's config)", async () => {
    const id = newId();
    const sent: Envelope[] = [];
    await withTask(id, "acme", async (push) => {
      const set = push.set(config(id), true);
      expect(set.kind === "config" && set.config.id).toBe(id);
      push.set(config("old", { wire: "0.3" }), true);
      await push.flush(queue(sent));
    });
    expect(sent.map((m) => m.id)).toEqual([`webhook:${id}:p1:task`, `webhook:${id}:p2:task`]);
    expect(sent[0]!.body).toMatchObject({ event: { type: "a2a.task", data: { task: { id, status: { state: "TASK_STATE_WORKING" } } } } });
    expect(sent[1]!.body).toMatchObject({ event: { data: { kind: "task", id, status: { state: "working" } } } });
  });

  it("keeps what the queue refused for a later try; a deleted config's notifications go with it", async () => {
    const id = newId();
    const sent: Envelope[] = [];
    await withTask(id, "acme", async (push, store) => {
      push.set(config("keep"), false);
      push.set(config("drop"), false);
      store.event("task.awaiting_approval", { step: "s" });
      expect(push.pending()).toBe(2);
      const now = Date.now();
      expect(await push.flush(down, () => now)).toBe(now + 5_000);
      expect(push.delete("drop")).toBe(true);
      expect(push.pending()).toBe(1);
      expect(await push.flush(queue(sent), () => now + 1_000)).toBe(now + 5_000); // not before its time
      expect(await push.flush(queue(sent), () => now + 5_000)).toBeUndefined();
      expect(sent.map((m) => (m.body as { callback: { url: string } }).callback.url)).toEqual(["https://hooks.example.com/keep"]);
    });
  });

  it("gives a notification up after the queue refused it 10 times, as a dead letter an admin sees with its credentials redacted", async () => {
    const id = newId();
    const tenant = `push-gave-up-${crypto.randomUUID().slice(0, 8)}`;
    await withTask(id, tenant, async (push, store) => {
      push.set(config("c", { token: "token-never-shown", authentication: { scheme: "Bearer", credentials: "credentials-never-shown" } }), false);
      store.event("task.rejected", {});
      const refusing = { ...env, ...down };
      let at = Date.now();
      for (let i = 0; i < MAX_ENQUEUE_TRIES + 1 && push.pending() > 0; i++) at = (await push.flush(refusing, () => at)) ?? at;
      expect(push.pending()).toBe(0);
    });
    const listed = (await (await call(`/v1/admin/dead-letters?tenant=${tenant}&queue=webhooks&limit=100`, { headers: { authorization: "Bearer dev-admin-key" } })).json()) as { deadLetters: { envelopeId: string | null; reason: string; attempts: number; body: any }[] };
    const letter = listed.deadLetters.find((d) => d.envelopeId?.startsWith(`webhook:${id}:`));
    expect(letter).toMatchObject({ reason: "never enqueued: Error: queue unavailable", attempts: MAX_ENQUEUE_TRIES });
    expect(letter!.body).toMatchObject({ format: "a2a", callback: { authorization: { scheme: "Bearer", secret: "[redacted]" }, token: { secret: "[redacted]" } } });
    expect(JSON.stringify(letter)).not.toMatch(/never-shown/);
  });
});
