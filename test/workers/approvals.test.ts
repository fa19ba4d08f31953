import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { controlStub } from "../../worker/control.ts";
import type { Env } from "../../worker/env.ts";
import { sha256Hex } from "../../worker/intent/record.ts";
import { call, callWith, configWith, problem } from "./helpers.ts";
import { expireGate, parseSse, taskStub, waitForStored, type Task } from "./task-helpers.ts";

/**
 * The approvals inbox (issue 14, "the human-attention pool"): every open approval gate
 * of a tenant's tasks, soonest-expiring first, assignable to reviewers who may each
 * hold only so many; deciding from it is deciding on the task. Each test has tenants
 * of its own, so its inbox holds only its tasks.
 */

type Approval = { taskId: string; goal: string; step: string; reason: string; requestedAt: string; expiresAt: string; assignee: string | null; assignedBy: string | null; assignedAt: string | null; links: Record<string, string> };

/** Fresh tenants (keys in `API_KEYS`), calling the router as each of them, with optional other bindings. */
async function tenants<const N extends string>(names: N[], overrides: Partial<Env> = {}) {
  const run = crypto.randomUUID().slice(0, 8);
  const keys = Object.fromEntries(names.map((n) => [n, `key-inbox-${run}-${n}`])) as Record<N, string>;
  const API_KEYS = JSON.stringify(Object.fromEntries(await Promise.all(names.map(async (n) => [await sha256Hex(keys[n]), `inbox-${run}-${n}`]))));
  const as = (n: N) => {
    const send = (path: string, init: RequestInit & { json?: unknown } = {}) =>
      callWith({ API_KEYS, ...overrides }, path, { ...init, headers: { ...(init.headers as Record<string, string> | undefined), authorization: `Bearer ${keys[n]}` } });
    return {
      name: `inbox-${run}-${n}`,
      send,
      /** Submits a task with one gated step (its gate open for `ttl` seconds). */
      async gated(goal: string, ttl = 3600, plan: unknown = { steps: [{ id: "pay", specialist: "fault-ok", requireApproval: true }] }): Promise<string> {
        const res = await send("/v1/tasks", { json: { goal, approvalTtlSeconds: ttl, plan } });
        expect(res.status).toBe(202);
        return ((await res.json()) as { id: string }).id;
      },
      async inbox(query = ""): Promise<Approval[]> {
        const res = await send(`/v1/approvals${query}`);
        expect(res.status).toBe(200);
        return ((await res.json()) as { approvals: Approval[] }).approvals;
      },
      async task(id: string): Promise<Task> {
        return (await (await send(`/v1/tasks/${id}`)).json()) as Task;
      },
    };
  };
  return as;
}

const ids = (list: Approval[]) => list.map((a) => a.taskId);
const decision = { by: "alice", reason: "looks fine" };

describe("the approvals inbox lists", () => {
  it("a tenant's open approvals, soonest-expiring first, with what each waits on and where to decide it", { timeout: 30_000 }, async () => {
    const t = (await tenants(["a"]))("a");
    const late = await t.gated("pay the late invoice", 3000);
    const soon = await t.gated("pay the <b>urgent</b> invoice", 1000);
    const middle = await t.gated("pay the middle invoice", 2000);
    const ungated = await t.send("/v1/tasks", { json: { goal: "no gate", plan: { steps: [{ id: "x", specialist: "fault-ok" }] } } });
    await expect.poll(async () => ids(await t.inbox()), { timeout: 15_000 }).toEqual([soon, middle, late]);
    const list = await t.inbox();
    expect(list.map((a) => Date.parse(a.expiresAt))).toEqual([...list.map((a) => Date.parse(a.expiresAt))].sort((x, y) => x - y));
    expect(list[0]).toMatchObject({
      taskId: soon,
      goal: "pay the <b>urgent</b> invoice",
      step: "pay",
      reason: "step 'pay' requires approval",
      assignee: null,
      assignedBy: null,
      links: { task: `/v1/tasks/${soon}`, approve: `/v1/approvals/${soon}/approve`, reject: `/v1/approvals/${soon}/reject`, assign: `/v1/approvals/${soon}/assign`, dashboard: `/ui/tasks/${soon}` },
    });
    // the gate's own expiry, as the task shows it
    const task = await t.task(soon);
    expect(Date.parse(list[0]!.expiresAt)).toBe((task as unknown as { awaiting: { expiresAt: number } }).awaiting.expiresAt);
    expect(Date.parse(list[0]!.requestedAt)).toBeLessThan(Date.parse(list[0]!.expiresAt));
    expect(ids(list)).not.toContain(((await ungated.json()) as { id: string }).id);
    expect(ids(await t.inbox("?limit=2"))).toEqual([soon, middle]);
  });
});

