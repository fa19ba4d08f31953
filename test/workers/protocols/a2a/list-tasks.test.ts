import { beforeAll, describe, expect, it } from "vitest";
import { sha256Hex } from "../../../../worker/intent/record.ts";
import { callWith } from "../../helpers.ts";

type Rpc = { jsonrpc: "2.0"; id: string | number | null; result?: any; error?: { code: number; message: string; data?: any } };

const LISTER_KEY = "a2a-lister-key";
let API_KEYS = "";
let seq = 0;

/** One JSON-RPC call to POST /a2a as the dev key's tenant, or as the `lister` tenant. */
async function rpc(method: string, params: unknown, as: "dev" | "lister" = "dev"): Promise<Rpc> {
  const headers: Record<string, string> = as === "lister" ? { authorization: `Bearer ${LISTER_KEY}` } : {};
  const res = await callWith({ API_KEYS }, "/a2a", { json: { jsonrpc: "2.0", id: ++seq, method, params }, headers });
  expect(res.headers.get("content-type")).toMatch(/^application\/json/);
  return (await res.json()) as Rpc;
}

const msg = (text: string, contextId: string, extra: Record<string, unknown> = {}) => ({ message: { messageId: `m-${crypto.randomUUID()}`, role: "ROLE_USER", contextId, parts: [{ text }] }, ...extra });
// a step whose call is in flight until the task is cancelled
const slowPlan = { switchyard: { plan: { steps: [{ id: "slow", specialist: "fault-held-effect", input: "x {{input}}" }] } } };

const ctxA = `ctx-a-${crypto.randomUUID()}`;
const ctxB = `ctx-b-${crypto.randomUUID()}`;
/** The lister tenant's tasks, oldest first: two in context A, one in context B, all completed. */
const listed: string[] = [];

beforeAll(async () => {
  API_KEYS = JSON.stringify({ [await sha256Hex(LISTER_KEY)]: "lister" });
  for (const [text, ctx] of [
    ["convert 1 km to miles, then what is the result times 2", ctxA],
    ["convert 2 km to miles, then what is the result times 2", ctxB],
    ["convert 3 km to miles, then what is the result times 2", ctxA],
  ] as const) {
    const r = await rpc("SendMessage", msg(text, ctx), "lister");
    expect(r.result.task.status.state).toBe("TASK_STATE_COMPLETED");
    listed.push(r.result.task.id);
  }
});

