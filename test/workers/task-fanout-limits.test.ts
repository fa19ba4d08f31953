import { describe, expect, it } from "vitest";
import { submit, waitFor } from "./task-helpers.ts";

/**
 * Per-task limits hold under fan-out (issue 11): parallel steps reserve their hops and
 * cost before their calls are made (test-config.ts: `policy-capped` has
 * `maxHopsPerTask: 2`), and only calls made count as hops.
 */
describe("per-task limits and parallel steps", () => {
  it("10 parallel steps under maxHopsPerTask 2 make exactly 2 calls", { timeout: 20_000 }, async () => {
    const steps = Array.from({ length: 10 }, (_, i) => ({ id: `p${i}`, specialist: "policy-capped", input: `part ${i} of {{input}}` }));
    const { id } = await submit({ goal: "fan out", input: "x", plan: { steps } });
    const task = await waitFor(id, ["failed", "succeeded"]);
    expect(task.status).toBe("failed");
    const ok = task.steps.filter((s) => s.status === "succeeded");
    expect(ok).toHaveLength(2);
    expect(task.hops).toBe(2); // the refused attempts are not hops
    const refused = task.steps.filter((s) => s.status === "failed");
    expect(refused.length).toBeGreaterThanOrEqual(1);
    expect(refused.every((s) => /would exceed 2 hops \(policy limits\)/.test(s.error ?? ""))).toBe(true);
  });
});
