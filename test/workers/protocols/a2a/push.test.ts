import { beforeAll, describe, expect, it } from "vitest";
import { sha256Hex } from "../../../../worker/intent/record.ts";
import { call, callWith } from "../../helpers.ts";
import { waitFor } from "../../task-helpers.ts";
import { hook, received, receivedWhen } from "../../webhook-helpers.ts";

type Rpc = { jsonrpc: "2.0"; id: string | number | null; result?: any; error?: { code: number; message: string; data?: any } };

const OTHER_KEY = "a2a-push-other-tenant-key";
let API_KEYS = "";
let seq = 0;

/** One JSON-RPC call to POST /a2a as the dev key's tenant, or as another tenant. */
async function rpc(method: string, params: unknown, as: "dev" | "other" = "dev"): Promise<Rpc> {
  const headers: Record<string, string> = as === "other" ? { authorization: `Bearer ${OTHER_KEY}` } : {};
  const res = await callWith({ API_KEYS }, "/a2a", { json: { jsonrpc: "2.0", id: ++seq, method, params }, headers });
  expect(res.status).toBe(200);
  return (await res.json()) as Rpc;
}

const ok = { switchyard: { mode: "task", plan: { steps: [{ id: "s", specialist: "fault-ok" }] } } };
const gated = { switchyard: { mode: "task", plan: { steps: [{ id: "s", specialist: "policy-approve" }] } } };
const v1msg = (metadata: object, configuration?: object) => ({ message: { messageId: `m-${crypto.randomUUID()}`, role: "ROLE_USER", parts: [{ text: "push me" }], metadata }, ...(configuration ? { configuration } : {}) });
const v03msg = (metadata: object, configuration?: object) => ({ message: { kind: "message", messageId: `m-${crypto.randomUUID()}`, role: "user", parts: [{ kind: "text", text: "push me" }], metadata }, ...(configuration ? { configuration } : {}) });

/** A task of the dev tenant (mode "task": a TaskAgent task whatever SendMessage does by default), answered at once; by default one that stops at an approval gate (no notifications follow). */
async function newTask(metadata: object = gated): Promise<string> {
  const r = await rpc("SendMessage", v1msg(metadata, { returnImmediately: true }));
  expect(r.error).toBeUndefined();
  const id = r.result.task.id as string;
  if (metadata === gated) await waitFor(id, ["awaiting_approval"]);
  return id;
}

const bodies = async (name: string, n: number) => (await receivedWhen(name, (x) => x.accepted >= n)).attempts.map((a) => JSON.parse(a.body) as Record<string, any>);

beforeAll(async () => {
  API_KEYS = JSON.stringify({ [await sha256Hex(OTHER_KEY)]: "other" });
});

/** The paths an invalid-params error names: 1.x's BadRequest field violations (worker/protocols/a2a/errors.ts), 0.3's `errors`. */
function paths(error: { data?: any }): string[] {
  if (Array.isArray(error.data)) return error.data.flatMap((d: { fieldViolations?: { field: string }[] }) => (d.fieldViolations ?? []).map((v) => v.field));
  return (error.data?.errors ?? []).map((e: { path: string }) => e.path);
}

