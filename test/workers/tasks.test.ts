import { describe, expect, it, vi } from "vitest";
import { ControlPlane } from "../../durable-objects/control-plane.ts";
import { IntentService } from "../../worker/intent/intent-service.ts";
import { sha256Hex } from "../../worker/intent/record.ts";
import { canonicalJson } from "../../worker/tasks/audit.ts";
import { call, callWith, problem } from "./helpers.ts";
import { effects, getTask, submit, waitFor } from "./task-helpers.ts";

describe("POST /v1/tasks with an explicit plan", () => {
  it("runs independent steps in parallel and a join after both, feeding outputs forward", async () => {
    const { res, id } = await submit({
      goal: "dag test",
      input: "root input",
      plan: {
        steps: [
          { id: "a", specialist: "fault-slow-effect", input: "A from {{input}}" },
          { id: "b", specialist: "fault-slow-effect", input: "B from {{goal}}" },
          { id: "c", specialist: "fault-ok", input: "join [{{steps.a.output}}] [{{steps.b.output.input}}]", dependsOn: ["a", "b"] },
        ],
        combine: "concat",
      },
    });
    expect(res.status).toBe(202);
    const accepted = (await res.json()) as { id: string; status: string; links: Record<string, string> };
    expect(accepted.id).toMatch(/^task_[0-9a-f]{32}$/);
    expect(accepted.links.events).toBe(`/v1/tasks/${id}/events`);
    expect(res.headers.get("location")).toBe(`/v1/tasks/${id}`);

    const task = await waitFor(id, ["succeeded", "failed"]);
    expect(task.status).toBe("succeeded");
    const c = task.steps.find((s) => s.id === "c")!;
    expect(c.input).toBe(`join [effect for ${id}/a] [B from dag test]`);
    expect(task.result).toContain(`echo: join [effect for ${id}/a]`);
    expect(task.hops).toBe(3);
    const events = (await (await call(`/v1/tasks/${id}/events`)).text()).split("\n").filter((l) => l.startsWith("event:")).map((l) => l.slice(7));
    // both a and b start before either finishes: they ran in parallel
    expect(events.slice(0, 4)).toEqual(["task.created", "step.started", "step.started", "step.succeeded"]);
    expect(events.at(-1)).toBe("task.succeeded");
    const fx = await effects(`${id}/`);
    expect(fx).toMatchObject({ effects: 2, calls: 2 });
  });

  it("sends each step an idempotency key of its own, and large context by reference", async () => {
    const big = { notes: "x".repeat(10_000), owner: "ops" };
    const { id } = await submit({ goal: "ctx", input: "hello", context: big, plan: { steps: [{ id: "only", specialist: "fault-ok" }] } });
    const task = await waitFor(id, ["succeeded", "failed"]);
    const out = task.steps[0]!.output;
    expect(out.idempotencyKey).toBe(`${id}/only`);
    const sha = await sha256Hex(canonicalJson(big));
    expect(task.contextRef).toEqual({ sha256: sha, bytes: canonicalJson(big).length });
    expect(out.context.contextRef).toMatchObject({ sha256: sha, url: `/v1/tasks/${id}/context/${sha}` });
    expect(out.context.notes).toBeUndefined();
    const blob = await call(`/v1/tasks/${id}/context/${sha}`);
    expect(await blob.json()).toEqual(big);
  });

  it("routes an unpinned step by the task input's intent, classified once: the step looks the task's intent id up instead of classifying again", async () => {
    // the TaskAgent runs in this isolate: the spies see its calls
    const classify = vi.spyOn(IntentService.prototype, "classify");
    const lookup = vi.spyOn(IntentService.prototype, "lookup");
    try {
      const input = "convert 5 km to miles";
      const { id } = await submit({ goal: "convert", input });
      const task = await waitFor(id, ["succeeded", "failed"]);
      expect(task.status).toBe("succeeded");
      expect(task.steps[0]).toMatchObject({ id: "main", specialist: "units", intentId: task.intentId });
      expect(JSON.stringify(task.result)).toMatch(/3\.10/);
      expect(classify.mock.calls.filter(([text]) => text === input)).toHaveLength(1); // at submission only
      expect(lookup.mock.calls.map(([intentId]) => intentId)).toContain(task.intentId);
    } finally {
      classify.mockRestore();
      lookup.mockRestore();
    }
  });

  it("fails the task when a step fails, and skips what depended on it", async () => {
    const { id } = await submit({ goal: "fail", plan: { steps: [{ id: "bad", specialist: "fault-error" }, { id: "after", specialist: "fault-ok", dependsOn: ["bad"] }] } });
    const task = await waitFor(id, ["failed", "succeeded"]);
    expect(task.status).toBe("failed");
    expect(task.error).toMatch(/step 'bad' failed: fault-error: specialist answered 500/);
    expect(task.steps.map((s) => [s.id, s.status])).toEqual([["bad", "failed"], ["after", "skipped"]]);
  });
});

