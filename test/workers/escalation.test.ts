import { env as testEnv } from "cloudflare:workers";
import { afterEach, beforeEach, describe, expect, inject, it } from "vitest";
import type { ConfigInput } from "../../worker/config/schema.ts";
import { fakeClock } from "./clock.ts";
import { callWith, configWith } from "./helpers.ts";

/**
 * Escalation to an LLM router (router.escalation): a fake chat specialist (examples/fake-openai,
 * model `say:<answer>`) answers what each test scripts. Each test has its own LLM router id
 * (its pool, kill switch and metrics are its own) and its own inputs.
 */
const ADMIN = { authorization: "Bearer dev-admin-key" };
const PICK = '{"label":"text.count","specialist":"text-stats"}';
let n = 0;

/**
 * A config whose LLM router `id` answers `model`'s way (an `openai-chat` model of the
 * fake, or with `workersAi` a model of the fake Workers AI binding); every input under 0.9 is escalated.
 */
function setup(model: string, patch: (c: ConfigInput, id: string) => void = () => {}, workersAi = false) {
  const id = `llm-router-${++n}-${Math.random().toString(36).slice(2, 8)}`;
  const config = configWith((c) => {
    const pricing = { inputPerMTok: 1, outputPerMTok: 2 };
    c.specialists.push({
      id,
      description: "an LLM router (examples/fake-openai)",
      endpoint: workersAi ? { type: "workers-ai", model, pricing } : { type: "openai-chat", url: `${inject("openaiUrl")}/v1`, model, apiKeySecret: "FAKE_OPENAI_KEY", pricing },
      costPerCall: 0.001,
      retries: 2, // an escalation is never retried: its time budget is for one call
    });
    c.router = { ...c.router, escalation: { specialist: id, below: 0.9, timeoutMs: 2000 } };
    patch(c, id);
  });
  const env = { SWITCHYARD_CONFIG: config };
  const hop = async (input: string | { intent: string }) => {
    const res = await callWith(env, "/v1/route", { json: typeof input === "string" ? { input } : input });
    return { status: res.status, body: (await res.json()) as Routed };
  };
  const trace = async (hopId: string) => ((await (await callWith(env, `/v1/hops/${hopId}/trace`)).json()) as { spans: Span[] }).spans;
  const intent = async (intentId: string) => (await (await callWith(env, `/v1/intents/${intentId}`)).json()) as Record<string, unknown> & { escalation?: Record<string, unknown> };
  const metrics = async () => {
    const m = (await (await callWith(env, "/v1/metrics", { headers: ADMIN })).json()) as { totals: { escalations: number }; specialists: Row[] };
    return { row: m.specialists.find((s) => s.id === id)!, totals: m.totals };
  };
  const admin = (path: string) => callWith(env, path, { json: { by: "ops", reason: "test" }, headers: ADMIN });
  return { id, hop, trace, intent, metrics, admin };
}
type Routed = { id: string; decision: { specialist: string; reason: string; intent: { id: string; label: string; confidence: number } } };
type Span = { spanId: string; parentSpanId?: string; name: string; attributes: Record<string, string | number | boolean>; status: { code: string } };
type Row = { id: string; requests: number; ok: number; denied: number; costUsd: number; escalations?: { count: number; outcomes: Record<string, number>; costUsd: number } };
/** An input the bundled classifier is unsure of (well under 0.9), unique to a test. */
const unsure = (tag: string) => `please handle my request about ${tag} stuff`;

// metrics are per UTC day: on a fake clock at noon, a test never crosses midnight
let clock: ReturnType<typeof fakeClock>;
beforeEach(() => void (clock = fakeClock()));
afterEach(() => clock.restore());

