import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { drive } from "../../durable-objects/task-engine.ts";
import { TaskStore } from "../../durable-objects/task-store.ts";
import type { Env } from "../../worker/env.ts";

const fresh = () => {
  const ns = (env as unknown as Env).TASK_AGENT!;
  return ns.get(ns.idFromName(`store-${crypto.randomUUID()}`));
};
const now = new Date().toISOString();
const doc = { id: "task_x", tenant: "dev", goal: "g", input: "x", planner: null, workflow: null, bodyHash: "h", createdAt: now, updatedAt: now, approvalTtlSeconds: 60, traceparent: "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01", costUsd: 0, hops: 0 };

describe("TaskStore lookups that can miss", () => {
  it("requireTask and requireStep say what is missing instead of failing with a TypeError later", async () => {
    await runInDurableObject(fresh(), async (_i, state: DurableObjectState) => {
      const store = new TaskStore(state.storage.sql);
      expect(() => store.requireTask()).toThrow("no task in this TaskAgent: it was never created");
      store.saveTask({ ...doc, status: "running", plan: { steps: [{ id: "a", input: "x", dependsOn: [], requireApproval: false }], combine: "last" } });
      store.saveStep({ id: "a", status: "pending", attempts: 0, verdicts: [], costUsd: 0 }, 0);
      expect(store.requireTask().id).toBe("task_x");
      expect(store.requireStep("a").status).toBe("pending");
      expect(() => store.requireStep("b")).toThrow("the task has no step 'b'");
    });
  });

  it("a running task without a plan fails, saying so, instead of throwing in every alarm", async () => {
    await runInDurableObject(fresh(), async (_i, state: DurableObjectState) => {
      const store = new TaskStore(state.storage.sql);
      store.saveTask({ ...doc, status: "running", plan: null });
      await drive({ store, env: env as unknown as Env, setAlarm: async () => {}, abortSignal: () => new AbortController().signal, release: () => {} });
      expect(store.requireTask()).toMatchObject({ status: "failed", error: "the task is running without a plan" });
    });
  });
});