describe("plan validation", () => {
  const cases: [unknown, string][] = [
    [{ steps: [{ id: "a", dependsOn: ["b"] }, { id: "b", dependsOn: ["a"] }] }, "plan.steps"],
    [{ steps: [{ id: "a", dependsOn: ["ghost"] }] }, "plan.steps.0.dependsOn.0"],
    [{ steps: [{ id: "a" }, { id: "b", input: "{{steps.a.output}}" }] }, "plan.steps.1.input"],
    [{ steps: [{ id: "a", input: "{{secrets.key}}" }] }, "plan.steps.0.input"],
    [{ steps: [{ id: "a" }, { id: "a" }] }, "plan.steps.1.id"],
    [{ steps: [] }, "plan.steps"],
    [{ steps: [{ id: "a", specialist: "nobody" }] }, "plan.steps.0.specialist"],
    [{ steps: [{ id: "a", intent: "no.such.intent" }] }, "plan.steps.0.intent"],
    [{ steps: [{ id: "a" }], combine: { step: "zzz" } }, "plan.combine.step"],
  ];
  it.each(cases)("rejects %j with 400 naming %s", async (plan, path) => {
    const res = await call("/v1/tasks", { json: { goal: "g", plan } });
    expect(res.status).toBe(400);
    expect((await problem(res)).errors?.map((e) => e.path)).toContain(path);
  });

  it("rejects more than one plan source and unknown workflows", async () => {
    expect((await call("/v1/tasks", { json: { goal: "g", plan: { steps: [{ id: "a" }] }, workflow: "w" } })).status).toBe(400);
    const res = await call("/v1/tasks", { json: { goal: "g", workflow: "nope" } });
    expect(res.status).toBe(400);
    expect((await problem(res)).detail).toMatch(/no workflow 'nope'/);
  });
});

describe("idempotent submission", () => {
  it("returns the same task for the same key and body, 409 for another body", async () => {
    const body = { goal: "once", plan: { steps: [{ id: "s", specialist: "fault-ok" }] }, idempotencyKey: `k-${Math.random()}` };
    const a = await submit(body);
    const b = await submit(body);
    expect(b.res.status).toBe(202);
    expect(b.id).toBe(a.id);
    expect(b.res.headers.get("idempotent-replayed")).toBe("true");
    const c = await call("/v1/tasks", { json: { ...body, goal: "another" } });
    expect(c.status).toBe(409);
    expect((await problem(c)).type).toBe("urn:switchyard:problem:idempotency-conflict");
    await waitFor(a.id, ["succeeded"]);
    expect((await getTask(a.id)).steps[0]!.attempts).toBe(1);
  });
});

describe("atomic submission", () => {
  it("when indexing the new task fails, the submission fails, and a retry with the same key runs the task and lists it", async () => {
    const body = { goal: "indexed later", plan: { steps: [{ id: "s", specialist: "fault-ok" }] }, idempotencyKey: `k-${Math.random()}` };
    const track = vi.spyOn(ControlPlane.prototype, "trackTask").mockImplementationOnce(() => {
      throw new Error("control plane overloaded");
    });
    try {
      const first = await call("/v1/tasks", { json: body });
      expect(first.status).toBeGreaterThanOrEqual(500);
      const again = await submit(body);
      expect(again.res.status).toBe(202);
      expect(track).toHaveBeenCalledTimes(2);
      expect((await waitFor(again.id, ["succeeded", "failed"])).status).toBe("succeeded");
      const list = (await (await call("/v1/tasks")).json()) as { tasks: { id: string }[] };
      expect(list.tasks.map((t) => t.id)).toContain(again.id);
    } finally {
      track.mockRestore();
    }
  });
});

