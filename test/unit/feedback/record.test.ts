import { describe, expect, it } from "vitest";
import { auditDetail, bodyHash, bodyOf, correctionIssues, feedbackId, nextRecord, targetKey, targetOf, viewOf, type FeedbackSubmission } from "../../../worker/feedback/record.ts";
import { FeedbackRequest } from "../../../worker/feedback/schema.ts";
import { sha256Hex } from "../../../worker/intent/record.ts";

const HOP = "hop_0f0e0d0c-0b0a-4908-8706-050403020100";
const TASK = `task_${"ab".repeat(16)}`;
const INTENT = `in_${"cd".repeat(16)}`;
const T0 = Date.parse("2026-06-15T12:00:00Z");

const submission = (body: FeedbackSubmission["body"], input?: string): FeedbackSubmission => ({
  tenant: "acme",
  actor: "tenant:acme",
  target: { kind: "hop", hopId: HOP },
  resolved: { specialist: "units", label: "units.convert", intentId: INTENT, ...(input !== undefined ? { input } : {}) },
  body,
  bodyHash: "h",
});

describe("the feedback body", () => {
  const ok = (b: unknown) => FeedbackRequest.safeParse(b);
  const issues = (b: unknown) => {
    const r = FeedbackRequest.safeParse(b);
    return r.success ? [] : r.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
  };

  it("takes exactly one target: a hop, an intent, or a task's step", () => {
    expect(ok({ hopId: HOP, outcome: "good" }).success).toBe(true);
    expect(ok({ intentId: INTENT, outcome: "bad", correctLabel: "x", correctSpecialist: "units", score: 0, comment: "" }).success).toBe(true);
    expect(ok({ taskId: TASK, stepId: "convert", outcome: "good", score: 1 }).success).toBe(true);
    expect(issues({ outcome: "good" })).toEqual([": name one target: hopId, intentId, or taskId with stepId"]);
    expect(issues({ hopId: HOP, intentId: INTENT, outcome: "good" })).toEqual(["intentId: name one target only (got hopId and intentId)"]);
    expect(issues({ taskId: TASK, outcome: "good" })).toEqual(["stepId: name the task's step: stepId"]);
    expect(issues({ stepId: "s", outcome: "good" })).toContain("stepId: a step is named with its taskId");
  });

  it("refuses unknown members by name, a bad outcome, a score out of [0, 1], a long comment, malformed ids", () => {
    expect(issues({ hopId: HOP, outcome: "good", rating: 5 }).join()).toMatch(/rating/);
    expect(issues({ hopId: HOP, outcome: "meh" })[0]).toMatch(/^outcome: /);
    expect(issues({ hopId: HOP, outcome: "good", score: 1.5 })[0]).toMatch(/^score: /);
    expect(issues({ hopId: HOP, outcome: "good", score: -0.1 })[0]).toMatch(/^score: /);
    expect(issues({ hopId: HOP, outcome: "good", comment: "x".repeat(2001) })[0]).toMatch(/^comment: /);
    expect(ok({ hopId: HOP, outcome: "good", comment: "x".repeat(2000) }).success).toBe(true);
    expect(issues({ hopId: "hop_1", outcome: "good" })[0]).toMatch(/^hopId: /);
    expect(issues({ taskId: TASK, stepId: "Bad Step", outcome: "good" })[0]).toMatch(/^stepId: /);
  });

  it("takes a correction only with outcome bad", () => {
    expect(issues({ hopId: HOP, outcome: "good", correctLabel: "x", correctSpecialist: "units" })).toEqual(["correctLabel: a correction goes with outcome 'bad'", "correctSpecialist: a correction goes with outcome 'bad'"]);
  });
});

describe("corrections against the config", () => {
  const labels = new Set(["units.convert", "math.evaluate"]);
  const takes = (id: string) => ({ units: true, ops: false })[id as "units" | "ops"];

  it("names a label no specialist declares, an unknown specialist, and an MCP server", () => {
    expect(correctionIssues({ outcome: "bad", correctLabel: "units.convert", correctSpecialist: "units" }, labels, takes)).toEqual([]);
    expect(correctionIssues({ outcome: "bad", correctLabel: "nope", correctSpecialist: "nobody" }, labels, takes)).toEqual([
      { path: "correctLabel", message: "no specialist declares the intent label 'nope'" },
      { path: "correctSpecialist", message: "no registered specialist 'nobody'" },
    ]);
    expect(correctionIssues({ outcome: "bad", correctSpecialist: "ops" }, labels, takes)[0]!.message).toMatch(/MCP server/);
  });
});

