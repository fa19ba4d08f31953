import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { sha256Hex } from "../../worker/intent/record.ts";
import { fakeClock } from "./clock.ts";
import { call, callWith, configWith, problem } from "./helpers.ts";
import { submit, waitFor } from "./task-helpers.ts";

const ADMIN = { authorization: "Bearer dev-admin-key" };
const OTHER = "feedback-other-tenant-key";
const API_KEYS = JSON.stringify({ [await sha256Hex(OTHER)]: "other" });
type View = { id: string; target: Record<string, string>; specialist: string; label: string | null; intentId: string | null; outcome: string; score?: number; correctLabel?: string; correctSpecialist?: string; comment?: string; inputKnown: boolean; by: string; createdAt: string; updatedAt: string; revision: number; replaced: boolean; learned?: Record<string, string | number> };
type Audit = { entries: { seq: number; actor: string; action: string; detail: Record<string, unknown> }[]; verification: { ok: boolean; anchoredAt?: number } };

/** A served hop (after-response work done: its trace and metrics sent). */
async function hop(json: unknown): Promise<{ id: string; decision: { specialist: string; intent: { id: string; label: string } | null } }> {
  const res = await callWith({}, "/v1/route", { json });
  expect(res.status).toBe(200);
  return (await res.json()) as never;
}
const give = (json: unknown, headers: Record<string, string> = {}) => callWith({}, "/v1/feedback", { json, headers });
const giveAsOther = (json: unknown) => callWith({ API_KEYS }, "/v1/feedback", { json, headers: { authorization: `Bearer ${OTHER}` } });
async function mine(query = ""): Promise<View[]> {
  const res = await callWith({}, `/v1/feedback${query}`);
  expect(res.status).toBe(200);
  return ((await res.json()) as { feedback: View[] }).feedback;
}
async function audit(specialist: string): Promise<Audit> {
  const res = await callWith({}, `/v1/feedback/audit?specialist=${specialist}`, { headers: ADMIN });
  expect(res.status).toBe(200);
  return (await res.json()) as Audit;
}

// feedback is counted per UTC day: on a fake clock at noon, a run never crosses midnight
let clock: ReturnType<typeof fakeClock>;
beforeEach(() => void (clock = fakeClock()));
afterEach(() => clock.restore());

describe("POST /v1/feedback on a hop", () => {
  it("stores it (201), answers the same body again with the stored record (200), and a different body replaces it (latest wins)", async () => {
    const h = await hop({ input: "convert 5 km to miles" });
    expect(h.decision).toMatchObject({ specialist: "units", intent: { label: "units.convert" } });
    const body = { hopId: h.id, outcome: "bad", correctLabel: "units.data", score: 0.25, comment: "wanted meters" };
    const first = await give(body);
    expect(first.status).toBe(201);
    const stored = (await first.json()) as View;
    expect(stored).toMatchObject({ id: expect.stringMatching(/^fb_[0-9a-f]{32}$/), target: { kind: "hop", hopId: h.id }, specialist: "units", label: "units.convert", intentId: h.decision.intent!.id, outcome: "bad", correctLabel: "units.data", score: 0.25, comment: "wanted meters", inputKnown: true, by: "tenant:dev", revision: 1, replaced: false });

    // the correction taught the tenant's model (docs/intents.md, "Learning from feedback")
    expect(stored.learned).toEqual({ status: "active", example: expect.stringMatching(/^lx_[0-9a-f]{24}$/) });
    const { learned: _taught, ...plain } = stored;

    const again = await give({ comment: "wanted meters", score: 0.25, correctLabel: "units.data", outcome: "bad", hopId: h.id }); // member order does not matter
    expect(again.status).toBe(200);
    expect(await again.json()).toEqual(plain); // the same feedback: taught once

    clock.advance(1_000);
    const replaced = await give({ hopId: h.id, outcome: "good" });
    expect(replaced.status).toBe(200);
    const latest = (await replaced.json()) as View;
    expect(latest).toMatchObject({ id: stored.id, outcome: "good", revision: 2, replaced: true, createdAt: stored.createdAt });
    expect(latest.updatedAt > stored.updatedAt).toBe(true);
    expect(latest).not.toHaveProperty("correctLabel");
    // latest wins: what the earlier version taught is taken back
    expect(latest.learned).toEqual({ status: "withdrawn", examples: 1 });
    const { learned: _withdrawn, ...latestPlain } = latest;
    expect((await mine("?specialist=units")).filter((f) => f.id === stored.id)).toEqual([latestPlain]);

    const chain = await audit("units");
    const mineInChain = chain.entries.filter((e) => e.detail.feedback === stored.id);
    expect(mineInChain.map((e) => [e.action, e.actor, e.detail.outcome, e.detail.revision])).toEqual([
      ["feedback.given", "tenant:dev", "bad", 1],
      ["feedback.replaced", "tenant:dev", "good", 2],
    ]);
    expect(mineInChain[0]!.detail).toMatchObject({ tenant: "dev", target: `hop:${h.id}`, specialist: "units", label: "units.convert", correctLabel: "units.data", score: 0.25, commentChars: 13 });
    expect(JSON.stringify(mineInChain)).not.toContain("wanted meters");
    expect(chain.verification).toMatchObject({ ok: true, anchoredAt: chain.entries.length });
  });

  it("names a hop that was not sampled too (from its specialist's Metrics object), until feedbackWindowSeconds", async () => {
    const config = (window: number) => configWith((c) => void (c.observability = { ...c.observability, sampleRatio: 0, feedbackWindowSeconds: window }));
    for (const [window, status] of [
      [3_600, 201],
      [0, 404],
    ] as const) {
      const res = await callWith({ SWITCHYARD_CONFIG: config(window) }, "/v1/route", { json: { input: "convert 7 kg to pounds" } });
      const { id } = (await res.json()) as { id: string };
      expect((await callWith({ SWITCHYARD_CONFIG: config(window) }, `/v1/hops/${id}/trace`)).status).toBe(404); // not sampled: no stored trace
      const fb = await callWith({ SWITCHYARD_CONFIG: config(window) }, "/v1/feedback", { json: { hopId: id, outcome: "good" } });
      expect(fb.status, `window ${window}`).toBe(status);
      if (status === 201) expect(await fb.json()).toMatchObject({ specialist: "units", label: "units.convert" });
      else expect((await problem(fb)).detail).toMatch(/no hop/);
    }
  });
});

