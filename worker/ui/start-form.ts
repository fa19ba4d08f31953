/**
 * The dashboard's "start a task" form, turned into a `POST /v1/tasks` body
 * (pure; no Workers imports). The API validates the result as it does any body.
 */

/** A configured workflow, as the form needs it. */
export interface WorkflowOption {
  id: string;
  description: string;
  plan: { steps: { id: string; dependsOn: string[]; requireApproval?: boolean; [k: string]: unknown }[]; combine: unknown };
}

/** The form's fields (strings, as a browser posts them). */
export interface StartForm {
  goal?: string;
  input?: string;
  /** "single", "planner" or "workflow:<id>". */
  mode?: string;
  /** "on" when "require approval before the final step" is ticked. */
  approval?: string;
  /** A nonce rendered into the form: re-posting the same form starts no second task. */
  idem?: string;
}

/**
 * The task body for a form, or a message for the operator. With approval
 * ticked, a workflow is sent as an explicit copy of its plan whose final steps
 * (those nothing depends on) require approval, and a single step becomes a
 * one-step plan that requires it; a planner's plan is not known in advance, so
 * approval cannot be asked for there.
 */
export function taskBodyFromForm(form: StartForm, workflows: readonly WorkflowOption[]): { ok: true; body: Record<string, unknown> } | { ok: false; message: string } {
  const goal = form.goal?.trim() ?? "";
  if (!goal) return { ok: false, message: "give the task a goal" };
  const input = form.input?.trim();
  const approval = form.approval === "on";
  const mode = form.mode ?? "single";
  const body: Record<string, unknown> = { goal, ...(input ? { input } : {}), ...(form.idem ? { idempotencyKey: `ui:${form.idem}` } : {}) };
  if (mode === "planner") {
    if (approval) return { ok: false, message: "a planner's plan is not known in advance: pick a workflow or a single step to require approval" };
    return { ok: true, body: { ...body, planner: true } };
  }
  if (mode.startsWith("workflow:")) {
    const w = workflows.find((x) => x.id === mode.slice("workflow:".length));
    if (!w) return { ok: false, message: `no workflow '${mode.slice("workflow:".length)}'` };
    if (!approval) return { ok: true, body: { ...body, workflow: w.id } };
    const needed = new Set(w.plan.steps.flatMap((s) => s.dependsOn));
    const steps = w.plan.steps.map((s) => (needed.has(s.id) ? s : { ...s, requireApproval: true }));
    return { ok: true, body: { ...body, plan: { steps, combine: w.plan.combine } } };
  }
  if (mode !== "single") return { ok: false, message: `unknown mode '${mode}'` };
  if (!approval) return { ok: true, body };
  return { ok: true, body: { ...body, plan: { steps: [{ id: "main", input: "{{input}}", requireApproval: true }], combine: "last" } } };
}
