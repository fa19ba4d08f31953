import { describe, expect, it } from "vitest";
import type { TaskView } from "../../../durable-objects/task-agent.ts";
import { openTaskFeed, settled, settlingEvent, waitSettled, type TaskEventSource } from "../../../worker/tasks/follow.ts";
import type { TaskEvent, TaskStatus } from "../../../worker/tasks/types.ts";

const ev = (seq: number, type = "step.started"): TaskEvent => ({ seq, type, at: `t${seq}`, data: {} });

/**
 * A TaskAgent as the feed sees it: `script` is what each long poll finds (the events
 * written while it waited, and the status after them); a fake clock advances by the
 * wait of every poll that found nothing.
 */
function fakeAgent(initial: { events: TaskEvent[]; status: TaskStatus }, script: { events: TaskEvent[]; status: TaskStatus }[]) {
  let clock = 0;
  let status = initial.status;
  const log: TaskEvent[] = [...initial.events];
  const calls: { after: number; waitMs: number | undefined }[] = [];
  let gets = 0;
  const source: TaskEventSource = {
    async events(_tenant, after, waitMs) {
      calls.push({ after, waitMs });
      let events = log.filter((e) => e.seq > after);
      if (events.length === 0 && waitMs && !["succeeded", "failed", "cancelled", "rejected"].includes(status)) {
        const next = script.shift();
        if (next) {
          log.push(...next.events);
          status = next.status;
        } else clock += waitMs; // nothing happened during the whole wait
        events = log.filter((e) => e.seq > after);
      }
      return { events, done: ["succeeded", "failed", "cancelled", "rejected"].includes(status) };
    },
    async get() {
      gets++;
      return { id: "task_1", status, steps: [] } as unknown as TaskView;
    },
  };
  return { source, calls, now: () => clock, gets: () => gets };
}

describe("openTaskFeed", () => {
  it("gives the backlog, then each later event as it is written, and ends once the task ended and all were read", async () => {
    const a = fakeAgent({ events: [ev(1, "task.created")], status: "running" }, [
      { events: [ev(2)], status: "running" },
      { events: [ev(3), ev(4, "task.succeeded")], status: "succeeded" },
    ]);
    const feed = (await openTaskFeed(a.source, "t", 0, { until: 60_000, now: a.now }))!;
    expect(feed.backlog.map((e) => e.seq)).toEqual([1]);
    const later: number[] = [];
    for await (const e of feed.later) later.push(e.seq);
    expect(later).toEqual([2, 3, 4]);
    // every call after the first is a long poll from the last event read: nothing polls on an interval
    expect(a.calls.slice(1).map((c) => c.after)).toEqual([1, 2, 4]);
    for (const c of a.calls.slice(1)) expect(c.waitMs).toBeGreaterThan(0);
  });

  it("resumes after a given event", async () => {
    const a = fakeAgent({ events: [ev(1), ev(2), ev(3, "task.failed")], status: "failed" }, []);
    const feed = (await openTaskFeed(a.source, "t", 2, { until: 60_000, now: a.now }))!;
    expect(feed.backlog.map((e) => e.seq)).toEqual([3]);
    const later: number[] = [];
    for await (const e of feed.later) later.push(e.seq);
    expect(later).toEqual([]);
  });

  it("stops waiting at `until`, each wait no longer than what is left", async () => {
    const a = fakeAgent({ events: [ev(1)], status: "running" }, []);
    const feed = (await openTaskFeed(a.source, "t", 0, { until: 25_000, now: a.now, longPollMs: 10_000 }))!;
    for await (const _ of feed.later) throw new Error("no event was written");
    expect(a.calls.slice(1).map((c) => c.waitMs)).toEqual([10_000, 10_000, 5_000]);
  });

  it("is undefined for a task the tenant does not have", async () => {
    const source: TaskEventSource = { events: async () => undefined, get: async () => undefined };
    expect(await openTaskFeed(source, "t", 0, { until: 1 })).toBeUndefined();
  });
});

describe("waitSettled", () => {
  it("returns once the task pauses for approval, reading it again only at settling events", async () => {
    const a = fakeAgent({ events: [ev(1, "task.created")], status: "running" }, [
      { events: [ev(2), ev(3, "step.succeeded")], status: "running" },
      { events: [ev(4, "task.awaiting_approval")], status: "awaiting_approval" },
    ]);
    const view = await waitSettled(a.source, "t", { until: 60_000, now: a.now });
    expect(view?.status).toBe("awaiting_approval");
    expect(a.gets()).toBe(2); // once at the start, once at the settling event
  });

  it("returns at once a task already settled, and the task as it is at `until`", async () => {
    const done = fakeAgent({ events: [ev(1, "task.succeeded")], status: "succeeded" }, []);
    expect((await waitSettled(done.source, "t", { until: 60_000, now: done.now }))?.status).toBe("succeeded");
    const slow = fakeAgent({ events: [ev(1)], status: "running" }, []);
    expect((await waitSettled(slow.source, "t", { until: 30_000, now: slow.now }))?.status).toBe("running");
    expect(slow.now()).toBeGreaterThanOrEqual(30_000);
  });
});

describe("settled and settlingEvent agree", () => {
  it("a task settles at its end or a pause for approval, and so do the events saying so", () => {
    const statuses: TaskStatus[] = ["planning", "running", "awaiting_approval", "succeeded", "failed", "cancelled", "rejected"];
    for (const s of statuses) expect(settlingEvent(ev(1, `task.${s}`)), s).toBe(settled(s));
    expect(settlingEvent(ev(1, "task.approved"))).toBe(false);
  });
});
