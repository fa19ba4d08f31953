import { describe, expect, inject, it } from "vitest";
import { sha256Hex } from "../../worker/intent/record.ts";
import { call, callWith } from "./helpers.ts";
import { submit, waitFor } from "./task-helpers.ts";

type Span = { traceId: string; spanId: string; parentSpanId?: string; name: string; kind: string; startMs: number; endMs: number | null; attributes: Record<string, string | number | boolean>; status: { code: string; message?: string } };
type Trace = { id: string; traceId: string; spans: Span[] };

const newTraceId = () => crypto.randomUUID().replaceAll("-", "");
const CALLER = "b7ad6b7169203331";

async function taskTrace(id: string): Promise<Trace> {
  const res = await call(`/v1/tasks/${id}/trace`);
  if (res.status !== 200) throw new Error(`trace ${id}: ${res.status} ${await res.text()}`);
  return (await res.json()) as Trace;
}
const children = (t: Trace, parent: Span) => t.spans.filter((s) => s.parentSpanId === parent.spanId);

describe("GET /v1/tasks/:id/trace", () => {
  it("has the task's span under the submitting request, a span per step, and under each its admission, calls and verification", async () => {
    const traceId = newTraceId();
    const { res, id } = await submit(
      {
        goal: "traced",
        input: "hello",
        plan: {
          steps: [
            { id: "a", specialist: "fault-ok", verifier: "fault-verify-pass" },
            { id: "b", specialist: "fault-ok", input: "after {{steps.a.output.text}}", dependsOn: ["a"] },
          ],
        },
      },
      { traceparent: `00-${traceId}-${CALLER}-01` },
    );
    const task = await waitFor(id, ["succeeded", "failed"]);
    expect(task.status).toBe("succeeded");
    const t = await taskTrace(id);
    expect(t.traceId).toBe(traceId);
    for (const s of t.spans) expect(s.traceId).toBe(traceId);
    const root = t.spans.find((s) => s.name === "task")!;
    expect(root).toMatchObject({ parentSpanId: res.headers.get("traceparent")!.split("-")[2], status: { code: "ok" }, attributes: { "switchyard.task.id": id, "switchyard.status": "succeeded" } });
    expect(root.endMs).toBeGreaterThanOrEqual(root.startMs);
    const steps = children(t, root);
    expect(steps.map((s) => [s.name, s.attributes["switchyard.step.id"], s.status.code])).toEqual([
      ["step", "a", "ok"],
      ["step", "b", "ok"],
    ]);
    const [a, b] = steps;
    expect(children(t, a!).map((s) => s.name)).toEqual(["admission", "specialist.call", "verification"]);
    expect(children(t, b!).map((s) => s.name)).toEqual(["admission", "specialist.call"]);
    const verification = children(t, a!).find((s) => s.name === "verification")!;
    expect(verification).toMatchObject({ status: { code: "ok" }, attributes: { "switchyard.verifier": "fault-verify-pass", "switchyard.specialist": "fault-ok", "switchyard.verdict.pass": true } });
    expect(children(t, verification).map((s) => [s.name, s.attributes["switchyard.specialist"]])).toEqual([
      ["admission", "fault-verify-pass"],
      ["specialist.call", "fault-verify-pass"],
    ]);
    // the specialist got its call span as the parent
    const callA = children(t, a!).find((s) => s.name === "specialist.call")!;
    expect(task.steps[0]!.output.traceparent).toBe(`00-${traceId}-${callA.spanId}-01`);
    // steps ran in order: b started after a ended
    expect(b!.startMs).toBeGreaterThanOrEqual(a!.endMs!);
  });

  it("records failed verifications, the fallback's call, and a step left waiting for a human", async () => {
    const { id } = await submit({ goal: "unverified", input: "x", plan: { steps: [{ id: "s", specialist: "fault-ok", verifier: "fault-verify-fail" }] } });
    await waitFor(id, ["awaiting_approval", "failed"]);
    const t = await taskTrace(id);
    const step = t.spans.find((s) => s.name === "step")!;
    expect(step.status.code).toBe("unset");
    expect(step.attributes["switchyard.status"]).toBe("awaiting_approval");
    const under = children(t, step);
    expect(under.filter((s) => s.name === "specialist.call").map((s) => s.attributes["switchyard.specialist"])).toEqual(["fault-ok", "fault-side-effect"]);
    const verifications = under.filter((s) => s.name === "verification");
    expect(verifications).toHaveLength(2);
    for (const v of verifications) expect(v).toMatchObject({ status: { code: "error" }, attributes: { "switchyard.verdict.pass": false } });
    expect(t.spans.find((s) => s.name === "task")!.endMs).toBeNull(); // the task is still open
    await call(`/v1/tasks/${id}/cancel`, { json: { reason: "test over" } });
  });

  it("traces the planner's call as a plan span, and intent classification of steps routed by intent", async () => {
    const { id } = await submit({ goal: "convert 5 km to miles, then what is the result times 3", planner: true });
    expect((await waitFor(id, ["succeeded", "failed"])).status).toBe("succeeded");
    const t = await taskTrace(id);
    const root = t.spans.find((s) => s.name === "task")!;
    const top = children(t, root);
    expect(top[0]).toMatchObject({ name: "plan", status: { code: "ok" } });
    expect(children(t, top[0]!).find((s) => s.name === "specialist.call")!.attributes["switchyard.specialist"]).toBe("planner");
    expect(top.filter((s) => s.name === "step")).toHaveLength(2);
    const calls = t.spans.filter((s) => s.name === "specialist.call").map((s) => s.attributes["switchyard.specialist"]);
    expect(calls).toEqual(expect.arrayContaining(["planner", "units", "arithmetic"]));
  });

  it("is the tenant's own: another tenant gets 404, as for any unknown task", async () => {
    const { id } = await submit({ goal: "mine", plan: { steps: [{ id: "s", specialist: "fault-ok" }] } });
    await waitFor(id, ["succeeded"]);
    const API_KEYS = JSON.stringify({ [await sha256Hex("trace-other-key")]: "other" });
    expect((await callWith({ API_KEYS }, `/v1/tasks/${id}/trace`, { headers: { authorization: "Bearer trace-other-key" } })).status).toBe(404);
    expect((await call(`/v1/tasks/task_${"0".repeat(32)}/trace`)).status).toBe(404);
  });

  it("exports each step's spans, then the task's own span, to the OTLP collector", async () => {
    const traceId = newTraceId();
    const { id } = await submit({ goal: "exported", plan: { steps: [{ id: "s", specialist: "fault-ok" }] } }, { traceparent: `00-${traceId}-${CALLER}-01` });
    await waitFor(id, ["succeeded"]);
    const names = async () => {
      const got = (await (await fetch(`${inject("otlpUrl")}/received?traceId=${traceId}`)).json()) as { requests: { body: { resourceSpans: { scopeSpans: { spans: { name: string; traceId: string }[] }[] }[] } }[] };
      return got.requests.flatMap((r) => r.body.resourceSpans.flatMap((rs) => rs.scopeSpans.flatMap((ss) => ss.spans.map((s) => s.name))));
    };
    // the task's span is exported last, after the response: wait for it, then check the whole set
    await expect.poll(names, { timeout: 10_000 }).toContain("task");
    expect((await names()).sort()).toEqual(["admission", "specialist.call", "step", "task"]);
  });
});