describe("escalation to an LLM router", () => {
  it("a confident input is not escalated", async () => {
    const r = setup(`say:${PICK}`);
    const res = await r.hop("convert 5 km to miles");
    expect(res.status).toBe(200);
    expect(res.body.decision).toMatchObject({ specialist: "units", intent: { label: "units.convert" } });
    expect(res.body.decision.reason).not.toMatch(/escalat/);
    expect((await r.trace(res.body.id)).map((s) => s.name)).not.toContain("intent.escalation");
    expect((await r.intent(res.body.decision.intent.id)).escalation).toBeUndefined();
    expect((await r.metrics()).row.requests).toBe(0);
  });

  it("an unsure input is escalated and routed to the pick, which is cached under its intent id: the same input or its id is not asked about again", { timeout: 20_000 }, async () => {
    const r = setup(`say:${PICK}`);
    const input = unsure("tiles");
    const first = await r.hop(input);
    expect(first.status).toBe(200);
    const { decision } = first.body;
    expect(decision.specialist).toBe("text-stats");
    expect(decision.intent.label).toBe("text.count");
    expect(decision.reason).toMatch(new RegExp(`^intent '[a-z.-]+' at 0\\.\\d\\d < 0\\.9: escalated to '${r.id}', picked 'text\\.count' \\('text-stats'\\); allowed`));

    const record = await r.intent(decision.intent.id);
    expect(record).toMatchObject({ label: "text.count", specialist: "text-stats", inScope: true, escalation: { by: r.id, outcome: "picked", below: 0.9 } });
    const from = record.escalation!.from as { label: string; confidence: number };
    expect(from.confidence).toBeLessThan(0.9);
    expect(record.escalation!.costUsd).toBeGreaterThan(0.001); // costPerCall plus the tokens at its prices

    // the span: a child of the request's span, with its admission and call under it
    const spans = await r.trace(first.body.id);
    const root = spans.find((s) => s.parentSpanId === undefined || !spans.some((p) => p.spanId === s.parentSpanId))!;
    const esc = spans.find((s) => s.name === "intent.escalation")!;
    expect(esc.parentSpanId).toBe(root.spanId);
    expect(esc.attributes).toMatchObject({ "switchyard.specialist": r.id, "switchyard.escalation.outcome": "picked", "switchyard.escalation.label": "text.count", "switchyard.intent.label": from.label });
    expect(esc.attributes["switchyard.cost_usd"]).toBe(record.escalation!.costUsd);
    const children = spans.filter((s) => s.parentSpanId === esc.spanId);
    expect(children.map((s) => s.name)).toEqual(["admission", "specialist.call"]); // one call: never retried
    expect(children[1]!.attributes).toMatchObject({ "switchyard.specialist": r.id, "switchyard.outcome": "ok" });

    // asked once: the same input, and a hop by its intent id, route to the pick from the cache
    const again = await r.hop(input);
    expect(again.body.decision).toMatchObject({ specialist: "text-stats", reason: decision.reason });
    expect((await r.trace(again.body.id)).map((s) => s.name)).not.toContain("intent.escalation");
    const byId = await r.hop({ intent: decision.intent.id });
    expect(byId.body.decision).toMatchObject({ specialist: "text-stats", reason: decision.reason });
    expect((await r.trace(byId.body.id)).map((s) => s.name)).not.toContain("intent.escalation");

    // metrics: one call of the LLM router, with its cost, and one escalation
    const { row, totals } = await r.metrics();
    expect(row).toMatchObject({ requests: 1, ok: 1, escalations: { count: 1, outcomes: { picked: 1 } } });
    expect(row.costUsd).toBeCloseTo(record.escalation!.costUsd as number, 6);
    expect(row.escalations!.costUsd).toBeCloseTo(row.costUsd, 6);
    expect(totals.escalations).toBeGreaterThanOrEqual(1);
  });

  it("with propose, a pick that differs from the classifier's label waits as a learned example for review", { timeout: 20_000 }, async () => {
    const r = setup(`say:${PICK}`, (c) => {
      c.router!.escalation = { ...c.router!.escalation!, propose: true };
    });
    const first = await r.hop(unsure("proposal"));
    const id = first.body.decision.intent.id;
    const learned = async () =>
      ((await (await callWith({}, `/v1/admin/learned?scope=dev&status=pending`, { headers: ADMIN })).json()) as { examples: { ref?: string }[] }).examples.filter((x) => x.ref === id);
    await expect.poll(learned, { timeout: 5_000 }).toHaveLength(1);
    expect((await learned())[0]).toMatchObject({ scope: "dev", label: "text.count", specialist: "text-stats", status: "pending", origin: "escalation", by: "router:dev", input: unsure("proposal") });
    // a confident input proposes nothing
    await r.hop("convert 5 km to miles");
    const all = (await (await callWith({}, "/v1/admin/learned?scope=dev", { headers: ADMIN })).json()) as { examples: unknown[] };
    expect(all.examples).toHaveLength(1);
  });

  it.each([
    ["prose", "say:The request is about counting words: text.count", "the answer is not one JSON object"],
    ["an unknown label", 'say:{"label":"text.teleport","specialist":"text-stats"}', 'label "text.teleport" was not offered'],
    ["a label under the wrong specialist", 'say:{"label":"text.count","specialist":"summarize"}', `label 'text.count' is listed under 'text-stats', not "summarize"`],
  ])("an answer that is %s keeps the classifier's answer (cached: not asked again)", async (_what, model, detail) => {
    const r = setup(model);
    const input = unsure(`invalid-${n}`);
    const res = await r.hop(input);
    expect(res.status).toBe(200);
    expect(res.body.decision.specialist).toBe("general"); // the classifier's answer
    expect(res.body.decision.reason).toContain(`escalated to '${r.id}': invalid (${detail}), the classifier's answer kept`);
    expect((await r.intent(res.body.decision.intent.id)).escalation).toMatchObject({ outcome: "invalid", detail });
    await r.hop(input);
    expect((await r.metrics()).row).toMatchObject({ requests: 1, escalations: { count: 1, outcomes: { invalid: 1 } } });
  });

  it("a none sends the input to the fallback", async () => {
    const r = setup('say:{"label":null}');
    const res = await r.hop(unsure("nothing"));
    expect(res.body.decision).toMatchObject({ specialist: "general" });
    expect(res.body.decision.reason).toMatch(new RegExp(`escalated to '${r.id}', none fits: out of scope, fallback 'general'`));
  });

  it("a timeout keeps the classifier's answer, recorded as such, and the next request asks again", { timeout: 20_000 }, async () => {
    const r = setup("hang", (c, id) => {
      c.router!.escalation = { specialist: id, below: 0.9, timeoutMs: 300 };
    });
    const input = unsure("slowly");
    const res = await r.hop(input);
    expect(res.status).toBe(200);
    expect(res.body.decision.specialist).toBe("general");
    expect(res.body.decision.reason).toContain(`escalated to '${r.id}': timeout (`);
    const esc = (await r.trace(res.body.id)).find((s) => s.name === "intent.escalation")!;
    expect(esc.attributes["switchyard.escalation.outcome"]).toBe("timeout");
    expect((await r.intent(res.body.decision.intent.id)).escalation).toBeUndefined(); // what is cached is the classifier's record
    await r.hop(input);
    expect((await r.metrics()).row).toMatchObject({ requests: 2, escalations: { count: 2, outcomes: { timeout: 2 } } });
  });

  it("a kill-switched LLM router is skipped, not a failure of the request; once enabled it is asked", async () => {
    const r = setup(`say:${PICK}`);
    expect((await r.admin(`/v1/admin/specialists/${r.id}/disable`)).status).toBe(200);
    const input = unsure("switched");
    const off = await r.hop(input);
    expect(off.status).toBe(200);
    expect(off.body.decision.specialist).toBe("general");
    expect(off.body.decision.reason).toMatch(new RegExp(`escalated to '${r.id}': skipped \\('${r.id}' is disabled by a kill switch \\(test\\)\\), the classifier's answer kept`));
    expect((await r.metrics()).row).toMatchObject({ requests: 0, denied: 1, escalations: { count: 1, outcomes: { skipped: 1 } } });
    expect((await r.admin(`/v1/admin/specialists/${r.id}/enable`)).status).toBe(200);
    const on = await r.hop(input);
    expect(on.body.decision.specialist).toBe("text-stats");
  });

  it("an escalation counts against the LLM router's pool: over its limit, the next one is skipped", async () => {
    const r = setup(`say:${PICK}`, (c, id) => {
      c.specialists.find((s) => s.id === id)!.limits = { rpm: 1 };
    });
    expect((await r.hop(unsure("first"))).body.decision.specialist).toBe("text-stats");
    const second = await r.hop(unsure("second"));
    expect(second.status).toBe(200);
    expect(second.body.decision.specialist).toBe("general");
    expect(second.body.decision.reason).toMatch(new RegExp(`escalated to '${r.id}': skipped \\(pool 'specialist:${r.id}' is at its rate limit\\)`));
    expect((await r.metrics()).row).toMatchObject({ requests: 1, denied: 1, escalations: { count: 2, outcomes: { picked: 1, skipped: 1 } } });
  });

  it("a policy that denies the LLM router skips the escalation (the call is judged like any call of that specialist)", async () => {
    const r = setup(`say:${PICK}`, (c, id) => {
      c.policies = [...(c.policies ?? []), { id: "no-llm-router", match: { specialist: id }, effect: "deny", reason: "not for this tenant" }];
    });
    const res = await r.hop(unsure("denied"));
    expect(res.status).toBe(200);
    expect(res.body.decision.specialist).toBe("general");
    expect(res.body.decision.reason).toContain(`escalated to '${r.id}': skipped (`);
    expect(res.body.decision.reason).toContain("not for this tenant");
    expect((await r.metrics()).row).toMatchObject({ requests: 0, denied: 1, escalations: { count: 1, outcomes: { skipped: 1 } } });
  });

  it("asks a Workers AI model through its binding: the question translated (system, then the input), max_tokens set; its prose is no answer", async () => {
    const model = `@cf/test/router-${n + 1}`; // any other model of the fake answers "[<model>] heard: <last user message>"
    const r = setup(model, () => {}, true);
    const input = unsure("workers-ai");
    const res = await r.hop(input);
    expect(res.status).toBe(200);
    expect(res.body.decision.reason).toContain(`escalated to '${r.id}': invalid (the answer is not one JSON object)`);
    const ai = (testEnv as unknown as { AI: { calls(): Promise<{ model: string; inputs: { messages: { role: string; content: string }[]; max_tokens?: number } }[]> } }).AI;
    const call = (await ai.calls()).find((c) => c.model === model)!;
    expect(call.inputs.max_tokens).toBe(256);
    expect(call.inputs.messages.map((m) => m.role)).toEqual(["system", "user"]);
    expect(call.inputs.messages[0]!.content).toContain('- specialist "text-stats"');
    expect(call.inputs.messages[0]!.content).toContain('  - label "text.count"');
    expect(call.inputs.messages[0]!.content).not.toContain('"ops"'); // an MCP server takes no hops: not offered
    expect(call.inputs.messages[1]!.content).toBe(`Request (a JSON string): ${JSON.stringify(input)}`);
  });
});