describe("tenants", () => {
  it("see only their own approvals: another tenant can neither list, assign, approve nor reject them", { timeout: 30_000 }, async () => {
    const as = await tenants(["a", "b"]);
    const [a, b] = [as("a"), as("b")];
    const id = await a.gated("tenant a's payment");
    await expect.poll(async () => ids(await a.inbox()), { timeout: 15_000 }).toEqual([id]);
    expect(await b.inbox()).toEqual([]);
    const tries = [
      await b.send(`/v1/approvals/${id}/assign`, { json: { reviewer: "mallory" } }),
      await b.send(`/v1/approvals/${id}/approve`, { json: decision }),
      await b.send(`/v1/approvals/${id}/reject`, { json: decision }),
    ];
    for (const res of tries) expect((await problem(res)).status).toBe(404);
    expect((await a.task(id)).status).toBe("awaiting_approval");
    expect(await a.inbox()).toEqual([expect.objectContaining({ taskId: id, assignee: null })]);
  });
});

describe("assignment", () => {
  it("assigns, filters by reviewer or unassigned, unassigns, and audits each change in the control plane", { timeout: 30_000 }, async () => {
    const t = (await tenants(["a"]))("a");
    const first = await t.gated("first", 1000);
    const second = await t.gated("second", 2000);
    await expect.poll(async () => ids(await t.inbox()), { timeout: 15_000 }).toEqual([first, second]);

    const res = await t.send(`/v1/approvals/${first}/assign`, { json: { reviewer: "alice", by: "lead" } });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ taskId: first, assignee: "alice", assignedBy: `tenant:${t.name} as "lead"`, assignedAt: expect.any(String) });
    expect(ids(await t.inbox("?assignee=alice"))).toEqual([first]);
    expect(ids(await t.inbox("?unassigned=true"))).toEqual([second]);
    expect(ids(await t.inbox("?assignee=bob"))).toEqual([]);
    expect(ids(await t.inbox())).toEqual([first, second]); // still ordered by expiry, assigned or not

    const moved = await t.send(`/v1/approvals/${first}/assign`, { json: { reviewer: "bob" } });
    expect(await moved.json()).toMatchObject({ assignee: "bob", assignedBy: `tenant:${t.name}` });
    const un = await t.send(`/v1/approvals/${first}/assign`, { json: { reviewer: null } });
    expect(un.status).toBe(200);
    expect(await un.json()).toMatchObject({ assignee: null, assignedBy: null, assignedAt: null });
    expect(ids(await t.inbox("?unassigned=true"))).toEqual([first, second]);

    const control = (await (await call("/v1/admin/control", { headers: { authorization: "Bearer dev-admin-key" } })).json()) as {
      audit: { entries: { actor: string; action: string; detail: Record<string, unknown> }[]; verification: { ok: boolean } };
    };
    const mine = control.audit.entries.filter((e) => e.detail.task === first);
    expect(mine.map((e) => [e.actor, e.action, e.detail.reviewer, e.detail.previous])).toEqual([
      [`tenant:${t.name} as "lead"`, "approval.assigned", "alice", null],
      [`tenant:${t.name}`, "approval.assigned", "bob", "alice"],
      [`tenant:${t.name}`, "approval.unassigned", null, "bob"],
    ]);
    expect(mine.every((e) => e.detail.tenant === t.name && e.detail.step === "pay")).toBe(true);
    expect(control.audit.verification.ok).toBe(true);
  });

  it("a task's next gate starts unassigned", { timeout: 30_000 }, async () => {
    const t = (await tenants(["a"]))("a");
    const id = await t.gated("two gates", 3600, { steps: [{ id: "one", specialist: "fault-ok", requireApproval: true }, { id: "two", specialist: "fault-ok", requireApproval: true, dependsOn: ["one"] }] });
    await expect.poll(async () => ids(await t.inbox()), { timeout: 15_000 }).toEqual([id]);
    expect((await t.send(`/v1/approvals/${id}/assign`, { json: { reviewer: "alice" } })).status).toBe(200);
    expect((await t.send(`/v1/approvals/${id}/approve`, { json: decision })).status).toBe(200);
    await expect.poll(async () => (await t.inbox()).map((a) => [a.step, a.assignee]), { timeout: 15_000 }).toEqual([["two", null]]);
  });

  it("caps the open approvals one reviewer holds: one more is a 409 naming the cap, and changes nothing", { timeout: 30_000 }, async () => {
    const as = await tenants(["a", "b"], { SWITCHYARD_CONFIG: configWith((c) => void (c.tasks = { ...c.tasks, maxOpenApprovalsPerReviewer: 2 })) });
    const [t, other] = [as("a"), as("b")];
    const tasks = [await t.gated("one", 1000), await t.gated("two", 2000), await t.gated("three", 3000)];
    await expect.poll(async () => ids(await t.inbox()), { timeout: 15_000 }).toEqual(tasks);
    const [one, two, three] = tasks as [string, string, string];
    const assign = (id: string, reviewer: string | null, as_ = t) => as_.send(`/v1/approvals/${id}/assign`, { json: { reviewer } });
    expect((await assign(one, "alice")).status).toBe(200);
    expect((await assign(two, "alice")).status).toBe(200);
    // the same reviewer however her name is written: case, spaces, compatibility forms; invisible characters are refused
    for (const alias of ["Alice", " alice ", "ＡＬＩＣＥ"]) expect((await assign(three, alias)).status, alias).toBe(409);
    for (const bad of ["alice\u200b", "al\u0000ice"]) expect((await assign(three, bad)).status, JSON.stringify(bad)).toBe(400);
    const over = await assign(three, "alice");
    expect(over.status).toBe(409);
    const p = await problem(over);
    expect(p).toMatchObject({ type: "urn:switchyard:problem:reviewer-at-capacity", reviewer: "alice", held: 2, cap: 2 });
    expect(p.detail).toContain("tasks.maxOpenApprovalsPerReviewer = 2");
    expect((await t.inbox()).map((a) => a.assignee)).toEqual(["alice", "alice", null]);
    expect((await (await t.send("/v1/approvals")).json()) as { maxOpenPerReviewer: number }).toMatchObject({ maxOpenPerReviewer: 2 });

    expect((await assign(two, "alice")).status).toBe(200); // she holds it already: no change, not refused
    expect((await assign(three, "bob")).status).toBe(200); // another reviewer has room
    // the cap counts one tenant's approvals: another tenant's alice has her own
    const theirs = await other.gated("theirs");
    await expect.poll(async () => ids(await other.inbox()), { timeout: 15_000 }).toEqual([theirs]);
    expect((await assign(theirs, "alice", other)).status).toBe(200);
    // an approval that leaves the inbox frees its place
    expect((await t.send(`/v1/approvals/${one}/approve`, { json: decision })).status).toBe(200);
    await expect.poll(async () => ids(await t.inbox()), { timeout: 15_000 }).toEqual([two, three]);
    expect((await assign(three, "alice")).status).toBe(200);
    expect((await t.inbox("?assignee=alice")).map((a) => a.taskId)).toEqual([two, three]);
    expect((await t.inbox("?assignee=%20Alice")).map((a) => a.taskId)).toEqual([two, three]);
  });
});

