import { describe, expect, it } from "vitest";
import { call } from "./helpers.ts";
import { effects, getTask, release, submit, waitForStored } from "./task-helpers.ts";

/**
 * Kill switches stop running tasks (issue 11): every step start reads the switches
 * (fresh, not from an isolate's cache); a switched-off tenant or router cancels the
 * task before its next step makes any call.
 */
const admin = (path: string, json: unknown = { reason: "incident 7" }) => call(path, { json, headers: { authorization: "Bearer dev-admin-key" } });
// each step's call is held by the fault upstream until the test releases it: step a is in flight for as long as the test needs
const heldSteps = { steps: ["a", "b", "c"].map((id, i) => ({ id, specialist: "fault-held-effect", input: `${id} {{input}}`, ...(i ? { dependsOn: [["a", "b", "c"][i - 1]] } : {}) })) };

describe("kill switches and running tasks", () => {
  for (const which of ["tenant", "global"] as const)
    it(`the ${which} switch cancels a running task before its next step calls anyone`, { timeout: 20_000 }, async () => {
      const { id } = await submit({ goal: "three held steps", input: "go", plan: heldSteps });
      await expect.poll(async () => (await effects(`${id}/a`)).calls, { timeout: 10_000 }).toBe(1); // step a is calling
      const off = which === "tenant" ? "/v1/admin/tenants/dev/disable" : "/v1/admin/disable";
      const on = which === "tenant" ? "/v1/admin/tenants/dev/enable" : "/v1/admin/enable";
      expect((await admin(off)).status).toBe(200);
      try {
        await release(id); // step a answers now, and so would b and c: the switch must stop b before it calls
        await waitForStored(id, ["cancelled", "succeeded", "failed"]);
      } finally {
        expect((await admin(on)).status).toBe(200);
      }
      const task = await getTask(id);
      expect(task.status).toBe("cancelled");
      expect(task.error).toMatch(which === "tenant" ? /kill switch of tenant 'dev': incident 7/ : /global kill switch: incident 7/);
      expect((await effects(`${id}/b`)).calls + (await effects(`${id}/c`)).calls).toBe(0);
      expect(task.steps.filter((s) => s.id !== "a").every((s) => s.status === "cancelled")).toBe(true);
      const audit = (await (await call(`/v1/tasks/${id}/audit`)).json()) as { entries: { actor: string; action: string }[] };
      expect(audit.entries.some((e) => e.actor === "kill-switch")).toBe(true);
      expect((await getTask(id)).status).toBe("cancelled");
    });
});

describe("kill switches and the calls after a step's own", () => {
  it("a switch flipped during a step's call stops its verifier and its gate: the task is cancelled", { timeout: 20_000 }, async () => {
    const { id } = await submit({ goal: "verify", input: "go", plan: { steps: [{ id: "a", specialist: "fault-held-effect", verifier: "fault-verify-fail", input: "{{input}}" }] } });
    await expect.poll(async () => (await effects(`${id}/a`)).calls, { timeout: 10_000 }).toBe(1);
    expect((await admin("/v1/admin/tenants/dev/disable")).status).toBe(200);
    try {
      await release(id); // the call ends; the verifier would be next
      await waitForStored(id, ["cancelled", "succeeded", "failed", "awaiting_approval"]);
    } finally {
      expect((await admin("/v1/admin/tenants/dev/enable")).status).toBe(200);
    }
    const task = await getTask(id);
    expect(task.status).toBe("cancelled");
    const audit = (await (await call(`/v1/tasks/${id}/audit`)).json()) as { entries: { actor: string; action: string }[] };
    expect(audit.entries.map((e) => e.action)).not.toContain("step.verified");
    expect(audit.entries.at(-1)).toMatchObject({ actor: "kill-switch", action: "task.cancelled" });
    expect(task.hops).toBe(1);
  });
});