describe("POST /v1/feedback on an intent and a task step", () => {
  it("an intent: the specialist it resolved to, its label and input", async () => {
    const res = await callWith({}, "/v1/intents", { json: { input: "what is 17 percent of 80" } });
    const intent = (await res.json()) as { id: string; label: string; specialist: string };
    const fb = await give({ intentId: intent.id, outcome: "bad", correctSpecialist: "units" });
    expect(fb.status).toBe(201);
    expect(await fb.json()).toMatchObject({ target: { kind: "intent", intentId: intent.id }, specialist: intent.specialist, label: intent.label, intentId: intent.id, correctSpecialist: "units", inputKnown: true });
  });

  it("a task step: the specialist that served it and the label it was routed by; a step that has not run is a 409", async () => {
    const { id } = await submit({ goal: "feedback on a step", plan: { steps: [{ id: "convert", intent: "units.convert", input: "convert 3 km to miles" }, { id: "later", specialist: "fault-ok", requireApproval: true, dependsOn: ["convert"] }] } });
    await waitFor(id, ["awaiting_approval"]);
    const fb = await give({ taskId: id, stepId: "convert", outcome: "good", score: 1 });
    expect(fb.status).toBe(201);
    expect(await fb.json()).toMatchObject({ target: { kind: "step", taskId: id, stepId: "convert" }, specialist: "units", label: "units.convert", score: 1, inputKnown: true });
    const notRun = await give({ taskId: id, stepId: "later", outcome: "bad" });
    expect(notRun.status).toBe(409);
    expect((await problem(notRun)).detail).toMatch(/has not been served/);
    expect((await give({ taskId: id, stepId: "nope", outcome: "bad" })).status).toBe(404);
    expect((await give({ taskId: `task_${"0".repeat(32)}`, stepId: "convert", outcome: "bad" })).status).toBe(404);
  });
});

describe("tenant scope", () => {
  it("another tenant's hop, intent and step are 404s like unknown ones, and its list shows none of ours", async () => {
    const h = await hop({ input: "convert 2 km to miles" });
    const intent = (await (await callWith({}, "/v1/intents", { json: { input: "how many days until friday" } })).json()) as { id: string };
    const { id: task } = await submit({ goal: "scoped", plan: { steps: [{ id: "s", specialist: "fault-ok" }] } });
    await waitFor(task, ["succeeded"]);
    expect((await give({ hopId: h.id, outcome: "good" })).status).toBe(201);
    for (const body of [{ hopId: h.id }, { intentId: intent.id }, { taskId: task, stepId: "s" }, { hopId: "hop_00000000-0000-4000-8000-000000000000" }]) {
      const res = await giveAsOther({ ...body, outcome: "bad" });
      expect(res.status, JSON.stringify(body)).toBe(404);
    }
    const theirs = await callWith({ API_KEYS }, "/v1/feedback", { headers: { authorization: `Bearer ${OTHER}` } });
    expect(((await theirs.json()) as { feedback: View[] }).feedback).toEqual([]);
    expect((await mine()).find((f) => f.target.hopId === h.id)).toMatchObject({ outcome: "good", revision: 1 });
  });
});