describe("push notification configs (A2A 1.0)", () => {
  it("the card declares pushNotifications", async () => {
    const card = (await (await call("/.well-known/agent-card.json")).json()) as { capabilities: Record<string, boolean> };
    expect(card.capabilities.pushNotifications).toBe(true);
  });

  it("create, get, list and delete, with the server assigning an id; views carry no token or credentials", async () => {
    const taskId = await newTask();
    const auth = { scheme: "Bearer", credentials: "s3cret-credentials" };
    const made = await rpc("CreateTaskPushNotificationConfig", { taskId, id: "mine", url: "https://hooks.example.com/a", token: "tok-1", authentication: auth });
    expect(made.result).toEqual({ id: "mine", taskId, url: "https://hooks.example.com/a", authentication: { scheme: "Bearer" } });
    const assigned = await rpc("CreateTaskPushNotificationConfig", { taskId, url: "https://hooks.example.com/b" });
    expect(assigned.result.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(assigned.result).toEqual({ id: assigned.result.id, taskId, url: "https://hooks.example.com/b" });
    expect((await rpc("GetTaskPushNotificationConfig", { taskId, id: "mine" })).result).toEqual(made.result);
    // protobuf field names are accepted too (ProtoJSON)
    expect((await rpc("GetTaskPushNotificationConfig", { task_id: taskId, id: "mine" })).result).toEqual(made.result);
    const listed = await rpc("ListTaskPushNotificationConfigs", { taskId });
    expect(listed.result).toEqual({ configs: [made.result, assigned.result], nextPageToken: "" });
    for (const r of [made, listed]) expect(JSON.stringify(r)).not.toMatch(/s3cret|tok-1/);
    expect((await rpc("DeleteTaskPushNotificationConfig", { taskId, id: "mine" })).result).toEqual({});
    expect((await rpc("DeleteTaskPushNotificationConfig", { taskId, id: "mine" })).result).toEqual({}); // idempotent
    expect((await rpc("GetTaskPushNotificationConfig", { taskId, id: "mine" })).error).toMatchObject({ code: -32001, message: expect.stringMatching(/not found/i) });
    expect((await rpc("ListTaskPushNotificationConfigs", { task_id: taskId, page_size: 5 })).result.configs).toEqual([assigned.result]);
    // where the task's changes go is audited: set (no token or credentials) and delete, in the task's chain
    const audit = (await (await call(`/v1/tasks/${taskId}/audit`)).json()) as { entries: { action: string; actor: string; detail: Record<string, unknown> }[]; verification: { ok: boolean } };
    const pushes = audit.entries.filter((e) => e.action.startsWith("push.config."));
    expect(pushes.map((e) => [e.action, e.detail.id])).toEqual([["push.config.set", "mine"], ["push.config.set", assigned.result.id], ["push.config.deleted", "mine"]]);
    expect(pushes[0]).toMatchObject({ actor: expect.stringMatching(/over A2A$/), detail: { url: "https://hooks.example.com/a", scheme: "Bearer", token: true } });
    expect(JSON.stringify(audit)).not.toMatch(/s3cret|tok-1/);
  });

  it("the same id again replaces the config; a task holds at most 10", async () => {
    const taskId = await newTask();
    await rpc("CreateTaskPushNotificationConfig", { taskId, id: "c", url: "https://hooks.example.com/old" });
    await rpc("CreateTaskPushNotificationConfig", { taskId, id: "c", url: "https://hooks.example.com/new" });
    expect((await rpc("ListTaskPushNotificationConfigs", { taskId })).result.configs).toEqual([{ id: "c", taskId, url: "https://hooks.example.com/new" }]);
    for (let i = 1; i < 10; i++) expect((await rpc("CreateTaskPushNotificationConfig", { taskId, id: `c${i}`, url: "https://hooks.example.com/x" })).error).toBeUndefined();
    const full = await rpc("CreateTaskPushNotificationConfig", { taskId, id: "c10", url: "https://hooks.example.com/x" });
    expect(full.error).toMatchObject({ code: -32602 });
    expect(paths(full.error!)).toEqual(["taskId"]);
    expect((await rpc("CreateTaskPushNotificationConfig", { taskId, id: "c9", url: "https://hooks.example.com/y" })).error).toBeUndefined(); // a replacement still fits
    expect((await rpc("ListTaskPushNotificationConfigs", { taskId })).result.configs).toHaveLength(10);
  });

  it("-32001 for unknown tasks and unknown config ids; another tenant's task is unknown, and its configs are untouched", async () => {
    for (const [method, params] of [
      ["CreateTaskPushNotificationConfig", { taskId: "nonexistent-task-id", url: "https://hooks.example.com/a" }],
      ["GetTaskPushNotificationConfig", { taskId: `task_${"0".repeat(32)}`, id: "default" }],
      ["ListTaskPushNotificationConfigs", { taskId: "nope" }],
      ["DeleteTaskPushNotificationConfig", { taskId: "nonexistent-task-id", id: "some-config-id" }],
    ] as const)
      expect((await rpc(method, params)).error, method).toMatchObject({ code: -32001, message: expect.stringMatching(/^Task not found/) });
    const taskId = await newTask();
    await rpc("CreateTaskPushNotificationConfig", { taskId, id: "mine", url: "https://hooks.example.com/a" });
    for (const [method, params] of [
      ["CreateTaskPushNotificationConfig", { taskId, id: "theirs", url: "https://hooks.example.com/b" }],
      ["GetTaskPushNotificationConfig", { taskId, id: "mine" }],
      ["ListTaskPushNotificationConfigs", { taskId }],
      ["DeleteTaskPushNotificationConfig", { taskId, id: "mine" }],
      ["tasks/pushNotificationConfig/list", { id: taskId }],
    ] as const)
      expect((await rpc(method, params, "other")).error, method).toMatchObject({ code: -32001 });
    expect((await rpc("ListTaskPushNotificationConfigs", { taskId })).result.configs.map((c: { id: string }) => c.id)).toEqual(["mine"]);
    expect((await rpc("GetTaskPushNotificationConfig", { taskId, id: "no-such-config" })).error).toMatchObject({ code: -32001 });
    expect((await rpc("DeleteTaskPushNotificationConfig", { taskId, id: "no-such-config" })).result).toEqual({});
  });

  it("bad params are -32602 naming each path, and change nothing", async () => {
    const taskId = await newTask();
    const base = { taskId, url: "https://hooks.example.com/a" };
    for (const [method, params, path] of [
      ["CreateTaskPushNotificationConfig", { ...base, url: "not a url" }, "url"],
      ["CreateTaskPushNotificationConfig", { ...base, url: "ftp://hooks.example.com/a" }, "url"],
      ["CreateTaskPushNotificationConfig", { ...base, url: "https://user:pw@hooks.example.com/a" }, "url"],
      ["CreateTaskPushNotificationConfig", { ...base, url: "https://hooks.example.com/ho\r\nok" }, "url"],
      ["CreateTaskPushNotificationConfig", { taskId }, "url"],
      ["CreateTaskPushNotificationConfig", { url: base.url }, "taskId"],
      ["CreateTaskPushNotificationConfig", { ...base, id: "has space" }, "id"],
      ["CreateTaskPushNotificationConfig", { ...base, token: "line\nbreak" }, "token"],
      ["CreateTaskPushNotificationConfig", { ...base, authentication: { scheme: "Bearer" } }, "authentication.credentials"],
      ["CreateTaskPushNotificationConfig", { ...base, authentication: { scheme: "Bea rer", credentials: "x" } }, "authentication.scheme"],
      ["CreateTaskPushNotificationConfig", { ...base, authentication: { schemes: ["Bearer"], credentials: "x" } }, "authentication"],
      ["CreateTaskPushNotificationConfig", { ...base, extra: 1 }, ""],
      ["CreateTaskPushNotificationConfig", { ...base, task_id: taskId }, ""],
      ["GetTaskPushNotificationConfig", { taskId }, "id"],
      ["DeleteTaskPushNotificationConfig", { taskId, id: "" }, "id"],
      ["ListTaskPushNotificationConfigs", { taskId, pageToken: "x" }, "pageToken"],
      ["ListTaskPushNotificationConfigs", { taskId, pageSize: -1 }, "pageSize"],
      ["tasks/pushNotificationConfig/set", { taskId, pushNotificationConfig: { url: base.url, authentication: { schemes: ["Bearer", "Basic"], credentials: "x" } } }, "pushNotificationConfig.authentication.schemes"],
      ["tasks/pushNotificationConfig/set", { taskId, pushNotificationConfig: { url: base.url, authentication: { schemes: ["Bearer"] } } }, "pushNotificationConfig.authentication.credentials"],
      ["tasks/pushNotificationConfig/set", { taskId, url: base.url }, "pushNotificationConfig"],
      ["tasks/pushNotificationConfig/delete", { id: taskId }, "pushNotificationConfigId"],
    ] as const) {
      const r = await rpc(method, params);
      expect(r.error, `${method} ${JSON.stringify(params)}`).toMatchObject({ code: -32602 });
      expect(paths(r.error!), JSON.stringify(params)).toContain(path);
    }
    expect((await rpc("ListTaskPushNotificationConfigs", { taskId })).result.configs).toEqual([]);
  });

  it("refuses private and plain-http URLs outside development (-32602 naming the field)", async () => {
    const taskId = await newTask();
    const key = "k-a2a-push-0123456789";
    const prod = { DEV_MODE: "false", SWITCHYARD_CONFIG: undefined, API_KEYS: JSON.stringify({ [await sha256Hex(key)]: "dev" }) };
    const headers = { authorization: `Bearer ${key}` };
    for (const url of ["http://hooks.example.com/x", "https://127.0.0.1/x", "https://10.0.0.8/x", "https://metadata.internal/x"]) {
      const res = await callWith(prod, "/a2a", { json: { jsonrpc: "2.0", id: 1, method: "CreateTaskPushNotificationConfig", params: { taskId, url } }, headers });
      const r = (await res.json()) as Rpc;
      expect(r.error, url).toMatchObject({ code: -32602, data: [{ fieldViolations: [{ field: "url", description: expect.stringMatching(/https: URL|points at/) }] }] });
      const sent = await callWith(prod, "/a2a", { json: { jsonrpc: "2.0", id: 2, method: "SendMessage", params: v1msg(ok, { taskPushNotificationConfig: { url } }) }, headers });
      expect(paths(((await sent.json()) as Rpc).error!), url).toEqual(["configuration.taskPushNotificationConfig.url"]);
    }
    expect((await rpc("ListTaskPushNotificationConfigs", { taskId })).result.configs).toEqual([]);
  });
});

describe("a deployment without the webhooks queue", () => {
  it("declares no push notifications and answers every push method, and a SendMessage push config, -32003", async () => {
    const taskId = await newTask();
    const card = (await (await callWith({ WEBHOOKS: undefined }, "/.well-known/agent-card.json")).json()) as { capabilities: Record<string, boolean> };
    expect(card.capabilities.pushNotifications).toBe(false);
    const without = async (method: string, params: unknown) => ((await (await callWith({ WEBHOOKS: undefined }, "/a2a", { json: { jsonrpc: "2.0", id: 1, method, params } })).json()) as Rpc).error;
    for (const [method, params] of [
      ["CreateTaskPushNotificationConfig", { taskId, url: "https://hooks.example.com/a" }],
      ["GetTaskPushNotificationConfig", { taskId, id: "x" }],
      ["ListTaskPushNotificationConfigs", { taskId }],
      ["DeleteTaskPushNotificationConfig", { taskId, id: "x" }],
      ["tasks/pushNotificationConfig/set", { taskId, pushNotificationConfig: { url: "https://hooks.example.com/a" } }],
      ["SendMessage", v1msg(ok, { taskPushNotificationConfig: { url: "https://hooks.example.com/a" } })],
    ] as const)
      expect(await without(method, params), method).toMatchObject({ code: -32003 });
    expect((await rpc("ListTaskPushNotificationConfigs", { taskId })).result.configs).toEqual([]);
  });
});

describe("push notification configs (A2A 0.3 names and shapes)", () => {
  it("set, get (with and without an id), list and delete", async () => {
    const taskId = await newTask();
    const set = await rpc("tasks/pushNotificationConfig/set", { taskId, pushNotificationConfig: { url: "https://hooks.example.com/a", token: "tok", authentication: { schemes: ["Bearer"], credentials: "c-1" } } });
    expect(set.result).toEqual({ taskId, pushNotificationConfig: { id: taskId, url: "https://hooks.example.com/a", authentication: { schemes: ["Bearer"] } } });
    const named = await rpc("tasks/pushNotificationConfig/set", { taskId, pushNotificationConfig: { id: "second", url: "https://hooks.example.com/b" } });
    expect(named.result).toEqual({ taskId, pushNotificationConfig: { id: "second", url: "https://hooks.example.com/b" } });
    expect((await rpc("tasks/pushNotificationConfig/get", { id: taskId })).result).toEqual(set.result);
    expect((await rpc("tasks/pushNotificationConfig/get", { id: taskId, pushNotificationConfigId: "second" })).result).toEqual(named.result);
    expect((await rpc("tasks/pushNotificationConfig/list", { id: taskId })).result).toEqual([set.result, named.result]);
    expect(JSON.stringify((await rpc("tasks/pushNotificationConfig/list", { id: taskId })).result)).not.toMatch(/tok|c-1/);
    const deleted = await rpc("tasks/pushNotificationConfig/delete", { id: taskId, pushNotificationConfigId: taskId });
    expect(deleted).toMatchObject({ result: null });
    expect((await rpc("tasks/pushNotificationConfig/get", { id: taskId })).result).toEqual(named.result); // the oldest left
    // a 1.0 method reads the same configs in the 1.0 shape
    expect((await rpc("ListTaskPushNotificationConfigs", { taskId })).result.configs).toEqual([{ id: "second", taskId, url: "https://hooks.example.com/b" }]);
  });
});

describe("push notifications (delivery through the webhooks queue)", () => {
  it("a config sends each state change as a StreamResponse with the Authorization and token headers it declares", async () => {
    const taskId = await newTask(gated);
    await waitFor(taskId, ["awaiting_approval"]);
    const h = hook();
    const made = await rpc("CreateTaskPushNotificationConfig", { taskId, url: h.url, token: "tok-42", authentication: { scheme: "Bearer", credentials: "hook-cred" } });
    expect(made.error).toBeUndefined();
    expect((await call(`/v1/tasks/${taskId}/approve`, { json: { by: "dana", reason: "fine" } })).status).toBe(200);
    const got = await receivedWhen(h.name, (x) => x.accepted >= 3);
    for (const a of got.attempts) {
      expect(a.headers).toMatchObject({ authorization: "Bearer hook-cred", "x-a2a-notification-token": "tok-42", "content-type": "application/json" });
      expect(a.headers["webhook-id"]).toMatch(new RegExp(`^${taskId}:\\d+:p\\d+(:artifact)?$`));
      expect(a.headers["webhook-signature"]).toBeUndefined();
    }
    const payloads = got.attempts.map((a) => JSON.parse(a.body) as Record<string, any>);
    const working = payloads.find((p) => p.statusUpdate?.status.state === "TASK_STATE_WORKING");
    expect(working).toMatchObject({ statusUpdate: { taskId, contextId: taskId, status: { message: { role: "ROLE_AGENT" } } } });
    expect(payloads.find((p) => p.artifactUpdate)).toMatchObject({ artifactUpdate: { taskId, artifact: { artifactId: "result", parts: [{ text: expect.any(String) }, { data: expect.anything() }] } } });
    expect(payloads.find((p) => p.statusUpdate?.status.state === "TASK_STATE_COMPLETED")).toBeDefined();
    for (const p of payloads) expect(Object.keys(p)).toHaveLength(1);
  });

  it("SendMessage registers its config on the task it makes and sends the task, then its end (1.0)", async () => {
    const h = hook();
    const r = await rpc("SendMessage", v1msg(ok, { taskPushNotificationConfig: { url: h.url, token: "send-token" } }));
    const taskId = r.result.task.id as string;
    expect(r.result.task.status.state).toBe("TASK_STATE_COMPLETED");
    expect((await rpc("ListTaskPushNotificationConfigs", { taskId })).result.configs).toEqual([{ id: taskId, taskId, url: h.url }]);
    // the task as it was when the config was registered, then (unless it had ended by then) the end; queues keep no order
    const all = (await receivedWhen(h.name, (x) => x.attempts.some((a) => a.body.startsWith('{"task"')) && x.attempts.some((a) => a.body.includes("TASK_STATE_COMPLETED")))).attempts;
    expect(all.map((a) => JSON.parse(a.body) as Record<string, any>).find((p) => p.task)).toMatchObject({ task: { id: taskId, status: { state: expect.stringMatching(/^TASK_STATE_/) } } });
    for (const a of all) expect(a.headers["x-a2a-notification-token"]).toBe("send-token");
  });

  it("message/send registers a 0.3 config; its notifications are the task in the 0.3 shape", async () => {
    const h = hook();
    const r = await rpc("message/send", v03msg(ok, { pushNotificationConfig: { id: "legacy", url: h.url, authentication: { schemes: ["Basic"], credentials: "dXNlcjpwdw==" } } }));
    const taskId = r.result.id as string;
    expect(r.result).toMatchObject({ kind: "task", status: { state: "completed" } });
    expect((await rpc("tasks/pushNotificationConfig/get", { id: taskId, pushNotificationConfigId: "legacy" })).result.pushNotificationConfig).toEqual({ id: "legacy", url: h.url, authentication: { schemes: ["Basic"] } });
    const got = await receivedWhen(h.name, (x) => x.attempts.some((a) => a.body.includes('"completed"')));
    for (const a of got.attempts) {
      expect(a.headers.authorization).toBe("Basic dXNlcjpwdw==");
      expect(JSON.parse(a.body)).toMatchObject({ kind: "task", id: taskId });
    }
  });

  it("a SendMessage push config: both names, a taskId, or a hop are -32602, and nothing is made", async () => {
    const url = hook().url;
    for (const [params, path] of [
      [v1msg(ok, { taskPushNotificationConfig: { url }, pushNotificationConfig: { url } }), "configuration.pushNotificationConfig"],
      [v1msg(ok, { taskPushNotificationConfig: { url, taskId: "task_x" } }), "configuration.taskPushNotificationConfig.taskId"],
      [v1msg(ok, { taskPushNotificationConfig: { url: "nope" } }), "configuration.taskPushNotificationConfig.url"],
      [v1msg(ok, { pushNotificationConfig: { url, authentication: { schemes: ["Bearer"] } } }), "configuration.pushNotificationConfig.authentication.credentials"],
      [v1msg({ switchyard: { mode: "hop" } }, { taskPushNotificationConfig: { url } }), "configuration"],
    ] as const) {
      const r = await rpc("SendMessage", params);
      expect(r.error, JSON.stringify(params.configuration)).toMatchObject({ code: -32602 });
      expect(paths(r.error!)).toContain(path);
      // the same message id as a plain task is a new task: the refused call made none
      const again = await rpc("SendMessage", { ...params, configuration: { returnImmediately: true }, message: { ...params.message, metadata: ok } });
      expect(again.result.task.status.state).toMatch(/^TASK_STATE_(WORKING|COMPLETED)$/);
      expect((await rpc("ListTaskPushNotificationConfigs", { taskId: again.result.task.id })).result.configs).toEqual([]);
    }
  });

  it("a deleted config gets nothing more", async () => {
    const taskId = await newTask(gated);
    await waitFor(taskId, ["awaiting_approval"]);
    const h = hook();
    await rpc("CreateTaskPushNotificationConfig", { taskId, id: "gone", url: h.url });
    expect((await rpc("DeleteTaskPushNotificationConfig", { taskId, id: "gone" })).result).toEqual({});
    const kept = hook();
    await rpc("CreateTaskPushNotificationConfig", { taskId, id: "kept", url: kept.url });
    expect((await call(`/v1/tasks/${taskId}/reject`, { json: { by: "dana", reason: "no" } })).status).toBe(200);
    const got = await bodies(kept.name, 1);
    expect(got[0]).toMatchObject({ statusUpdate: { taskId, status: { state: "TASK_STATE_REJECTED" } } });
    await new Promise((r) => setTimeout(r, 1500));
    expect((await received(h.name)).attempts).toEqual([]);
  });
});
