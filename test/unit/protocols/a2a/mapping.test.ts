import { describe, expect, it } from "vitest";
import { a2aState, CONTEXT_KEY, hopToMessage, limitHistory, progressEvents, statusMessage, taskToA2A, type TaskViewLike } from "../../../../worker/protocols/a2a/mapping.ts";
import { gateAnswer, isBlocking, SendParams, switchyardOptions, wantsTask } from "../../../../worker/protocols/a2a/params.ts";
import { RpcFailure } from "../../../../worker/protocols/a2a/jsonrpc.ts";
import type { JsonObject } from "../../../../worker/json.ts";

const view = (over: Partial<TaskViewLike> = {}): TaskViewLike => ({
  id: "task_" + "a".repeat(32),
  status: "running",
  updatedAt: "2026-01-01T00:00:00.000Z",
  costUsd: 0.002,
  hops: 2,
  steps: [{ id: "s1", status: "succeeded", specialist: "units" }, { id: "s2", status: "running" }],
  ...over,
});

describe("TaskAgent → A2A", () => {
  it("maps every TaskAgent status onto an A2A state", () => {
    expect(["planning", "running", "awaiting_approval", "succeeded", "failed", "cancelled", "rejected"].map((s) => a2aState(s as never))).toEqual([
      "working",
      "working",
      "input-required",
      "completed",
      "failed",
      "canceled",
      "rejected",
    ]);
  });

  it("answers a succeeded task with its result as an artifact (text + data) and Switchyard's view in metadata", () => {
    const t = taskToA2A(view({ status: "succeeded", result: { text: "9.32", value: 9.32 } }));
    expect(t.status).toEqual({ state: "completed", timestamp: "2026-01-01T00:00:00.000Z" });
    expect(t.contextId).toBe(t.id);
    expect(t.artifacts).toEqual([{ artifactId: "result", name: "result", parts: [{ kind: "text", text: "9.32" }, { kind: "data", data: { text: "9.32", value: 9.32 } }] }]);
    expect(t.metadata).toMatchObject({ switchyard: { status: "succeeded", costUsd: 0.002, hops: 2, steps: [{ id: "s1", specialist: "units" }, { id: "s2" }], links: { self: `/v1/tasks/${t.id}` } } });
  });

  it("says why a task waits, failed or ended, and keeps the client's contextId", () => {
    const waiting = taskToA2A(view({ status: "awaiting_approval", awaiting: { step: "s2", reason: "needs a human" }, context: { [CONTEXT_KEY]: "ctx-1" } }));
    expect(waiting.contextId).toBe("ctx-1");
    expect(waiting.status.state).toBe("input-required");
    expect(waiting.status.message?.parts[0]).toEqual({ kind: "text", text: expect.stringContaining("approval of step 's2': needs a human") });
    expect(taskToA2A(view({ status: "failed", error: "boom" })).status.message?.parts[0]).toEqual({ kind: "text", text: "boom" });
    expect(taskToA2A(view({ status: "cancelled" })).artifacts).toBeUndefined();
  });

  it("turns progress events into working status updates, and a stop event into artifact + final status", () => {
    const step = progressEvents({ seq: 3, type: "step.succeeded", at: "t", data: { step: "s1", specialist: "units" } }, view());
    expect(step).toHaveLength(1);
    expect(step[0]).toMatchObject({ kind: "status", final: false, status: { state: "working", message: { parts: [{ kind: "text", text: "step 's1' succeeded (units)" }, { kind: "data", data: { event: "step.succeeded", seq: 3 } }] } } });
    const done = progressEvents({ seq: 9, type: "task.succeeded", at: "t", data: {} }, view({ status: "succeeded", result: "ok" }));
    expect(done.map((e) => e.kind)).toEqual(["artifact", "status"]);
    expect(done[1]).toMatchObject({ final: true, status: { state: "completed" } });
    const paused = progressEvents({ seq: 4, type: "task.awaiting_approval", at: "t", data: {} }, view({ status: "awaiting_approval", awaiting: { step: "s2", reason: "r" } }));
    expect(paused).toMatchObject([{ kind: "status", final: true, status: { state: "input-required" } }]);
  });

  it("answers a hop as an agent message", () => {
    const m = hopToMessage({ id: "hop_1", output: { text: "5 km = 3.10686 mi" }, contextId: "c", switchyard: { specialist: "units" } });
    expect(m).toEqual({ messageId: "hop_1", role: "agent", contextId: "c", parts: [{ kind: "text", text: "5 km = 3.10686 mi" }, { kind: "data", data: { text: "5 km = 3.10686 mi" } }], metadata: { switchyard: { specialist: "units" } } });
    expect(hopToMessage({ id: "h", output: "plain", contextId: "c", switchyard: {} }).parts).toEqual([{ kind: "text", text: "plain" }]);
  });
});