describe("tenancy", () => {
  it("another tenant's task is 404 on every route", async () => {
    const { id } = await submit({ goal: "mine", plan: { steps: [{ id: "s", specialist: "fault-ok" }] } });
    const API_KEYS = JSON.stringify({ [await sha256Hex("other-tenant-key")]: "other" });
    const headers = { authorization: "Bearer other-tenant-key" };
    for (const [path, init] of [
      [`/v1/tasks/${id}`, {}],
      [`/v1/tasks/${id}/audit`, {}],
      [`/v1/tasks/${id}/events`, {}],
      [`/v1/tasks/${id}/cancel`, { json: {} }],
      [`/v1/tasks/${id}/approve`, { json: { by: "x", reason: "y" } }],
    ] as const) {
      const res = await callWith({ API_KEYS }, path, { ...init, headers });
      expect(res.status, path).toBe(404);
    }
    expect((await call(`/v1/tasks/task_${"0".repeat(32)}`)).status).toBe(404);
    expect((await call("/v1/tasks/not-a-task")).status).toBe(400);
  });
});

describe("with the example planner and verifier", () => {
  it("plans from the goal (planner: true) and chains the result into the next step", async () => {
    const { id } = await submit({ goal: "convert 5 km to miles, then what is the result times 3", planner: true });
    const t = await waitFor(id, ["succeeded", "failed"]);
    expect(t.status).toBe("succeeded");
    expect(t.steps.map((s) => s.specialist)).toEqual(["units", "arithmetic"]);
    expect(t.steps[1]!.output.value).toBeCloseTo(9.32057, 4);
  });

  it("runs a configured workflow whose verifier re-checks the conversion", async () => {
    const { id } = await submit({ goal: "checked", input: "convert 10 kg to pounds", workflow: "checked-conversion" });
    const t = await waitFor(id, ["succeeded", "failed"]);
    expect(t.status).toBe("succeeded");
    expect(t.steps[0]!.verdicts).toEqual([expect.objectContaining({ pass: true, specialist: "units" })]);
    expect(String(t.result)).toMatch(/22\.04/);
  });
});

describe("a task's cost", () => {
  it("counts every call: the step's and its verifier's (step, task and audit)", async () => {
    const { id } = await submit({ goal: "priced", input: "x", plan: { steps: [{ id: "s", specialist: "priced-worker", verifier: "priced-verifier" }] } });
    const t = await waitFor(id, ["succeeded", "failed"]);
    expect(t.status).toBe("succeeded");
    expect(t.hops).toBe(2);
    expect(t.costUsd).toBeCloseTo(0.75, 9);
    expect((t.steps[0] as { costUsd?: number }).costUsd).toBeCloseTo(0.75, 9);
    const audit = (await (await call(`/v1/tasks/${id}/audit`)).json()) as { entries: { action: string; detail: { costUsd?: number } }[] };
    expect(audit.entries.find((e) => e.action === "step.succeeded")?.detail.costUsd).toBeCloseTo(0.75, 9);
  });
});

describe("GET /v1/tasks", () => {
  it("lists the caller's tasks newest first with their status, and only theirs", async () => {
    const a = await submit({ goal: "first listed", plan: { steps: [{ id: "s", specialist: "fault-ok" }] } });
    await waitFor(a.id, ["succeeded"]);
    const b = await submit({ goal: "second listed", plan: { steps: [{ id: "s", specialist: "fault-ok", requireApproval: true }] } });
    await waitFor(b.id, ["awaiting_approval"]);
    const { tasks } = (await (await call("/v1/tasks?limit=500")).json()) as { tasks: { id: string; goal: string; status: string }[] };
    const mine = tasks.filter((t) => t.id === a.id || t.id === b.id);
    expect(mine).toEqual([
      expect.objectContaining({ id: b.id, goal: "second listed", status: "awaiting_approval" }),
      expect.objectContaining({ id: a.id, goal: "first listed", status: "succeeded" }),
    ]);
    const API_KEYS = JSON.stringify({ [await sha256Hex("other-tenant-key")]: "other" });
    const theirs = (await (await callWith({ API_KEYS }, "/v1/tasks", { headers: { authorization: "Bearer other-tenant-key" } })).json()) as { tasks: unknown[] };
    expect(theirs.tasks).toEqual([]);
    expect((await call("/v1/tasks?limit=0")).status).toBe(400);
  });
});
