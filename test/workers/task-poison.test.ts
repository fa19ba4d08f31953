import { describe, expect, inject, it, vi } from "vitest";
import { TaskStore } from "../../durable-objects/task-store.ts";
import { call } from "./helpers.ts";
import { effects, getTask, submit, waitFor } from "./task-helpers.ts";

const original = TaskStore.prototype.audit;

/**
 * Poison tasks end (issue 11): a step that crashes its run is retried a bounded number
 * of times and then fails with the reason; large results are stored by reference; a
 * templated input is bounded like any input.
 */
const calls = async (path: string) => ((await (await fetch(`${inject("faultsUrl")}/calls?path=${path}`)).json()) as { calls: number }).calls;

describe("poison tasks", () => {
  it("a step whose run throws fails after 3 runs with the reason; the specialist was called 3 times, not forever", { timeout: 20_000 }, async () => {
    // the run throws where storage would refuse a write: recording the step's success
    const spy = vi.spyOn(TaskStore.prototype, "audit").mockImplementation(async function (this: TaskStore, actor, action, detail) {
      if (action === "step.succeeded" && (detail as { step?: string }).step === "poison") throw new Error("SQLITE_TOOBIG: string or blob too big");
      return original.call(this, actor, action, detail);
    });
    try {
      const key = `poison-${crypto.randomUUID()}`;
      const { id } = await submit({ goal: "poison", input: key, plan: { steps: [{ id: "poison", specialist: "fault-side-effect", input: "{{input}}" }] } });
      const task = await waitFor(id, ["failed", "succeeded"]);
      expect(task.status).toBe("failed");
      expect(task.steps[0]!.error).toBe("the step crashed 3 times: SQLITE_TOOBIG: string or blob too big");
      expect((await effects(`${id}/poison`)).calls).toBe(3);
      const events = await (await call(`/v1/tasks/${id}/events`)).text();
      expect(events.match(/event: step\.crashed/g)).toHaveLength(2);
    } finally {
      spy.mockRestore();
    }
  });

  it("a reply nested too deep to write back is a bad reply, not a crash", { timeout: 20_000 }, async () => {
    const before = await calls("/deep");
    const { id } = await submit({ goal: "deep", input: "x", plan: { steps: [{ id: "deep", specialist: "fault-deep", input: "{{input}}" }] } });
    const task = await waitFor(id, ["failed", "succeeded"]);
    expect(task.status).toBe("failed");
    expect(task.steps[0]!.error).toMatch(/nested deeper than 64 levels/);
    expect((await calls("/deep")) - before).toBe(1);
  });

  it("a 3 MB step output is stored by reference and read back whole", { timeout: 20_000 }, async () => {
    const { id } = await submit({ goal: "big", input: "x", plan: { steps: [{ id: "big", specialist: "fault-big", input: "{{input}}" }, { id: "len", specialist: "fault-ok", input: "got {{steps.big.output}}".slice(0, 20), dependsOn: ["big"] }] } });
    const task = await waitFor(id, ["failed", "succeeded"]);
    expect(task.status, task.error).toBe("succeeded");
    const big = (await getTask(id)).steps.find((s) => s.id === "big")!;
    expect((big.output as { text: string }).text).toHaveLength(3_000_000);
  });

  it("a templated input larger than router.maxInputChars fails its step without calling anyone", { timeout: 20_000 }, async () => {
    const before = await calls("/ok");
    const input = "y".repeat(15_000); // under the 20,000-character limit; the template doubles it
    const { id } = await submit({ goal: "expand", input, plan: { steps: [{ id: "twice", specialist: "fault-ok", input: "{{input}} {{input}}" }] } });
    const task = await waitFor(id, ["failed", "succeeded"]);
    expect(task.status).toBe("failed");
    expect(task.steps[0]!.error).toMatch(/templated input is 30001 characters, more than the router's limit of 20000 \(router.maxInputChars\)/);
    expect(await calls("/ok")).toBe(before);
  });
});