describe("ListTasks (A2A 1.0)", () => {
  it("lists the caller's tasks, most recently updated first, without artifacts unless asked", async () => {
    const all = (await rpc("ListTasks", {}, "lister")).result;
    expect(all).toMatchObject({ totalSize: 3, pageSize: 50, nextPageToken: "" });
    expect(all.tasks.map((t: { id: string }) => t.id).sort()).toEqual([...listed].sort());
    const stamps = all.tasks.map((t: { status: { timestamp: string } }) => t.status.timestamp);
    expect(stamps).toEqual([...stamps].sort().reverse());
    for (const t of all.tasks) {
      expect(t).toMatchObject({ status: { state: "TASK_STATE_COMPLETED" }, metadata: { switchyard: expect.any(Object) } });
      expect(t).not.toHaveProperty("artifacts");
    }
    const withArtifacts = (await rpc("ListTasks", { includeArtifacts: true }, "lister")).result;
    for (const t of withArtifacts.tasks) expect(t.artifacts[0]).toMatchObject({ artifactId: "result", parts: [{ text: expect.any(String) }, { data: expect.any(Object) }] });
  });

  it("filters by contextId, status and statusTimestampAfter, alone and combined", async () => {
    const ids = (r: Rpc) => r.result.tasks.map((t: { id: string }) => t.id).sort();
    const inA = await rpc("ListTasks", { contextId: ctxA }, "lister");
    expect(ids(inA)).toEqual([listed[0], listed[2]].sort());
    expect(inA.result.totalSize).toBe(2);
    expect(inA.result.tasks.every((t: { contextId: string }) => t.contextId === ctxA)).toBe(true);
    expect(ids(await rpc("ListTasks", { contextId: ctxB, status: "TASK_STATE_COMPLETED" }, "lister"))).toEqual([listed[1]]);
    expect((await rpc("ListTasks", { contextId: ctxA, status: "TASK_STATE_WORKING" }, "lister")).result).toMatchObject({ tasks: [], totalSize: 0, nextPageToken: "" });
    // a task without a contextId lists under its id (the contextId GetTask shows)
    expect((await rpc("ListTasks", { contextId: listed[0] }, "lister")).result.totalSize).toBe(0);
    expect((await rpc("ListTasks", { status: "TASK_STATE_UNSPECIFIED" }, "lister")).result.totalSize).toBe(3);
    expect((await rpc("ListTasks", { statusTimestampAfter: "2000-01-01T00:00:00Z" }, "lister")).result.totalSize).toBe(3);
    expect((await rpc("ListTasks", { statusTimestampAfter: "2999-01-01T00:00:00.000+02:00" }, "lister")).result).toMatchObject({ tasks: [], totalSize: 0 });
  });

  it("pages with pageSize and pageToken, each task once, the last page with an empty token", async () => {
    const seen: string[] = [];
    let pageToken = "";
    for (let page = 0; page < 5; page++) {
      const r = (await rpc("ListTasks", { pageSize: 2, ...(pageToken ? { pageToken } : {}) }, "lister")).result;
      expect(r).toMatchObject({ pageSize: 2, totalSize: 3 });
      seen.push(...r.tasks.map((t: { id: string }) => t.id));
      pageToken = r.nextPageToken;
      if (!pageToken) break;
    }
    expect(seen).toHaveLength(3);
    expect([...seen].sort()).toEqual([...listed].sort());
    // filters apply to every page
    const first = (await rpc("ListTasks", { pageSize: 1, contextId: ctxA }, "lister")).result;
    expect(first.tasks).toHaveLength(1);
    const second = (await rpc("ListTasks", { pageSize: 1, contextId: ctxA, pageToken: first.nextPageToken }, "lister")).result;
    expect(second.tasks).toHaveLength(1);
    expect(second.nextPageToken).toBe("");
    expect([first.tasks[0].id, second.tasks[0].id].sort()).toEqual([listed[0], listed[2]].sort());
  });

  it("is tenant-scoped: a tenant never sees another tenant's tasks, even by their contextId", async () => {
    const mine = await rpc("SendMessage", msg("slow work", ctxA, { metadata: slowPlan, configuration: { returnImmediately: true } }));
    const id = mine.result.task.id;
    const dev = (await rpc("ListTasks", { contextId: ctxA })).result;
    expect(dev.tasks.map((t: { id: string }) => t.id)).toEqual([id]);
    expect(dev.tasks[0].status.state).toBe("TASK_STATE_WORKING");
    expect((await rpc("ListTasks", { contextId: ctxA }, "lister")).result.tasks.map((t: { id: string }) => t.id)).not.toContain(id);
    const all = (await rpc("ListTasks", { pageSize: 100 })).result;
    for (const other of listed) expect(all.tasks.map((t: { id: string }) => t.id)).not.toContain(other);
    expect((await rpc("GetTask", { id: listed[0] })).error).toMatchObject({ code: -32001 });
    expect((await rpc("CancelTask", { id })).result.status.state).toBe("TASK_STATE_CANCELED");
  });

  it("rejects unknown or invalid params with -32602 and the bad path as a field violation", async () => {
    for (const [params, path] of [
      [{ pageSize: 0 }, "pageSize"],
      [{ pageSize: -1 }, "pageSize"],
      [{ pageSize: 101 }, "pageSize"],
      [{ pageSize: 2.5 }, "pageSize"],
      [{ pageSize: "10" }, "pageSize"],
      [{ status: "TASK_STATE_BOGUS" }, "status"],
      [{ status: "completed" }, "status"],
      [{ pageToken: "not-a-token" }, "pageToken"],
      [{ pageToken: btoa(JSON.stringify(["2026-01-01T00:00:00Z", "../x"])) }, "pageToken"],
      [{ historyLength: -1 }, "historyLength"],
      [{ statusTimestampAfter: "yesterday" }, "statusTimestampAfter"],
      [{ statusTimestampAfter: "2026-01-01T00:00:00" }, "statusTimestampAfter"],
      [{ includeArtifacts: "yes" }, "includeArtifacts"],
      [{ lastUpdatedAfter: 5 }, ""],
    ] as const) {
      const r = await rpc("ListTasks", params);
      expect(r.error, JSON.stringify(params)).toMatchObject({ code: -32602, data: [{ "@type": "type.googleapis.com/google.rpc.BadRequest", fieldViolations: [expect.objectContaining({ field: path })] }] });
    }
    // 0.3 has no JSON-RPC binding for listing tasks
    expect((await rpc("tasks/list", {})).error).toMatchObject({ code: -32601 });
  });
});

describe("CancelTask is idempotent", () => {
  it("cancelling a cancelled task answers the task again (1.x and 0.3); a completed task is -32002", async () => {
    const started = await rpc("SendMessage", msg("slow work", ctxB, { metadata: slowPlan, configuration: { returnImmediately: true } }));
    const id = started.result.task.id;
    const first = await rpc("CancelTask", { id });
    expect(first.result).toMatchObject({ id, status: { state: "TASK_STATE_CANCELED" } });
    const second = await rpc("CancelTask", { id });
    expect(second.error).toBeUndefined();
    expect(second.result).toMatchObject({ id, contextId: ctxB, status: { state: "TASK_STATE_CANCELED", timestamp: first.result.status.timestamp } });
    expect((await rpc("tasks/cancel", { id })).result).toMatchObject({ kind: "task", id, status: { state: "canceled" } });
    const done = await rpc("CancelTask", { id: listed[1] }, "lister");
    expect(done.error).toMatchObject({ code: -32002, message: expect.stringMatching(/TASK_STATE_COMPLETED|completed/), data: [{ reason: "TASK_NOT_CANCELABLE", metadata: { state: "completed" } }] });
    expect((await rpc("CancelTask", { id: listed[1] })).error, "another tenant's task").toMatchObject({ code: -32001 });
  });
});