describe("message → hop or task", () => {
  const send = (text: string, metadata?: Record<string, unknown>, configuration?: Record<string, unknown>) =>
    SendParams.parse({ message: { messageId: "m1", role: "ROLE_USER", parts: [{ text }], ...(metadata ? { metadata } : {}) }, ...(configuration ? { configuration } : {}) });

  it("makes a task of a multi-clause goal when a planner is configured", () => {
    expect(wantsTask("convert 5 km to miles, then what is the result times 3", {}, true, false)).toBe(true);
    expect(wantsTask("convert 5 km to miles and then double it", {}, true, false)).toBe(true);
    expect(wantsTask("summarize this; count the words", {}, true, false)).toBe(true);
    expect(wantsTask("convert 5 km to miles, then what is the result times 3", {}, false, false)).toBe(false);
    expect(wantsTask("convert 5 km to miles", {}, true, false)).toBe(false);
    expect(wantsTask("if it is 30 c then is it hot", {}, true, false)).toBe(false);
  });

  it("lets metadata.switchyard decide, on the message over the request", () => {
    expect(wantsTask("anything", { mode: "task" }, false, false)).toBe(true);
    expect(wantsTask("a, then b", { mode: "hop" }, true, false)).toBe(false);
    expect(wantsTask("a, then b", { specialist: "units" }, true, false)).toBe(false);
    expect(wantsTask("x", { workflow: "checked-conversion" }, false, false)).toBe(true);
    const p = SendParams.parse({ message: { messageId: "m", role: "user", parts: [{ kind: "text", text: "x" }], metadata: { switchyard: { mode: "task" } } }, metadata: { switchyard: { mode: "hop", specialist: "units" } } });
    expect(switchyardOptions(p)).toEqual({ mode: "task", specialist: "units" });
  });

  it("makes a task of any message when tasks are the default (a2a.sendMessageResult: task), unless mode is hop", () => {
    expect(wantsTask("convert 5 km to miles", {}, false, true)).toBe(true);
    expect(wantsTask("convert 5 km to miles", { specialist: "units" }, false, true)).toBe(true);
    expect(wantsTask("convert 5 km to miles", { mode: "hop" }, false, true)).toBe(false);
    expect(wantsTask("a, then b", { mode: "hop", specialist: "units" }, true, true)).toBe(false);
  });

  it("rejects bad options with -32602 and the path", () => {
    expect(() => switchyardOptions(send("x", { switchyard: { mode: "later" } }))).toThrow(RpcFailure);
    expect(() => switchyardOptions(send("x", { switchyard: { nope: 1 } }))).toThrow(expect.objectContaining({ error: expect.objectContaining({ code: -32602, data: { errors: [expect.objectContaining({ path: "" })] } }) }));
  });

  it("waits for the task unless the caller asks not to (1.x returnImmediately, 0.3 blocking: false)", () => {
    expect(isBlocking(send("x"))).toBe(true);
    expect(isBlocking(send("x", undefined, { returnImmediately: true }))).toBe(false);
    expect(isBlocking(send("x", undefined, { blocking: false }))).toBe(false);
    expect(isBlocking(send("x", undefined, { blocking: true }))).toBe(true);
  });
});

