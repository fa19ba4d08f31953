import { z } from "zod";
import { isJson, type JsonObject } from "../json.ts";
import { Ensemble, Hedge } from "../config/coordination.ts";

const StepId = z.string().regex(/^[a-z][a-z0-9_-]{0,63}$/, "lowercase letters, digits, '_' or '-', starting with a letter");
const SpecialistId = z.string().regex(/^[a-z][a-z0-9_-]{0,63}$/);

/**
 * The most steps a plan may have (and so the most a step may depend on): wide enough
 * for a fan-out of a few hundred parallel steps, whose steps beyond `tasks.inlineSteps`
 * run through the steps queue (docs/tasks.md, "Fan-out through the queue"). Per-task
 * limits (`maxHopsPerTask`, `maxCostPerTaskUsd`) still bound what they may call.
 */
export const MAX_PLAN_STEPS = 256;

/** Placeholders a step input may use: `{{input}}`, `{{goal}}`, `{{steps.<id>.output[.path]}}`. */
const REF = /\{\{\s*([a-z]+)(?:\.([a-z][a-z0-9_-]*))?((?:\.[A-Za-z0-9_-]+)*)\s*\}\}/g;

/** A remote MCP server's tool as the MCP door names it: `<server id>__<tool name>`. */
const ToolName = z.string().regex(/^[a-z][a-z0-9_-]{0,63}?__[^\s]{1,128}$/, "a tool of an MCP server: '<server id>__<tool name>'");

/** One step of a plan. With neither `specialist`, `intent` nor `tool`, its input is classified. */
export const StepSpec = z.strictObject({
  id: StepId,
  specialist: SpecialistId.optional(),
  /** An intent label: routes to the specialist that declares it, without classifying. */
  intent: z.string().min(1).max(128).optional(),
  /**
   * A remote MCP server's tool (`<server>__<tool>`), called with `arguments` through the
   * same policy (`tool` globs), pool, kill switch, screening and audit as any step
   * (docs/tasks.md, "Tool steps"); its output is the tool's `CallToolResult`.
   */
  tool: ToolName.optional(),
  /** The tool's arguments; every string in them is templated like `input` (a string that is one placeholder takes the value as it is, not its text). */
  arguments: z
    .record(z.string(), z.unknown())
    .refine(isJson, "plain JSON: strings, numbers, booleans, null, arrays and objects")
    .transform((a) => a as JsonObject)
    .optional(),
  input: z.string().min(1).max(100_000).default("{{input}}"),
  dependsOn: z.array(StepId).max(MAX_PLAN_STEPS).default([]),
  /** A specialist that checks this step's output: `{ pass, score, reason }`. */
  verifier: SpecialistId.optional(),
  /** Pause for a human approval before this step runs. */
  requireApproval: z.boolean().default(false),
  timeoutMs: z.number().int().min(1).max(300_000).optional(),
  retries: z.number().int().min(0).max(5).optional(),
  /** Ask several specialists and combine their answers (config/coordination.ts `Ensemble`; docs/coordination.md). */
  ensemble: Ensemble.optional(),
  /** Call an equivalent specialist too if the first is slow (config/coordination.ts `Hedge`). */
  hedge: Hedge.optional(),
});
export type StepSpec = z.infer<typeof StepSpec>;

/** How a task's result is made from its steps' outputs. */
export const Combine = z.union([z.literal("last"), z.literal("concat"), z.strictObject({ step: StepId })]);
export type Combine = z.infer<typeof Combine>;

/** A plan: a small DAG of steps. Validated for unknown, cyclic and undeclared references. */
export const Plan = z
  .strictObject({ steps: z.array(StepSpec).min(1).max(MAX_PLAN_STEPS), combine: Combine.default("last") })
  .superRefine((plan, ctx) => {
    for (const issue of planIssues(plan)) ctx.addIssue({ code: "custom", path: issue.path, message: issue.message });
  });
export type Plan = z.infer<typeof Plan>;

/** Steps referenced by `{{steps.<id>…}}` placeholders in a template. */
export function referencedSteps(template: string): string[] {
  const out: string[] = [];
  for (const m of template.matchAll(REF)) if (m[1] === "steps" && m[2]) out.push(m[2]);
  return out;
}

