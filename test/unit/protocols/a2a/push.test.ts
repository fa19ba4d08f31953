import { describe, expect, it } from "vitest";
import { protoNames } from "../../../../worker/protocols/a2a/jsonrpc.ts";
import { RpcFailure } from "../../../../worker/protocols/a2a/jsonrpc.ts";
import { encodePushConfig, parsePushCall, parseSendPush } from "../../../../worker/protocols/a2a/push-params.ts";
import { fitPush, MAX_PUSH_BYTES, pushPayloads, pushSnapshot, PUSH_EVENT_TYPES } from "../../../../worker/protocols/a2a/push-payloads.ts";
import type { TaskViewLike } from "../../../../worker/protocols/a2a/mapping.ts";

const T = `task_${"a".repeat(32)}`;

/** The -32602 paths a call throws, or "no error". */
function paths(f: () => unknown): string[] | "no error" {
  try {
    f();
    return "no error";
  } catch (e) {
    if (!(e instanceof RpcFailure)) throw e;
    expect(e.error.code).toBe(-32602);
    return (e.error.data as { errors: { path: string }[] }).errors.map((x) => x.path);
  }
}

describe("push config params (1.0 and 0.3)", () => {
  it("reads the 1.0 methods, protobuf field names included", () => {
    const auth = { scheme: "Bearer", credentials: "c" };
    expect(parsePushCall("pushCreate", "1.0", { taskId: T, url: "https://h.example/in", token: "t", authentication: auth })).toEqual({
      kind: "create",
      taskId: T,
      config: { id: "", url: "https://h.example/in", token: "t", authentication: auth, wire: "1.0" },
      urlPath: "url",
    });
    expect(parsePushCall("pushCreate", "1.0", protoNames({ task_id: T, id: "c1", url: "http://localhost:8888/webhook", token: "" }))).toMatchObject({ config: { id: "c1", url: "http://localhost:8888/webhook" } });
    expect(parsePushCall("pushGet", "1.0", protoNames({ task_id: T, id: "default" }))).toEqual({ kind: "get", taskId: T, id: "default" });
    expect(parsePushCall("pushList", "1.0", { taskId: T, pageSize: 0, pageToken: "", tenant: "x" })).toEqual({ kind: "list", taskId: T });
    expect(parsePushCall("pushDelete", "1.0", { taskId: T, id: "c1" })).toEqual({ kind: "delete", taskId: T, id: "c1" });
  });

  it("reads the 0.3 methods: a set without an id takes the task's; get without one finds the default", () => {
    expect(parsePushCall("pushCreate", "0.3", { taskId: T, pushNotificationConfig: { url: "https://h.example/in", authentication: { schemes: ["Basic"], credentials: "dXNlcjpwdw==" } } })).toEqual({
      kind: "create",
      taskId: T,
      config: { id: T, url: "https://h.example/in", authentication: { scheme: "Basic", credentials: "dXNlcjpwdw==" }, wire: "0.3" },
      urlPath: "pushNotificationConfig.url",
    });
    expect(parsePushCall("pushGet", "0.3", { id: T })).toEqual({ kind: "get", taskId: T });
    expect(parsePushCall("pushGet", "0.3", { id: T, pushNotificationConfigId: "c", metadata: {} })).toEqual({ kind: "get", taskId: T, id: "c" });
    expect(parsePushCall("pushList", "0.3", { id: T })).toEqual({ kind: "list", taskId: T });
    expect(parsePushCall("pushDelete", "0.3", { id: T, pushNotificationConfigId: "c" })).toEqual({ kind: "delete", taskId: T, id: "c" });
  });

  it("refuses bad params with -32602 naming each path", () => {
    const url = "https://h.example/in";
    expect(paths(() => parsePushCall("pushCreate", "1.0", { taskId: T, url, authentication: { scheme: "Bearer", credentials: "" } }))).toEqual(["authentication.credentials"]);
    expect(paths(() => parsePushCall("pushCreate", "1.0", { taskId: T, url, token: "x".repeat(1025) }))).toEqual(["token"]);
    expect(paths(() => parsePushCall("pushCreate", "1.0", { taskId: "", url: "mailto:x@y" }))).toEqual(["taskId", "url"]);
    expect(paths(() => parsePushCall("pushCreate", "1.0", protoNames({ taskId: T, url, task_id: T })))).toEqual([""]);
    expect(paths(() => parsePushCall("pushGet", "1.0", { taskId: T, id: "" }))).toEqual(["id"]);
    expect(paths(() => parsePushCall("pushList", "1.0", { taskId: T, pageToken: "abc" }))).toEqual(["pageToken"]);
    expect(paths(() => parsePushCall("pushCreate", "0.3", { taskId: T, pushNotificationConfig: { url, authentication: { schemes: [] } } }))).toEqual(["pushNotificationConfig.authentication.schemes"]);
    expect(paths(() => parsePushCall("pushGet", "0.3", { id: T, configId: "x" }))).toEqual([""]);
    expect(paths(() => parsePushCall("pushDelete", "0.3", { id: T }))).toEqual(["pushNotificationConfigId"]);
  });

  it("a SendMessage carries one push config, in its field's shape, without a taskId", () => {
    expect(parseSendPush(undefined, "1.0")).toBeUndefined();
    expect(parseSendPush({}, "1.0")).toBeUndefined();
    expect(parseSendPush({ taskPushNotificationConfig: { url: "https://h.example/in", token: "t" } }, "1.0")).toEqual({ config: { id: "", url: "https://h.example/in", token: "t", wire: "1.0" }, urlPath: "configuration.taskPushNotificationConfig.url" });
    expect(parseSendPush({ pushNotificationConfig: { id: "x", url: "https://h.example/in" } }, "0.3")).toEqual({ config: { id: "x", url: "https://h.example/in", wire: "0.3" }, urlPath: "configuration.pushNotificationConfig.url" });
    expect(paths(() => parseSendPush({ taskPushNotificationConfig: { url: "https://h.example/in", taskId: T } }, "1.0"))).toEqual(["configuration.taskPushNotificationConfig.taskId"]);
    expect(paths(() => parseSendPush({ taskPushNotificationConfig: {}, pushNotificationConfig: {} }, "1.0"))).toEqual(["configuration.pushNotificationConfig"]);
    expect(paths(() => parseSendPush({ pushNotificationConfig: { url: "https://h.example/in", schemes: ["Bearer"] } }, "0.3"))).toEqual(["configuration.pushNotificationConfig"]);
    expect(paths(() => parseSendPush({ taskPushNotificationConfig: "https://h.example/in" }, "1.0"))).toEqual(["configuration.taskPushNotificationConfig"]);
  });

  it("shows a config in the method's shape, without token or credentials", () => {
    const v = { id: "c", url: "https://h.example/in", wire: "0.3" as const, scheme: "Bearer" };
    expect(encodePushConfig(v, T, "1.0")).toEqual({ id: "c", taskId: T, url: v.url, authentication: { scheme: "Bearer" } });
    expect(encodePushConfig(v, T, "0.3")).toEqual({ taskId: T, pushNotificationConfig: { id: "c", url: v.url, authentication: { schemes: ["Bearer"] } } });
    expect(encodePushConfig({ id: "c", url: v.url, wire: "1.0" }, T, "1.0")).toEqual({ id: "c", taskId: T, url: v.url });
  });
});

