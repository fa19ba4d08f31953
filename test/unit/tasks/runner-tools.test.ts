import { describe, expect, it } from "vitest";
import { loadConfig } from "../../../worker/config/load.ts";
import type { Env } from "../../../worker/env.ts";
import { PolicySet } from "../../../worker/policy/policy.ts";
import type { EndpointCaller, InputPart, SpecialistOutcome, SpecialistRequest } from "../../../worker/routing/hop.ts";
import type { Runtime } from "../../../worker/runtime.ts";
import { runStep, type StepCall } from "../../../worker/tasks/runner.ts";
import { StepSpec } from "../../../worker/tasks/plan.ts";
import { Tracer } from "../../../worker/observe/span.ts";

/**
 * Tool steps through runStep in plain Node: no CONTROL_PLANE (no kill switches) and no
 * RATE_LIMIT_POOL (admission lets every call through), a fake EndpointCaller, and a
 * runtime with no intent service (a tool step names its server: nothing is classified).
 */
const config = (policies: unknown[] = []) =>
  loadConfig({
    specialists: [
      { id: "units", endpoint: { type: "http", url: "https://units.example/" }, intents: [{ label: "units.convert", examples: ["5 km in miles"] }] },
      { id: "github", endpoint: { type: "mcp", url: "https://mcp.example.com/mcp" }, costPerCall: 0.001 },
      { id: "vision", endpoint: { type: "openai-chat", url: "https://api.example.com/v1", model: "m" }, capabilities: { vision: true } },
    ],
    policies,
  });

function runtime(policies: unknown[] = []): Runtime {
  const c = config(policies);
  return { config: c, policy: new PolicySet(c.policies), registry: new Map(c.specialists.map((s) => [s.id, s])), intents: undefined as never, intentModel: undefined as never, intentsFor: undefined as never, tenantModel: undefined as never, learning: undefined as never, tenants: undefined as never, pending: Promise.resolve() };
}

/** A caller answering `outcome` for every call, recording who was called with what. */
function caller(outcome: SpecialistOutcome) {
  const calls: { specialist: string; request: SpecialistRequest }[] = [];
  const call: EndpointCaller = async (s, request) => (calls.push({ specialist: s.id, request }), outcome);
  return { call, calls };
}

const step = (raw: Record<string, unknown>) => StepSpec.parse({ id: "a", ...raw });

function stepCall(rt: Runtime, call: EndpointCaller, s: Record<string, unknown>, extra: Partial<StepCall> = {}): StepCall {
  return {
    rt,
    env: {} as Env,
    call,
    step: step(s),
    input: '{"title":"Bug"}',
    idempotencyKey: "task_1/a",
    context: {},
    traceparent: `00-${"a".repeat(32)}-${"b".repeat(16)}-01`,
    signal: new AbortController().signal,
    tenant: "acme",
    ...extra,
  };
}

const run = (c: StepCall) => runStep(c, () => {});
const result = (r: Record<string, unknown>): SpecialistOutcome => ({ ok: true, output: r, usage: { units: 1 } });