function planIssues(plan: { steps: StepSpec[]; combine: Combine }): { path: (string | number)[]; message: string }[] {
  const issues: { path: (string | number)[]; message: string }[] = [];
  const index = new Map<string, number>();
  plan.steps.forEach((s, i) => {
    if (index.has(s.id)) issues.push({ path: ["steps", i, "id"], message: `duplicate step id '${s.id}'` });
    index.set(s.id, i);
  });
  plan.steps.forEach((s, i) => {
    if ([s.specialist, s.intent, s.tool].filter((x) => x !== undefined).length > 1) issues.push({ path: ["steps", i], message: "give one of specialist, intent or tool" });
    if (s.arguments !== undefined && s.tool === undefined) issues.push({ path: ["steps", i, "arguments"], message: "arguments are a tool's: name the tool" });
    if (s.tool !== undefined && s.verifier !== undefined) issues.push({ path: ["steps", i, "verifier"], message: "a tool step's result is not verified by a specialist" });
    if (s.tool !== undefined && (s.ensemble ?? s.hedge) !== undefined) issues.push({ path: ["steps", i, s.ensemble ? "ensemble" : "hedge"], message: "a tool step calls its one MCP server: no ensemble or hedge" });
    if (s.ensemble !== undefined && s.hedge !== undefined) issues.push({ path: ["steps", i, "hedge"], message: "give one of ensemble or hedge" });
    if (s.ensemble !== undefined && s.verifier !== undefined) issues.push({ path: ["steps", i, "verifier"], message: "an ensemble checks its answers by agreement or a judge: no verifier too" });
    s.dependsOn.forEach((d, j) => {
      if (d === s.id) issues.push({ path: ["steps", i, "dependsOn", j], message: "a step cannot depend on itself" });
      else if (!index.has(d)) issues.push({ path: ["steps", i, "dependsOn", j], message: `unknown step '${d}'` });
    });
    const templates: [string, (string | number)[]][] = [[s.input, ["steps", i, "input"]], ...stringsOf(s.arguments ?? {}, ["steps", i, "arguments"])];
    for (const [template, path] of templates) {
      for (const r of referencedSteps(template)) if (!s.dependsOn.includes(r)) issues.push({ path, message: `uses steps.${r} but does not list it in dependsOn` });
      for (const m of template.matchAll(REF))
        if (!["input", "goal", "steps"].includes(m[1]!) || (m[1] === "steps") !== (m[2] !== undefined)) issues.push({ path, message: `unknown placeholder '${m[0]}'` });
    }
  });
  if (typeof plan.combine === "object" && !index.has(plan.combine.step))
    issues.push({ path: ["combine", "step"], message: `unknown step '${plan.combine.step}'` });
  if (issues.length === 0 && topologicalOrder(plan.steps) === undefined) issues.push({ path: ["steps"], message: "the steps' dependsOn form a cycle" });
  return issues;
}

/** Every string in a JSON value, with its path (for templates inside a tool's arguments). */
function stringsOf(value: unknown, path: (string | number)[]): [string, (string | number)[]][] {
  if (typeof value === "string") return [[value, path]];
  if (Array.isArray(value)) return value.flatMap((v, i) => stringsOf(v, [...path, i]));
  if (value && typeof value === "object") return Object.entries(value).flatMap(([k, v]) => stringsOf(v, [...path, k]));
  return [];
}

/**
 * Step ids in an order where every step comes after its dependencies (Kahn's
 * algorithm, stable by declaration order), or `undefined` if there is a cycle.
 */
export function topologicalOrder(steps: readonly Pick<StepSpec, "id" | "dependsOn">[]): string[] | undefined {
  const remaining = new Map(steps.map((s) => [s.id, new Set(s.dependsOn)]));
  const order: string[] = [];
  while (remaining.size > 0) {
    const ready = [...remaining].filter(([, deps]) => [...deps].every((d) => !remaining.has(d))).map(([id]) => id);
    if (ready.length === 0) return undefined;
    for (const id of ready) {
      order.push(id);
      remaining.delete(id);
    }
  }
  return order;
}

/** What the scheduler needs to know of each step. */
export type StepStatus = "pending" | "running" | "awaiting_approval" | "succeeded" | "failed" | "skipped" | "cancelled";

