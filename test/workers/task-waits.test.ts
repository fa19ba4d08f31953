import { describe, expect, it } from "vitest";
import { call } from "./helpers.ts";
import { effects, parseSse, submit, waitFor } from "./task-helpers.ts";

/**
 * A step refused for a transient reason waits out the refusal instead of failing its
 * task (issue 11): `fault-one-at-a-time` takes one call at a time (concurrency 1).
 */
describe("transient refusals in tasks", () => {
  it("three parallel steps on a one-at-a-time specialist all succeed, the later ones after waiting", { timeout: 20_000 }, async () => {
    const steps = ["a", "b", "c"].map((id) => ({ id, specialist: "fault-one-at-a-time", input: `${id}: {{input}}` }));
    const { id } = await submit({ goal: "share a slot", input: "x", plan: { steps } });
    const task = await waitFor(id, ["succeeded", "failed"]);
    expect(task.status, task.error).toBe("succeeded");
    expect(task.steps.every((s) => s.status === "succeeded")).toBe(true);
    expect(task.hops).toBe(3); // waits are not hops
    for (const s of ["a", "b", "c"]) expect((await effects(`${id}/${s}`)).calls).toBe(1);
    const events = parseSse(await (await call(`/v1/tasks/${id}/events`)).text());
    const waited = events.filter((e) => e.event === "step.waiting");
    expect(waited.length).toBeGreaterThanOrEqual(2);
    expect(waited[0]!.data.reason).toMatch(/concurrency limit/);
  });
});
