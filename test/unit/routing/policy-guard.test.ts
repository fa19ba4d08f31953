import { describe, expect, it } from "vitest";
import { loadConfig } from "../../../worker/config/load.ts";
import type { Specialist } from "../../../worker/config/schema.ts";
import { PolicySet, type PolicyDecision, type PolicyRule } from "../../../worker/policy/policy.ts";
import { callLabels, policyGuard, type GuardContext } from "../../../worker/routing/policy-guard.ts";
import type { DispatchDeps } from "../../../worker/routing/dispatch.ts";

const config = loadConfig({
  specialists: [
    { id: "pay", costPerCall: 0.25, endpoint: { type: "http", url: "https://pay.example/" }, intents: [{ label: "payments.refund", examples: ["refund my order"] }, { label: "payments.charge", examples: ["charge the card"] }] },
    { id: "capped", costPerCall: 0.1, limits: { maxCallCostUsd: 0.5 }, endpoint: { type: "http", url: "https://capped.example/" } },
  ],
});
const pay = config.specialists.find((s) => s.id === "pay")!;
const capped = config.specialists.find((s) => s.id === "capped")!;

type Admit = NonNullable<DispatchDeps["admit"]>;
type Admitted = Awaited<ReturnType<Admit>>;

/** An admit that records who it admitted and answers as told. */
function admitting(answer: Admitted = { ok: true, done: () => {} }) {
  const admitted: string[] = [];
  const admit: Admit = async (s, attempt) => {
    admitted.push(`${s.id}#${attempt}`);
    return answer;
  };
  return { admitted, admit };
}

const ctx = (over: Partial<GuardContext> = {}): GuardContext => ({ tenant: "acme", intents: ["chat"], inputChars: 12, ...over });
const rules = (...r: unknown[]) => new PolicySet(r.map((x) => x as PolicyRule));

describe("callLabels", () => {
  it("keeps the hop's labels first, then adds each label the specialist declares once", () => {
    expect(callLabels(["chat"], pay)).toEqual(["chat", "payments.refund", "payments.charge"]);
    expect(callLabels(["payments.charge"], pay)).toEqual(["payments.charge", "payments.refund"]);
    expect(callLabels([], { intents: [] })).toEqual([]);
  });
});

describe("policyGuard", () => {
  it("evaluates what the call is: tenant, specialist, every label, input size and cost", async () => {
    const seen: unknown[] = [];
    const policy = { evaluate: (c: unknown) => (seen.push(c), { effect: "allow", rule: null, reason: "allowed", limits: {} }) } as unknown as PolicySet;
    const { admit } = admitting();
    await policyGuard(policy, ctx({ inputChars: 40 }), admit, new Map())(pay, 0);
    expect(seen).toEqual([{ tenant: "acme", intents: ["chat", "payments.refund", "payments.charge"], specialist: "pay", inputChars: 40, costUsd: 0.25 }]);
  });

  it("admits an allowed call and records the decision by specialist", async () => {
    const decisions = new Map<string, PolicyDecision>();
    const { admitted, admit } = admitting();
    const r = await policyGuard(rules(), ctx(), admit, decisions)(pay, 2);
    expect(r.ok).toBe(true);
    expect(admitted).toEqual(["pay#2"]);
    expect(decisions.get("pay")).toMatchObject({ effect: "allow", rule: null });
  });

  it("denies by a label the specialist declares, even when the hop was classified as something else", async () => {
    const decisions = new Map<string, PolicyDecision>();
    const { admitted, admit } = admitting();
    const r = await policyGuard(rules({ id: "no-refunds", match: { intent: "payments.refund" }, effect: "deny", reason: "closed" }), ctx(), admit, decisions)(pay, 0);
    expect(r).toEqual({ ok: false, failure: { kind: "policy_denied", detail: "denied by policy 'no-refunds': closed" } });
    expect(admitted).toEqual([]);
    expect(decisions.get("pay")?.rule).toBe("no-refunds");
  });

  it("holds a call that needs approval unless a human approved it", async () => {
    const policy = rules({ id: "ask", match: { specialist: "pay" }, require: "approval" });
    const held = admitting();
    expect(await policyGuard(policy, ctx(), held.admit, new Map())(pay, 0)).toEqual({ ok: false, failure: { kind: "approval_required", detail: "requires approval by policy 'ask'" } });
    expect(held.admitted).toEqual([]);
    const approved = admitting();
    expect((await policyGuard(policy, ctx({ approved: true }), approved.admit, new Map())(pay, 0)).ok).toBe(true);
    expect(approved.admitted).toEqual(["pay#0"]);
  });

  it("reserves a task's hop and the call's cost ceiling before the call, within the policy's limits", async () => {
    const policy = rules({ match: {}, limits: { maxHopsPerTask: 3, maxCostPerTaskUsd: 1 } });
    const task = { hops: 1, costUsd: 0.25 };
    const { admitted, admit } = admitting();
    const guard = policyGuard(policy, ctx({ task }), admit, new Map());
    expect((await guard(pay, 0)).ok).toBe(true);
    expect(task).toEqual({ hops: 2, costUsd: 0.5 });
    // the ceiling is maxCallCostUsd when set (0.5), not costPerCall (0.1)
    expect((await guard(capped, 0)).ok).toBe(true);
    expect(task).toEqual({ hops: 3, costUsd: 1 });
    expect(await guard(pay, 1)).toEqual({ ok: false, failure: { kind: "policy_denied", detail: "the task would exceed 3 hops (policy limits)" } });
    expect(task).toEqual({ hops: 3, costUsd: 1 });
    expect(admitted).toEqual(["pay#0", "capped#0"]);
  });

  it("refuses a call whose ceiling would take the task over its cost limit", async () => {
    const task = { hops: 0, costUsd: 0.8 };
    const { admitted, admit } = admitting();
    const r = await policyGuard(rules({ match: {}, limits: { maxCostPerTaskUsd: 1 } }), ctx({ task }), admit, new Map())(pay, 0);
    expect(r).toEqual({ ok: false, failure: { kind: "policy_denied", detail: "the task would exceed $1 (policy limits)" } });
    expect(task).toEqual({ hops: 0, costUsd: 0.8 });
    expect(admitted).toEqual([]);
  });

  it("gives the reservation back when the pool refuses the call", async () => {
    const task = { hops: 1, costUsd: 0.5 };
    const refused: Admitted = { ok: false, failure: { kind: "rate_limited", detail: "rpm" } };
    const { admitted, admit } = admitting(refused);
    expect(await policyGuard(rules(), ctx({ task }), admit, new Map())(pay, 0)).toBe(refused);
    expect(admitted).toEqual(["pay#0"]);
    expect(task).toEqual({ hops: 1, costUsd: 0.5 });
  });

  it("passes a call with no task straight to admission, whatever the limits", async () => {
    const { admitted, admit } = admitting();
    const r = await policyGuard(rules({ match: {}, limits: { maxHopsPerTask: 1 } }), ctx(), admit, new Map())(pay, 0);
    expect(r.ok).toBe(true);
    expect(admitted).toEqual(["pay#0"]);
  });
});