describe("A2A mapping: every progress text and stop", () => {
  const textOf = (type: string, data: JsonObject = {}) => {
    const [ev] = progressEvents({ seq: 1, type, at: "t", data }, view());
    return ev!.kind === "status" ? ev!.status.message?.parts[0] : undefined;
  };

  it("says what happened, in one line per event type", () => {
    expect(textOf("task.created")).toEqual({ kind: "text", text: "task created" });
    expect(textOf("task.planned", { steps: ["a", "b"] })).toEqual({ kind: "text", text: "planned steps: a, b" });
    expect(textOf("task.planned")).toEqual({ kind: "text", text: "planned steps: undefined" });
    expect(textOf("step.started", { step: "s1" })).toEqual({ kind: "text", text: "step 's1' started" });
    expect(textOf("step.failed", { step: "s1", error: "boom" })).toEqual({ kind: "text", text: "step 's1' failed: boom" });
    expect(textOf("step.verified", { step: "s1", pass: true, reason: "fine" })).toEqual({ kind: "text", text: "step 's1' passed verification: fine" });
    expect(textOf("step.verified", { step: "s1", pass: false, reason: "off" })).toEqual({ kind: "text", text: "step 's1' failed verification: off" });
    // what a streaming remote agent says mid-call, as it says it
    expect(textOf("step.progress", { step: "s1", specialist: "remote", kind: "artifact", text: "first: hi" })).toEqual({ kind: "text", text: "step 's1' (remote): first: hi" });
    expect(textOf("step.progress", { step: "s1", specialist: "remote", kind: "status", state: "working" })).toEqual({ kind: "text", text: "step 's1' (remote): working" });
    expect(textOf("budget.warned")).toEqual({ kind: "text", text: "budget.warned" });
  });

  it("only whole task end or pause events stop a stream", () => {
    for (const type of ["task.succeeded", "task.failed", "task.cancelled", "task.rejected", "task.awaiting_approval"])
      expect(progressEvents({ seq: 1, type, at: "t", data: {} }, view({ status: "running" })).at(-1), type).toMatchObject({ final: true });
    for (const type of ["xtask.failed", "task.failedx", "step.failed"]) expect(progressEvents({ seq: 1, type, at: "t", data: {} }, view()).at(-1), type).toMatchObject({ final: false });
  });

  it("an ended task's message says how it ended", () => {
    expect(taskToA2A(view({ status: "rejected" })).status.message?.parts[0]).toEqual({ kind: "text", text: "task rejected" });
    expect(taskToA2A(view({ status: "cancelled" })).status.message?.parts[0]).toEqual({ kind: "text", text: "task cancelled" });
    expect(taskToA2A(view({ status: "failed" })).status.message?.parts[0]).toEqual({ kind: "text", text: "task failed" });
  });
});

describe("answers to an approval gate", () => {
  it("reads 'approve: <reason>' / 'reject: <reason>' texts and { decision, reason, by } data parts", () => {
    expect(gateAnswer([{ kind: "text", text: "approve: figures checked" }])).toEqual({ decision: "approve", reason: "figures checked" });
    expect(gateAnswer([{ kind: "text", text: "  REJECT - wrong account\nsee ticket 4" }])).toEqual({ decision: "reject", reason: "wrong account\nsee ticket 4" });
    expect(gateAnswer([{ kind: "data", data: { decision: "reject", reason: "no", by: "ana" } }])).toEqual({ decision: "reject", reason: "no", by: "ana" });
    // a data part wins over text; a bad data part is not an answer, the text still may be
    expect(gateAnswer([{ kind: "text", text: "reject: x" }, { kind: "data", data: { decision: "approve", reason: "ok" } }])).toEqual({ decision: "approve", reason: "ok" });
    expect(gateAnswer([{ kind: "data", data: { decision: "approve" } }, { kind: "text", text: "approve: fine" }])).toEqual({ decision: "approve", reason: "fine" });
  });

  it("needs a reason and one of the two words first", () => {
    for (const text of ["approve", "approve:", "approve:   ", "looks fine", "I approve: yes", "approved: yes", "rejection: x"]) expect(gateAnswer([{ kind: "text", text }])).toBeUndefined();
    expect(gateAnswer([{ kind: "data", data: { decision: "maybe", reason: "x" } }])).toBeUndefined();
    expect(gateAnswer([{ kind: "data", data: { decision: "approve", reason: " " } }])).toBeUndefined();
    expect(gateAnswer([{ kind: "data", data: { decision: "approve", reason: "x", extra: 1 } }])).toBeUndefined();
  });
});

describe("task history", () => {
  it("keeps the last historyLength messages: unset is all, 0 is none", () => {
    expect(limitHistory([1, 2, 3], undefined)).toEqual([1, 2, 3]);
    expect(limitHistory([1, 2, 3], 0)).toEqual([]);
    expect(limitHistory([1, 2, 3], 2)).toEqual([2, 3]);
    expect(limitHistory([1, 2, 3], 10)).toEqual([1, 2, 3]);
  });

  it("gives a status message the same id on every read, one per status and gate", () => {
    const view = { id: "task_1", status: "awaiting_approval" as const, updatedAt: "t", costUsd: 0, hops: 0, steps: [], awaiting: { step: "pay", reason: "needs a human" } };
    expect(statusMessage(view)?.messageId).toBe("task_1-awaiting_approval-pay");
    expect(statusMessage(view)).toEqual(statusMessage(view));
    expect(statusMessage(view)?.parts[0]).toEqual(expect.objectContaining({ text: expect.stringContaining("'approve: <reason>'") }));
    expect(statusMessage({ ...view, status: "succeeded", awaiting: undefined })).toBeUndefined();
    expect(taskToA2A({ ...view, status: "succeeded", awaiting: undefined }, []).history).toEqual([]);
    expect(taskToA2A({ ...view, status: "succeeded", awaiting: undefined }).history).toBeUndefined();
  });
});
