import { describe, expect, it } from "vitest";
import { taskBodyFromForm, type WorkflowOption } from "../../../worker/ui/start-form.ts";

const workflows: WorkflowOption[] = [
  { id: "w", description: "two steps", plan: { steps: [{ id: "a", dependsOn: [], input: "{{input}}" }, { id: "b", dependsOn: ["a"], input: "x" }], combine: "concat" } },
];

describe("start-a-task form", () => {
  it("needs a goal; sends input and the form's idempotency key", () => {
    expect(taskBodyFromForm({ goal: "  " }, workflows)).toEqual({ ok: false, message: "give the task a goal" });
    expect(taskBodyFromForm({ goal: " g ", input: " i ", idem: "n1" }, workflows)).toEqual({ ok: true, body: { goal: "g", input: "i", idempotencyKey: "ui:n1" } });
  });

  it("names a workflow, or sends its plan with approval on its final steps", () => {
    expect(taskBodyFromForm({ goal: "g", mode: "workflow:w" }, workflows)).toEqual({ ok: true, body: { goal: "g", workflow: "w" } });
    const r = taskBodyFromForm({ goal: "g", mode: "workflow:w", approval: "on" }, workflows);
    expect(r.ok && (r.body.plan as WorkflowOption["plan"]).steps.map((s) => [s.id, s.requireApproval ?? false])).toEqual([
      ["a", false],
      ["b", true],
    ]);
    expect(workflows[0]!.plan.steps[1]!.requireApproval).toBeUndefined();
    expect(taskBodyFromForm({ goal: "g", mode: "workflow:nope" }, workflows)).toEqual({ ok: false, message: "no workflow 'nope'" });
  });

  it("asks the planner, but cannot gate a plan not known yet; gates a single step", () => {
    expect(taskBodyFromForm({ goal: "g", mode: "planner" }, workflows)).toEqual({ ok: true, body: { goal: "g", planner: true } });
    expect(taskBodyFromForm({ goal: "g", mode: "planner", approval: "on" }, workflows).ok).toBe(false);
    expect(taskBodyFromForm({ goal: "g", approval: "on" }, workflows)).toEqual({ ok: true, body: { goal: "g", plan: { steps: [{ id: "main", input: "{{input}}", requireApproval: true }], combine: "last" } } });
    expect(taskBodyFromForm({ goal: "g", mode: "other" }, workflows).ok).toBe(false);
  });
});