/** What must be the same whichever door approved or rejected a task: its state, its events and its audit chain, with ids and times left out. */
async function outcome(t: { send: (path: string) => Promise<Response>; task: (id: string) => Promise<Task> }, id: string) {
  const task = await t.task(id);
  const events = parseSse(await (await t.send(`/v1/tasks/${id}/events`)).text());
  const audit = (await (await t.send(`/v1/tasks/${id}/audit`)).json()) as { entries: { actor: string; action: string; detail: Record<string, unknown> }[]; verification: { ok: boolean } };
  // each task has its own id and trace; nothing else may differ
  const scrub = (v: unknown) => JSON.parse(JSON.stringify(v ?? null).replaceAll(id, "<task>").replace(/00-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}/g, "<traceparent>"));
  return {
    status: task.status,
    error: task.error,
    result: scrub(task.result),
    steps: task.steps.map((s) => [s.id, s.status, s.attempts, (s as { approved?: boolean }).approved ?? false, scrub(s.output)]),
    events: events.map((e) => [e.event, e.event === "task.approved" || e.event === "task.rejected" ? { ...e.data, at: undefined } : undefined]),
    audit: audit.entries.map((e) => [e.actor, e.action, e.action.startsWith("approval.") ? { ...e.detail, expiresAt: undefined } : undefined]),
    verifies: audit.verification.ok,
  };
}