const view = (over: Partial<TaskViewLike> = {}): TaskViewLike => ({ id: T, status: "succeeded", updatedAt: "2026-11-30T04:00:00.000Z", result: { text: "done" }, costUsd: 0, hops: 1, steps: [{ id: "s", status: "succeeded" }], ...over });
const ev = (type: string, data = {}) => ({ seq: 7, type, at: "2026-11-30T04:00:00.000Z", data });

describe("push notification bodies", () => {
  it("1.0: the end is the result artifact, then the final status, as StreamResponses", () => {
    const [artifact, status] = pushPayloads(ev("task.succeeded"), view(), "1.0");
    expect(artifact).toEqual({ key: ":artifact", type: "artifactUpdate", body: { artifactUpdate: { taskId: T, contextId: T, artifact: { artifactId: "result", name: "result", parts: [{ text: "done" }, { data: { text: "done" } }] }, lastChunk: true } } });
    expect(status).toMatchObject({ key: "", type: "statusUpdate", body: { statusUpdate: { taskId: T, contextId: T, status: { state: "TASK_STATE_COMPLETED", timestamp: "2026-11-30T04:00:00.000Z" } } } });
    expect(pushPayloads(ev("task.failed"), view({ status: "failed", error: "broke" }), "1.0")).toEqual([
      { key: "", type: "statusUpdate", body: { statusUpdate: { taskId: T, contextId: T, status: { state: "TASK_STATE_FAILED", timestamp: expect.any(String), message: expect.objectContaining({ parts: [{ text: "broke" }] }) } } } },
    ]);
    expect(pushPayloads(ev("task.approved", { step: "s", by: "dana" }), view({ status: "running" }), "1.0")).toMatchObject([{ type: "statusUpdate", body: { statusUpdate: { status: { state: "TASK_STATE_WORKING" } } } }]);
  });

  it("0.3: the task itself; a snapshot is 1.0 `{ task }` or the 0.3 task", () => {
    expect(pushPayloads(ev("task.awaiting_approval"), view({ status: "awaiting_approval", awaiting: { step: "s", reason: "policy" } }), "0.3")).toMatchObject([{ key: "", type: "task", body: { kind: "task", id: T, status: { state: "input-required" } } }]);
    expect(pushSnapshot(view({ status: "running" }), "1.0")).toMatchObject({ key: ":task", type: "task", body: { task: { id: T, status: { state: "TASK_STATE_WORKING" } } } });
    expect(pushSnapshot(view({ status: "running" }), "0.3")).toMatchObject({ key: ":task", type: "task", body: { kind: "task", id: T } });
  });

  it("is sent for the state changes A2A reports, not for step progress", () => {
    expect([...PUSH_EVENT_TYPES].sort()).toEqual(["task.approved", "task.awaiting_approval", "task.cancelled", "task.failed", "task.rejected", "task.succeeded"]);
  });

  it("fits one queue message: long strings cut and data left out, else the bare event", () => {
    const small = { statusUpdate: { taskId: T, status: { state: "TASK_STATE_COMPLETED" } } };
    expect(fitPush(small)).toBe(small);
    const big = pushPayloads(ev("task.succeeded"), view({ result: { text: "x".repeat(200_000) } }), "1.0")[0]!.body;
    const cut = fitPush(big) as { artifactUpdate: { artifact: { parts: { text?: string; data?: unknown }[] }; metadata: unknown } };
    expect(new TextEncoder().encode(JSON.stringify(cut)).length).toBeLessThanOrEqual(MAX_PUSH_BYTES);
    expect(cut.artifactUpdate.artifact.parts[0]!.text).toMatch(/^x{1000}… \(cut: too large/);
    expect(cut.artifactUpdate.artifact.parts[1]!.data).toEqual({ cut: true });
    expect(cut.artifactUpdate.metadata).toEqual({ switchyard: { truncated: true } });
    const many = encodeMany();
    const bare = fitPush(many) as Record<string, unknown>;
    expect(bare).toEqual({ kind: "task", id: T, contextId: T, status: { state: "completed", timestamp: "2026-11-30T04:00:00.000Z" }, metadata: { switchyard: { truncated: true } } });
  });
});

/** A 0.3 task too large even with its strings cut: thousands of artifacts. */
function encodeMany(): Record<string, unknown> {
  const [task] = pushPayloads(ev("task.succeeded"), view(), "0.3");
  return { ...task!.body, artifacts: Array.from({ length: 5000 }, (_, i) => ({ artifactId: `a${i}`, parts: [{ kind: "text", text: "y".repeat(900) }] })) };
}

/** The -32602 error a call throws. */
function refusal(f: () => unknown): { code: number; message: string; data: unknown } {
  try {
    f();
  } catch (e) {
    if (e instanceof RpcFailure) return e.error as { code: number; message: string; data: unknown };
    throw e;
  }
  throw new Error("no error");
}

describe("push config params: each rule", () => {
  const url = "https://h.example/in";

  it("a URL with a user name or password in it is refused (credentials go in authentication)", () => {
    for (const u of ["https://u:p@h.example/in", "https://u@h.example/in", "https://:p@h.example/in"]) {
      expect(paths(() => parsePushCall("pushCreate", "1.0", { taskId: T, url: u })), u).toEqual(["url"]);
      expect(paths(() => parsePushCall("pushCreate", "0.3", { taskId: T, pushNotificationConfig: { url: u } })), u).toEqual(["pushNotificationConfig.url"]);
    }
    expect(refusal(() => parsePushCall("pushCreate", "1.0", { taskId: T, url: "https://u:p@h.example/in" }))).toEqual({
      code: -32602,
      message: "Invalid params: url: no user:password in it: give credentials in authentication",
      data: { errors: [{ path: "url", message: "no user:password in it: give credentials in authentication" }] },
    });
  });

  it("a token or credentials must be header text: visible ASCII, no line breaks, no spaces at the ends", () => {
    for (const token of ["a\nb", " t", "t ", "tök"]) expect(paths(() => parsePushCall("pushCreate", "1.0", { taskId: T, url, token })), JSON.stringify(token)).toEqual(["token"]);
    expect(paths(() => parsePushCall("pushCreate", "1.0", { taskId: T, url, authentication: { scheme: "Bearer", credentials: "a\r\nX-Evil: 1" } }))).toEqual(["authentication.credentials"]);
    expect(parsePushCall("pushCreate", "1.0", { taskId: T, url, token: "a b" })).toMatchObject({ config: { token: "a b" } });
  });

  it("the message names every issue, the root as (root)", () => {
    expect(refusal(() => parsePushCall("pushCreate", "1.0", protoNames({ taskId: "", url, task_id: "x" }))).message).toBe(
      'Invalid params: taskId: Too small: expected string to have >=1 characters; (root): Unrecognized key: "task_id"',
    );
  });

  it("a scheme without credentials names where it was sent", () => {
    const CREDENTIALS = "required with a scheme: the router sends Authorization: <scheme> <credentials> and has no credentials of its own for your webhook";
    expect(refusal(() => parsePushCall("pushCreate", "0.3", { taskId: T, pushNotificationConfig: { url, authentication: { schemes: ["Bearer"] } } })).data).toEqual({
      errors: [{ path: "pushNotificationConfig.authentication.credentials", message: CREDENTIALS }],
    });
    expect(paths(() => parseSendPush({ taskPushNotificationConfig: { url, authentication: { scheme: "Bearer" } } }, "1.0"))).toEqual(["configuration.taskPushNotificationConfig.authentication.credentials"]);
    expect(paths(() => parseSendPush({ pushNotificationConfig: { url, authentication: { schemes: ["Bearer"] } } }, "0.3"))).toEqual(["configuration.pushNotificationConfig.authentication.credentials"]);
  });

  it("a SendMessage's config refusals say why", () => {
    expect(refusal(() => parseSendPush({ taskPushNotificationConfig: { url }, pushNotificationConfig: { url } }, "1.0")).data).toEqual({
      errors: [{ path: "configuration.pushNotificationConfig", message: "send one push config: taskPushNotificationConfig (1.0) or pushNotificationConfig (0.3)" }],
    });
    expect(refusal(() => parseSendPush({ taskPushNotificationConfig: { url, taskId: T } }, "1.0")).data).toEqual({
      errors: [{ path: "configuration.taskPushNotificationConfig.taskId", message: "must be empty: the config goes to the task this message makes" }],
    });
  });
});

const utf8 = (v: unknown) => new TextEncoder().encode(JSON.stringify(v)).length;

describe("fitPush: the limits", () => {
  it("a body of exactly MAX_PUSH_BYTES is sent as it is", () => {
    const base = { statusUpdate: { taskId: T, pad: "" } };
    const exact = { statusUpdate: { taskId: T, pad: "x".repeat(MAX_PUSH_BYTES - utf8(base)) } };
    expect(utf8(exact)).toBe(MAX_PUSH_BYTES);
    expect(fitPush(exact)).toBe(exact);
  });

  it("a cut body of exactly MAX_PUSH_BYTES is sent cut, not bare", () => {
    // a 0.3 task whose metadata alone makes it too large: cut, it loses the metadata and gains the truncated mark
    const mark = { switchyard: { truncated: true } };
    const chunks = (n: number) => Array.from({ length: n }, () => "y".repeat(900));
    const shape = (pad: string[], last: string) => ({ kind: "task", id: T, pad, last, metadata: mark });
    let n = 0;
    while (utf8(shape(chunks(n + 1), "")) < MAX_PUSH_BYTES) n++;
    const last = "z".repeat(MAX_PUSH_BYTES - utf8(shape(chunks(n), "")));
    expect(last.length).toBeLessThanOrEqual(1000);
    const body = { kind: "task", id: T, pad: chunks(n), last, metadata: { huge: "m".repeat(200_000) } };
    expect(utf8(shape(chunks(n), last))).toBe(MAX_PUSH_BYTES);
    expect(fitPush(body)).toEqual(shape(chunks(n), last));
  });

  it("a 1.0 event too large even cut is its bare ids, inside its wrapper", () => {
    const parts = Array.from({ length: 5000 }, () => ({ text: "y".repeat(900) }));
    const big = { artifactUpdate: { taskId: T, contextId: "ctx", artifact: { artifactId: "result", parts }, lastChunk: true } };
    expect(fitPush(big)).toStrictEqual({ artifactUpdate: { taskId: T, contextId: "ctx", metadata: { switchyard: { truncated: true } } } });
    const status = { statusUpdate: { taskId: T, contextId: "ctx", status: { state: "TASK_STATE_COMPLETED", message: { parts } } } };
    expect(fitPush(status)).toStrictEqual({ statusUpdate: { taskId: T, contextId: "ctx", status: { state: "TASK_STATE_COMPLETED" }, metadata: { switchyard: { truncated: true } } } });
  });
});