describe("feedback records", () => {
  it("keys targets per kind, and ids them per tenant and target", async () => {
    expect(targetKey(targetOf({ hopId: HOP }))).toBe(`hop:${HOP}`);
    expect(targetKey(targetOf({ intentId: INTENT }))).toBe(`intent:${INTENT}`);
    expect(targetKey(targetOf({ taskId: TASK, stepId: "s" }))).toBe(`step:${TASK}/s`);
    const id = await feedbackId("acme", { kind: "hop", hopId: HOP });
    expect(id).toMatch(/^fb_[0-9a-f]{32}$/);
    expect(await feedbackId("acme", { kind: "hop", hopId: HOP })).toBe(id);
    expect(await feedbackId("beta", { kind: "hop", hopId: HOP })).not.toBe(id);
  });

  it("hashes a body whatever its member order, and leaves absent members out", async () => {
    expect(await bodyHash({ outcome: "bad", score: 0.5, comment: "c" })).toBe(await bodyHash({ comment: "c", score: 0.5, outcome: "bad" }));
    expect(await bodyHash({ outcome: "bad" })).not.toBe(await bodyHash({ outcome: "good" }));
    expect(bodyOf({ outcome: "good", comment: undefined } as never)).toEqual({ outcome: "good" });
  });

  it("a new record is revision 1; the next version replaces every member (latest wins), keeps createdAt and an input no longer known", () => {
    const first = nextRecord(undefined, "fb_1", submission({ outcome: "bad", correctLabel: "units.data", comment: "wrong" }, "convert 5 km"), T0);
    expect(first).toMatchObject({ id: "fb_1", tenant: "acme", specialist: "units", label: "units.convert", intentId: INTENT, input: "convert 5 km", outcome: "bad", correctLabel: "units.data", comment: "wrong", revision: 1, at: T0 });
    expect(first.createdAt).toBe(first.updatedAt);
    const second = nextRecord(first, "fb_1", submission({ outcome: "good", score: 1 }), T0 + 1000);
    expect(second).toMatchObject({ outcome: "good", score: 1, input: "convert 5 km", revision: 2, createdAt: first.createdAt, updatedAt: new Date(T0 + 1000).toISOString(), at: T0 + 1000 });
    expect(second).not.toHaveProperty("correctLabel");
    expect(second).not.toHaveProperty("comment");
  });

  it("shows a record without its tenant, input, hash or clock, saying whether the input is known and whether it replaced another", () => {
    const r = nextRecord(undefined, "fb_1", submission({ outcome: "good" }, "text"), T0);
    const v = viewOf(r);
    expect(v).toMatchObject({ id: "fb_1", target: { kind: "hop", hopId: HOP }, inputKnown: true, replaced: false, by: "tenant:acme" });
    for (const k of ["tenant", "input", "bodyHash", "at"]) expect(v).not.toHaveProperty(k);
    expect(viewOf(nextRecord(r, "fb_1", submission({ outcome: "bad" }), T0)).replaced).toBe(true);
    expect(viewOf(nextRecord(undefined, "fb_2", submission({ outcome: "bad" }), T0)).inputKnown).toBe(false);
  });

  it("audits who and what, with the comment and input by hash only, and the version it replaced", async () => {
    const first = nextRecord(undefined, "fb_1", submission({ outcome: "bad", score: 0.2, comment: "call me at 555-0100" }, "secret input"), T0);
    const second = nextRecord(first, "fb_1", { ...submission({ outcome: "good" }), bodyHash: "h2" }, T0);
    const d = await auditDetail(second, first);
    expect(d).toEqual({ feedback: "fb_1", tenant: "acme", target: `hop:${HOP}`, specialist: "units", label: "units.convert", intentId: INTENT, outcome: "good", inputSha256: await sha256Hex("secret input"), revision: 2, previous: { outcome: "bad", revision: 1, bodyHash: "h" } });
    const d1 = await auditDetail(first, undefined);
    expect(d1).toMatchObject({ score: 0.2, commentSha256: await sha256Hex("call me at 555-0100"), commentChars: 19 });
    expect(JSON.stringify(d1)).not.toContain("555-0100");
    expect(JSON.stringify(d1)).not.toContain("secret input");
  });
});