describe("deciding from the inbox", () => {
  const plan = { steps: [{ id: "prep", specialist: "fault-ok", input: "prep" }, { id: "pay", specialist: "fault-ok", requireApproval: true, dependsOn: ["prep"], input: "pay" }] };

  for (const action of ["approve", "reject"] as const)
    it(`${action} from the inbox is ${action} on the task: the same answer, state, events and audit entries`, { timeout: 30_000 }, async () => {
      const t = (await tenants(["a"]))("a");
      const onPage = await t.gated("same either way", 3600, plan);
      const inInbox = await t.gated("same either way", 3600, plan);
      await expect.poll(async () => ids(await t.inbox()).sort(), { timeout: 15_000 }).toEqual([onPage, inInbox].sort());
      const a = await t.send(`/v1/tasks/${onPage}/${action}`, { json: decision });
      const b = await t.send(`/v1/approvals/${inInbox}/${action}`, { json: decision });
      expect([a.status, b.status]).toEqual([200, 200]);
      const [ja, jb] = (await Promise.all([a.json(), b.json()])) as [Task, Task];
      expect(jb.status).toBe(ja.status);
      expect(Object.keys(jb.links)).toEqual(Object.keys(ja.links));
      expect(jb.links.self).toBe(`/v1/tasks/${inInbox}`);
      const end = action === "approve" ? ["succeeded", "failed"] : ["rejected"];
      await waitForStored(onPage, end, t.name);
      await waitForStored(inInbox, end, t.name);
      const [x, y] = [await outcome(t, onPage), await outcome(t, inInbox)];
      expect(y).toEqual(x);
      expect(x.status).toBe(action === "approve" ? "succeeded" : "rejected");
      expect(x.audit.map((e) => e[1])).toContain(action === "approve" ? "approval.granted" : "task.rejected");
      expect(x.audit).toContainEqual([`tenant:${t.name} as "alice"`, action === "approve" ? "approval.granted" : "task.rejected", action === "approve" ? { step: "pay", reason: "looks fine", gate: "step 'pay' requires approval", expiresAt: undefined } : undefined]);
      await expect.poll(async () => ids(await t.inbox()), { timeout: 15_000 }).toEqual([]);
      // decided once: again is a 409 from both doors
      expect((await problem(await t.send(`/v1/approvals/${inInbox}/${action}`, { json: decision }))).status).toBe(409);
      expect((await problem(await t.send(`/v1/tasks/${inInbox}/${action}`, { json: decision }))).status).toBe(409);
    });
});

describe("approvals leave the inbox", () => {
  it("when their task is cancelled, or their gate expires (the task rejects itself)", { timeout: 30_000 }, async () => {
    const t = (await tenants(["a"]))("a");
    const cancelled = await t.gated("to cancel");
    const expiring = await t.gated("to expire");
    const staying = await t.gated("to stay", 7200);
    await expect.poll(async () => ids(await t.inbox()), { timeout: 15_000 }).toEqual([cancelled, expiring, staying]);
    expect((await t.send(`/v1/tasks/${cancelled}/cancel`, { json: { reason: "not needed" } })).status).toBe(200);
    await expect.poll(async () => ids(await t.inbox()), { timeout: 15_000 }).toEqual([expiring, staying]);
    await expireGate(expiring);
    await expect.poll(async () => (await runDurableObjectAlarm(taskStub(expiring)), (await t.task(expiring)).status), { timeout: 15_000 }).toBe("rejected");
    await expect.poll(async () => ids(await t.inbox()), { timeout: 15_000 }).toEqual([staying]);
  });

  it("once past their expiry, even before the task has rejected itself: not listed, not assignable", { timeout: 30_000 }, async () => {
    const t = (await tenants(["a"]))("a");
    const id = await t.gated("expired in the inbox first");
    await expect.poll(async () => ids(await t.inbox()), { timeout: 15_000 }).toEqual([id]);
    // the inbox's row says it expired; the task has not looked at its clock yet
    await runInDurableObject(controlStub(env as unknown as Env)!, (_o, state: DurableObjectState) => void state.storage.sql.exec("UPDATE approvals SET expires_at = ? WHERE task_id = ?", Date.now() - 1, id));
    expect(await t.inbox()).toEqual([]);
    expect((await problem(await t.send(`/v1/approvals/${id}/assign`, { json: { reviewer: "alice" } }))).status).toBe(404);
    expect((await t.task(id)).status).toBe("awaiting_approval");
  });

  it("a row whose task no longer waits (its report lost) goes when someone acts on it", { timeout: 30_000 }, async () => {
    const t = (await tenants(["a"]))("a");
    const id = await t.gated("report lost");
    await expect.poll(async () => ids(await t.inbox()), { timeout: 15_000 }).toEqual([id]);
    expect((await t.send(`/v1/tasks/${id}/reject`, { json: decision })).status).toBe(200);
    await expect.poll(async () => ids(await t.inbox()), { timeout: 15_000 }).toEqual([]);
    // put the row back, as if the task's report of the rejection had never arrived
    const control = controlStub(env as unknown as Env)!;
    await control.taskChanged(id, "awaiting_approval", { tenant: t.name, goal: "report lost", step: "pay", reason: "stale", requestedAt: new Date().toISOString(), expiresAt: Date.now() + 3_600_000 });
    expect(ids(await t.inbox())).toEqual([id]);
    expect((await problem(await t.send(`/v1/approvals/${id}/assign`, { json: { reviewer: "alice" } }))).status).toBe(404);
    expect(ids(await t.inbox())).toEqual([]);
    await control.taskChanged(id, "awaiting_approval", { tenant: t.name, goal: "report lost", step: "pay", reason: "stale", requestedAt: new Date().toISOString(), expiresAt: Date.now() + 3_600_000 });
    expect((await problem(await t.send(`/v1/approvals/${id}/approve`, { json: decision }))).status).toBe(409);
    expect(ids(await t.inbox())).toEqual([]);
    await control.taskChanged(id, "rejected", null); // the index back as the task has it
  });
});

