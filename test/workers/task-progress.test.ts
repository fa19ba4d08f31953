import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { MAX_PROGRESS_EVENTS, MAX_PROGRESS_TEXT, progressRecorder, type EngineHost } from "../../durable-objects/task-lifecycle.ts";
import { TaskStore } from "../../durable-objects/task-store.ts";
import type { Env } from "../../worker/env.ts";
import type { TaskStatus } from "../../worker/tasks/types.ts";

const fresh = () => {
  const ns = (env as unknown as Env).TASK_AGENT!;
  return ns.get(ns.idFromName(`progress-${crypto.randomUUID()}`));
};
const now = new Date().toISOString();
const doc = (status: TaskStatus) => ({ id: "task_x", tenant: "dev", goal: "g", input: "x", status, plan: null, planner: null, workflow: null, bodyHash: "h", createdAt: now, updatedAt: now, approvalTtlSeconds: 60, traceparent: "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01", costUsd: 0, hops: 0 });
const host = (store: TaskStore): EngineHost => ({ store, env: env as unknown as Env, setAlarm: async () => {}, abortSignal: () => new AbortController().signal, release: () => {} });
const said = { kind: "artifact" as const, artifactId: "answer", text: "first", specialist: "remote", retry: 0 };

describe("step.progress: what a step's specialist says mid-call", () => {
  it("is recorded as it arrives, with the step, texts cut, at most MAX_PROGRESS_EVENTS per call", async () => {
    await runInDurableObject(fresh(), async (_i, state: DurableObjectState) => {
      const store = new TaskStore(state.storage.sql);
      store.saveTask(doc("running"));
      const record = progressRecorder(host(store), "ask", new AbortController().signal);
      record(said);
      record({ ...said, text: "x".repeat(MAX_PROGRESS_TEXT + 10) });
      const [first, long] = store.eventsAfter(0);
      expect(first).toMatchObject({ type: "step.progress", data: { step: "ask", kind: "artifact", artifactId: "answer", text: "first", specialist: "remote", retry: 0 } });
      expect(long!.data.text).toBe(`${"x".repeat(MAX_PROGRESS_TEXT)}…`);
      for (let i = 0; i < MAX_PROGRESS_EVENTS + 5; i++) record(said);
      expect(store.eventsAfter(0, 1000)).toHaveLength(MAX_PROGRESS_EVENTS);
      // another call (a retry, a fallback, the verifier) has its own allowance
      progressRecorder(host(store), "ask", new AbortController().signal)(said);
      expect(store.eventsAfter(0, 1000)).toHaveLength(MAX_PROGRESS_EVENTS + 1);
    });
  });

  it("is not recorded once the step is cancelled or the task has ended, and never throws", async () => {
    await runInDurableObject(fresh(), async (_i, state: DurableObjectState) => {
      const store = new TaskStore(state.storage.sql);
      store.saveTask(doc("running"));
      const cancel = new AbortController();
      const record = progressRecorder(host(store), "ask", cancel.signal);
      cancel.abort();
      record(said);
      store.saveTask(doc("cancelled"));
      progressRecorder(host(store), "ask", new AbortController().signal)(said);
      expect(store.eventsAfter(0)).toEqual([]);
      const broken = { ...host(store), store: { task: () => doc("running"), event: () => { throw new Error("storage refused"); } } as unknown as TaskStore };
      expect(() => progressRecorder(broken, "ask", new AbortController().signal)(said)).not.toThrow();
    });
  });
});