describe("runStep: tool steps", () => {
  it("call the MCP server with the tool's own name and the step's arguments", async () => {
    const { call, calls } = caller(result({ content: [{ type: "text", text: "created #7" }] }));
    const r = await run(stepCall(runtime(), call, { tool: "github__create_issue" }, { toolArguments: { title: "Bug" } }));
    expect(r).toMatchObject({ ok: true, output: { content: [{ type: "text", text: "created #7" }] }, costUsd: 0.001 });
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({ specialist: "github", request: { input: '{"title":"Bug"}', tool: { name: "create_issue", arguments: { title: "Bug" } } } });
  });

  it("a tool's name is what follows the first '__'; no arguments are sent as {}", async () => {
    const { call, calls } = caller(result({ content: [] }));
    await run(stepCall(runtime(), call, { tool: "github__x__y" }));
    expect(calls[0]!.request.tool).toEqual({ name: "x__y", arguments: {} });
  });

  it("a result with isError: true fails the step with the tool's text", async () => {
    const { call } = caller(result({ content: [{ type: "text", text: "no such repo" }, { type: "image", data: "…" }, { type: "text", text: "(acme/x)" }], isError: true }));
    const r = await run(stepCall(runtime(), call, { tool: "github__create_issue" }));
    expect(r).toMatchObject({ ok: false, detail: "github__create_issue: the tool reported an error: no such repo (acme/x)", kind: "refused" });
    expect(r.attempts).toHaveLength(1);
  });

  it.each([
    ["no text part", { content: [{ type: "image", data: "…" }], isError: true }],
    ["no content", { isError: true }],
    ["a content that is no list", { content: "boom", isError: true }],
    ["parts that are not objects", { content: [null, "boom", { type: "text", text: 5 }], isError: true }],
  ])("an error result with %s says (no text)", async (_what, output) => {
    const { call } = caller(result(output));
    expect(await run(stepCall(runtime(), call, { tool: "github__create_issue" }))).toMatchObject({ ok: false, detail: "github__create_issue: the tool reported an error: (no text)" });
  });

  it("the tool's error text is cut at 1000 characters", async () => {
    const { call } = caller(result({ content: [{ type: "text", text: "x".repeat(1500) }], isError: true }));
    const r = await run(stepCall(runtime(), call, { tool: "github__create_issue" }));
    expect(r.ok ? "" : r.detail).toBe(`github__create_issue: the tool reported an error: ${"x".repeat(1000)}`);
  });

  it.each([false, "true", 1, undefined])("isError %j is no error", async (isError) => {
    const { call } = caller(result({ content: [{ type: "text", text: "fine" }], ...(isError === undefined ? {} : { isError }) }));
    expect((await run(stepCall(runtime(), call, { tool: "github__create_issue" }))).ok).toBe(true);
  });

  it("an isError output of a step that names no tool is the specialist's output, not a failure", async () => {
    const { call } = caller(result({ content: [{ type: "text", text: "x" }], isError: true }));
    expect(await run(stepCall(runtime(), call, { specialist: "units" }))).toMatchObject({ ok: true, output: { isError: true } });
  });

  it("a failed call is the call's failure", async () => {
    const { call } = caller({ ok: false, failure: { kind: "timeout", detail: "the tool call did not finish in time" } });
    expect(await run(stepCall(runtime(), call, { tool: "github__create_issue" }))).toMatchObject({ ok: false, detail: "github: the tool call did not finish in time", kind: "timeout" });
  });

  it("a tool of no MCP server fails before any call", async () => {
    const { call, calls } = caller(result({ content: [] }));
    expect(await run(stepCall(runtime(), call, { tool: "units__convert" }))).toEqual({ ok: false, detail: "step 'a': no MCP server 'units' for tool 'units__convert'", attempts: [] });
    expect(await run(stepCall(runtime(), call, { tool: "gitlab__x" }))).toEqual({ ok: false, detail: "step 'a': no MCP server 'gitlab' for tool 'gitlab__x'", attempts: [] });
    expect(calls).toEqual([]);
  });

  it("policy rules see the tool's full name", async () => {
    const rt = runtime([
      { id: "no-deletes", match: { tool: "*__delete_*" }, effect: "deny", reason: "no deletes" },
      { id: "ask-merges", match: { tool: "github__merge_*" }, require: "approval" },
    ]);
    const { call, calls } = caller(result({ content: [] }));
    expect(await run(stepCall(rt, call, { tool: "github__delete_repo" }))).toMatchObject({ ok: false, kind: "policy_denied", detail: "github: denied by policy 'no-deletes': no deletes" });
    expect(await run(stepCall(rt, call, { tool: "github__merge_pr" }))).toMatchObject({ ok: false, kind: "approval_required" });
    expect((await run(stepCall(rt, call, { tool: "github__merge_pr" }, { approved: true }))).ok).toBe(true);
    expect((await run(stepCall(rt, call, { tool: "github__create_issue" }))).ok).toBe(true);
    expect(calls.map((c) => c.request.tool?.name)).toEqual(["merge_pr", "create_issue"]);
  });

  it("a task's message with a file no MCP server takes never sends the tool call to another specialist", async () => {
    const parts: InputPart[] = [{ kind: "text", text: "file this" }, { kind: "file", url: "https://x.example/p.png", mediaType: "image/png" }];
    const { call, calls } = caller(result({ content: [] }));
    await run(stepCall(runtime(), call, { tool: "github__create_issue" }, { parts, toolArguments: { title: "Bug" } }));
    expect(calls.map((c) => c.specialist).filter((s) => s !== "github")).toEqual([]);
  });

  it("its spans carry the tool's name, and record no intent: nothing was classified", async () => {
    const tracer = new Tracer({ traceId: "a".repeat(32), clock: () => 0 });
    const { call } = caller(result({ content: [] }));
    await run(stepCall(runtime(), call, { tool: "github__create_issue" }, { trace: { tracer, parent: "b".repeat(16) } }));
    const calls = tracer.spans.filter((sp) => sp.name === "specialist.call");
    expect(calls.map((sp) => sp.attributes["gen_ai.tool.name"])).toEqual(["github__create_issue"]);
    expect(tracer.spans.map((sp) => sp.name)).not.toContain("intent");
  });
});
