import { describe, expect, it } from "vitest";
import { CALLBACK_EVENT_TYPES, MAX_EVENT_DATA_BYTES, taskCallbackEvent, type TaskEventView } from "../../../worker/tasks/callback-events.ts";
import { taskLinks } from "../../../worker/tasks/links.ts";
import { envelope } from "../../../worker/queues/envelope.ts";

const bytes = (x: unknown) => new TextEncoder().encode(JSON.stringify(x)).length;

const view = (over: Partial<TaskEventView> = {}): TaskEventView => ({
  id: "task_0123",
  tenant: "acme",
  goal: "g",
  input: "i",
  status: "succeeded",
  plan: { steps: [{ id: "s", input: "{{input}}", dependsOn: [], requireApproval: false }], combine: "last" },
  planner: null,
  workflow: null,
  bodyHash: "h",
  createdAt: "2026-11-30T04:00:00.000Z",
  updatedAt: "2026-11-30T04:00:01.000Z",
  approvalTtlSeconds: 60,
  traceparent: "00-0123456789abcdef0123456789abcdef-0123456789abcdef-01",
  costUsd: 0,
  hops: 1,
  callback: { url: "https://h.example/in", signed: true },
  steps: [{ id: "s", status: "succeeded", attempts: 1, verdicts: [], costUsd: 0, output: { text: "ok" } }],
  links: taskLinks("task_0123"),
  ...over,
});

describe("a task's callback events", () => {
  it("are its end and its pauses for a human, not its progress", () => {
    expect([...CALLBACK_EVENT_TYPES].sort()).toEqual(["task.awaiting_approval", "task.cancelled", "task.failed", "task.rejected", "task.succeeded"]);
  });

  it("carry an id made of the task and the change's event number, and the task as GET shows it", () => {
    const e = taskCallbackEvent(view(), { seq: 8, type: "task.succeeded", at: "2026-11-30T04:00:02.000Z" });
    expect(e).toEqual({ id: "task_0123:8", type: "task.succeeded", occurredAt: "2026-11-30T04:00:02.000Z", data: { task: JSON.parse(JSON.stringify(view())) } });
    expect(JSON.stringify(e)).not.toMatch(/secret/);
  });

  it("compact a task too large for one queue message, and say so", () => {
    const big = view({ result: "x".repeat(200_000), steps: [{ id: "s", status: "succeeded", attempts: 1, verdicts: [], costUsd: 0, output: "y".repeat(200_000) }] });
    const e = taskCallbackEvent(big, { seq: 3, type: "task.succeeded", at: "2026-11-30T04:00:02.000Z" });
    const task = e.data.task as Record<string, unknown>;
    expect(bytes(e.data)).toBeLessThanOrEqual(MAX_EVENT_DATA_BYTES + 100);
    expect(task).toMatchObject({ id: "task_0123", status: "succeeded", truncated: true, steps: [{ id: "s", status: "succeeded", attempts: 1 }], links: taskLinks("task_0123") });
    expect(task.result).toBeUndefined();
  });

  it("measure a task in UTF-8 bytes, as a queue message is: text of 3-byte characters is compacted to fit, and the event can be enqueued", () => {
    const cjk = "漢字".repeat(4000); // 8,000 characters, 24,000 bytes
    const wide = view({ goal: cjk, input: cjk, steps: [0, 1, 2].map((i) => ({ id: `s${i}`, status: "succeeded" as const, attempts: 1, verdicts: [], costUsd: 0, input: cjk, output: { text: cjk } })) });
    expect(JSON.stringify(wide).length).toBeLessThan(MAX_EVENT_DATA_BYTES); // under the limit in characters…
    expect(bytes(wide)).toBeGreaterThan(MAX_EVENT_DATA_BYTES); // …over it in bytes
    const e = taskCallbackEvent(wide, { seq: 4, type: "task.succeeded", at: "2026-11-30T04:00:02.000Z" });
    expect((e.data.task as Record<string, unknown>).truncated).toBe(true);
    expect(bytes(e.data)).toBeLessThanOrEqual(MAX_EVENT_DATA_BYTES);
    expect(() => envelope("webhook.deliver", `webhook:${e.id}`, "acme", { callback: { url: "https://h.example/in" }, event: e as never })).not.toThrow();
  });

  it("always fit, however large the goal, input, error and steps: at the least the task's id, status, times and links", () => {
    const huge = "é".repeat(100_000);
    const steps = Array.from({ length: 256 }, (_, i) => ({ id: `step-${i}-${"x".repeat(50)}`, status: "failed" as const, attempts: 3, verdicts: [], costUsd: 0, error: huge }));
    const e = taskCallbackEvent(view({ goal: huge, input: huge, error: huge, status: "failed", steps }), { seq: 9, type: "task.failed", at: "2026-11-30T04:00:02.000Z" });
    const task = e.data.task as Record<string, unknown>;
    expect(bytes(e.data)).toBeLessThanOrEqual(MAX_EVENT_DATA_BYTES);
    expect(task).toMatchObject({ id: "task_0123", status: "failed", truncated: true, links: taskLinks("task_0123") });
    expect(() => envelope("webhook.deliver", `webhook:${e.id}`, "acme", { callback: { url: "https://h.example/in" }, event: e as never })).not.toThrow();
  });
});