/**
 * Pending steps whose dependencies have all succeeded, in declaration order: the
 * steps that may start now (in parallel).
 *
 * @example
 * readySteps(plan, new Map([["a", "succeeded"], ["b", "pending"], ["c", "pending"]])) // steps b and c if both depend only on a
 */
export function readySteps(plan: Plan, status: ReadonlyMap<string, StepStatus>): StepSpec[] {
  return plan.steps.filter((s) => status.get(s.id) === "pending" && s.dependsOn.every((d) => status.get(d) === "succeeded"));
}

/** Pending steps that can never run because a dependency failed, was skipped or cancelled. */
export function blockedSteps(plan: Plan, status: ReadonlyMap<string, StepStatus>): string[] {
  const dead = new Set<string>(["failed", "skipped", "cancelled"]);
  const out: string[] = [];
  let changed = true;
  const s = new Map(status);
  while (changed) {
    changed = false;
    for (const step of plan.steps)
      if (s.get(step.id) === "pending" && step.dependsOn.some((d) => dead.has(s.get(d) ?? ""))) {
        s.set(step.id, "skipped");
        out.push(step.id);
        changed = true;
      }
  }
  return out;
}

/** Text of an output for templating: strings as is, `{ text }` objects by their text, else JSON. */
export function outputText(output: unknown): string {
  if (typeof output === "string") return output;
  if (output && typeof output === "object" && typeof (output as { text?: unknown }).text === "string") return (output as { text: string }).text;
  return JSON.stringify(output) ?? "";
}

/**
 * Fills a step's input template from the task and the outputs of earlier steps.
 * `{{steps.a.output.value}}` follows a path into a JSON output.
 */
export function renderInput(template: string, vars: { input: string; goal: string; outputs: ReadonlyMap<string, unknown> }): string {
  return template.replace(REF, (_m, root: string, step: string | undefined, path: string) => {
    if (root === "input") return vars.input;
    if (root === "goal") return vars.goal;
    const value = valueAt(step === undefined ? undefined : vars.outputs.get(step), path);
    return value === undefined ? "" : outputText(value);
  });
}

/** One placeholder and nothing else (`"{{steps.a.output.sum}}"`): the value it names, as it is. */
const WHOLE = new RegExp(`^${REF.source}$`);

/**
 * A tool step's arguments with every string templated as {@link renderInput} does, except
 * that a string that is a single placeholder becomes the value it names as it is (a
 * number stays a number, an object an object; `""` when it names nothing).
 */
export function renderArguments(args: Record<string, unknown>, vars: { input: string; goal: string; outputs: ReadonlyMap<string, unknown> }): Record<string, unknown> {
  const render = (v: unknown): unknown => {
    if (typeof v === "string") {
      const m = WHOLE.exec(v);
      if (m && m[1] === "steps" && m[2] !== undefined) {
        const value = valueAt(vars.outputs.get(m[2]), m[3] ?? "");
        return value === undefined ? "" : value; // null stays null
      }
      return renderInput(v, vars);
    }
    if (Array.isArray(v)) return v.map(render);
    if (v && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, render(x)]));
    return v;
  };
  return render(args) as Record<string, unknown>;
}

/** The value at a `.output.a.b` path of a step's output (`output` itself optional). */
function valueAt(output: unknown, path: string): unknown {
  const parts = path.split(".").filter(Boolean);
  if (parts[0] === "output") parts.shift();
  let value = output;
  for (const p of parts) value = value && typeof value === "object" ? (value as Record<string, unknown>)[p] : undefined;
  return value;
}

/** The task's result from its steps' outputs, as the plan's `combine` says. */
export function combineOutputs<T>(plan: Plan, outputs: ReadonlyMap<string, T>): T | string | undefined {
  const combine = plan.combine;
  if (typeof combine === "object") return outputs.get(combine.step);
  const order = topologicalOrder(plan.steps) ?? plan.steps.map((s) => s.id);
  if (combine === "concat") return order.filter((id) => outputs.has(id)).map((id) => outputText(outputs.get(id))).join("\n\n");
  const last = order.at(-1);
  return last === undefined ? undefined : outputs.get(last);
}