describe("bad input", () => {
  it("is a 4xx problem, never a 500, and changes nothing", { timeout: 30_000 }, async () => {
    const t = (await tenants(["a"]))("a");
    const id = await t.gated("bad input");
    await expect.poll(async () => ids(await t.inbox()), { timeout: 15_000 }).toEqual([id]);
    const unknown = `task_${"0".repeat(32)}`;
    const cases: [string, Promise<Response>, number][] = [
      ["empty assignee", t.send("/v1/approvals?assignee="), 400],
      ["blank assignee", t.send("/v1/approvals?assignee=%20%20"), 400],
      ["unassigned=yes", t.send("/v1/approvals?unassigned=yes"), 400],
      ["assignee and unassigned", t.send("/v1/approvals?assignee=alice&unassigned=true"), 400],
      ["limit 0", t.send("/v1/approvals?limit=0"), 400],
      ["limit x", t.send("/v1/approvals?limit=x"), 400],
      ["malformed task id", t.send("/v1/approvals/task_nope/assign", { json: { reviewer: "alice" } }), 400],
      ["no reviewer", t.send(`/v1/approvals/${id}/assign`, { json: {} }), 400],
      ["blank reviewer", t.send(`/v1/approvals/${id}/assign`, { json: { reviewer: "   " } }), 400],
      ["long reviewer", t.send(`/v1/approvals/${id}/assign`, { json: { reviewer: "r".repeat(201) } }), 400],
      ["numeric reviewer", t.send(`/v1/approvals/${id}/assign`, { json: { reviewer: 7 } }), 400],
      ["unknown member", t.send(`/v1/approvals/${id}/assign`, { json: { reviewer: "alice", role: "boss" } }), 400],
      ["not JSON", t.send(`/v1/approvals/${id}/assign`, { method: "POST", body: "reviewer=alice", headers: { "content-type": "application/json" } }), 400],
      ["array body", t.send(`/v1/approvals/${id}/assign`, { json: ["alice"] }), 400],
      ["approve without a reason", t.send(`/v1/approvals/${id}/approve`, { json: { by: "alice" } }), 400],
      ["reject with an empty reason", t.send(`/v1/approvals/${id}/reject`, { json: { by: "alice", reason: "" } }), 400],
      ["unknown task: assign", t.send(`/v1/approvals/${unknown}/assign`, { json: { reviewer: "alice" } }), 404],
      ["unknown task: approve", t.send(`/v1/approvals/${unknown}/approve`, { json: decision }), 404],
      ["GET assign", t.send(`/v1/approvals/${id}/assign`), 405],
      ["no key", callWith({}, "/v1/approvals", { headers: { authorization: "Bearer nobody" } }), 401],
    ];
    for (const [what, pending, status] of cases) {
      const res = await pending;
      expect(res.status, what).toBe(status);
      expect((await problem(res)).status, what).toBe(status);
    }
    expect((await t.task(id)).status).toBe("awaiting_approval");
    expect(await t.inbox()).toEqual([expect.objectContaining({ taskId: id, assignee: null })]);
    // a task that is not waiting for approval has no approval to assign
    const done = await t.send("/v1/tasks", { json: { goal: "done", plan: { steps: [{ id: "x", specialist: "fault-ok" }] } } });
    const doneId = ((await done.json()) as { id: string }).id;
    await waitForStored(doneId, ["succeeded"], t.name);
    expect((await problem(await t.send(`/v1/approvals/${doneId}/assign`, { json: { reviewer: "alice" } }))).status).toBe(404);
  });
});