describe("bad input", () => {
  it("is a 400 naming the field, checked before the target: it never changes what is stored", async () => {
    const h = await hop({ input: "convert 9 km to miles" });
    expect((await give({ hopId: h.id, outcome: "good", score: 0.9 })).status).toBe(201);
    const before = { list: await mine(), chain: (await audit("units")).entries.length };
    const cases: [unknown, RegExp][] = [
      [{ hopId: h.id, outcome: "good", stars: 5 }, /stars/],
      [{ hopId: h.id, outcome: "meh" }, /outcome/],
      [{ hopId: h.id, outcome: "bad", correctLabel: "no.such.label" }, /correctLabel: .*'no\.such\.label'/],
      [{ hopId: h.id, outcome: "bad", correctSpecialist: "nobody" }, /correctSpecialist: .*'nobody'/],
      [{ hopId: h.id, outcome: "bad", correctSpecialist: "ops" }, /correctSpecialist: .*MCP server/],
      [{ hopId: h.id, outcome: "good", correctLabel: "units.data" }, /correctLabel: a correction goes with outcome 'bad'/],
      [{ hopId: h.id, intentId: h.decision.intent!.id, outcome: "bad" }, /one target only/],
      [{ outcome: "bad" }, /name one target/],
      [{ taskId: `task_${"0".repeat(32)}`, outcome: "bad" }, /stepId/],
      [{ hopId: h.id, outcome: "bad", score: 2 }, /score/],
      [{ hopId: h.id, outcome: "bad", comment: "x".repeat(2_001) }, /comment/],
      [{ hopId: "hop_x", outcome: "bad" }, /hopId/],
    ];
    for (const [body, detail] of cases) {
      const res = await give(body);
      expect(res.status, JSON.stringify(body).slice(0, 80)).toBe(400);
      expect((await problem(res)).detail).toMatch(detail);
    }
    const long = await give({ hopId: h.id, outcome: "bad" }, { "idempotency-key": "k".repeat(256) });
    expect(long.status).toBe(400);
    const notJson = await callWith({}, "/v1/feedback", { method: "POST", body: "{", headers: { "content-type": "application/json" } });
    expect(notJson.status).toBe(400);
    expect(await mine()).toEqual(before.list);
    expect((await audit("units")).entries.length).toBe(before.chain);
  });
});

describe("Idempotency-Key", () => {
  it("reused with another body is a 409 that changes nothing; with its own body, the stored record, however it was replaced since", async () => {
    const h = await hop({ input: "convert 4 km to miles" });
    const key = { "idempotency-key": `fb-${crypto.randomUUID()}` };
    const first = await give({ hopId: h.id, outcome: "bad" }, key);
    expect(first.status).toBe(201);
    const stored = (await first.json()) as View;
    const conflict = await give({ hopId: h.id, outcome: "good" }, key);
    expect(conflict.status).toBe(409);
    expect((await problem(conflict)).type).toBe("urn:switchyard:problem:idempotency-conflict");
    expect((await mine()).find((f) => f.id === stored.id)).toEqual(stored);
    const replaced = (await (await give({ hopId: h.id, outcome: "good" })).json()) as View; // no key: latest wins
    expect(replaced.revision).toBe(2);
    const retry = await give({ hopId: h.id, outcome: "bad" }, key); // the first request retried: not applied again
    expect(retry.status).toBe(200);
    expect(await retry.json()).toEqual(replaced);
  });
});

describe("GET /v1/feedback and the audit chain", () => {
  it("lists newest first, filtered by specialist, label and outcome; refuses an unknown specialist; the chain is for the admin key", async () => {
    const a = await hop({ input: "convert 11 km to miles" });
    const b = await hop({ input: "what is 6 * 7" });
    expect((await give({ hopId: a.id, outcome: "bad" })).status).toBe(201);
    clock.advance(10);
    expect((await give({ hopId: b.id, outcome: "good" })).status).toBe(201);
    const all = await mine("?limit=500");
    const ids = all.map((f) => f.target.hopId);
    expect(ids.indexOf(b.id)).toBeLessThan(ids.indexOf(a.id));
    expect((await mine(`?specialist=${b.decision.specialist}`)).map((f) => f.specialist)).toEqual(expect.arrayContaining([b.decision.specialist]));
    expect((await mine("?label=units.convert&outcome=bad")).every((f) => f.label === "units.convert" && f.outcome === "bad")).toBe(true);
    expect((await mine("?limit=1")).length).toBe(1);
    expect((await callWith({}, "/v1/feedback?specialist=nobody")).status).toBe(400);
    expect((await callWith({}, "/v1/feedback?limit=0")).status).toBe(400);
    expect((await callWith({}, "/v1/feedback/audit?specialist=units")).status).toBe(403);
    expect((await callWith({}, "/v1/feedback/audit?specialist=nobody", { headers: ADMIN })).status).toBe(400);
    expect((await call("/openapi.json").then((r) => r.json()) as { paths: Record<string, unknown> }).paths).toHaveProperty("/v1/feedback");
  });
});
