/**
 * A2A push notifications at the front door: the config methods (1.0
 * CreateTaskPushNotificationConfig, GetTaskPushNotificationConfig,
 * ListTaskPushNotificationConfigs, DeleteTaskPushNotificationConfig; 0.3
 * tasks/pushNotificationConfig/set, /get, /list, /delete) and the push config of a
 * SendMessage. Configs live in the task's TaskAgent (durable-objects/task-push-configs.ts),
 * which sends the notifications through the webhooks queue.
 */
import type { Context } from "hono";
import { actorOf } from "../../http/auth.ts";
import type { PushConfigAnswer, PushConfigOp } from "../../../durable-objects/task-push-configs.ts";
import type { AppEnv } from "../../env.ts";
import { TaskId } from "../../http/task-schemas.ts";
import { callbackUrlProblem, privateCallbacksAllowed } from "../../queues/callbacks.ts";
import { taskStub } from "../../tasks/task-stub.ts";
import { RPC, RpcFailure, type RpcCall } from "./jsonrpc.ts";
import { encodePushConfig, parsePushCall, parseSendPush, type PushConfig, type PushOp } from "./push-params.ts";
import type { SendParams } from "./params.ts";

/** Whether this deployment sends push notifications: it needs TaskAgent tasks and the webhooks queue. */
export const pushSupported = (env: AppEnv["Bindings"]): boolean => env.TASK_AGENT !== undefined && env.WEBHOOKS !== undefined;

/** -32003 on a deployment without push notifications (the card says `pushNotifications: false`). */
function requireSupport(c: Context<AppEnv>): void {
  if (!pushSupported(c.env)) throw new RpcFailure(RPC.PUSH_NOTIFICATION_NOT_SUPPORTED, "Push notifications are not supported by this deployment (it needs the TASK_AGENT binding and the WEBHOOKS queue); stream the task or poll it with GetTask");
}

/** -32602 naming `path` when the router will not call the URL (https only, no private networks unless allowed), as for callbacks. */
function checkUrl(c: Context<AppEnv>, config: PushConfig, path: string): void {
  const problem = callbackUrlProblem(config.url, privateCallbacksAllowed(c.env));
  if (problem) throw new RpcFailure(RPC.INVALID_PARAMS, `Invalid params: ${path}: ${problem}`, { errors: [{ path, message: problem }] });
}

const notFound = (id: string) => new RpcFailure(RPC.TASK_NOT_FOUND, `Task not found: ${id}`, { taskId: id });

/** Runs an op on the task's configs as the caller's tenant: -32001 for an id that cannot be a task, an unknown task or another tenant's. */
async function onTask(c: Context<AppEnv>, taskId: string, op: PushConfigOp): Promise<PushConfigAnswer> {
  if (!TaskId.safeParse(taskId).success) throw notFound(taskId);
  const p = c.get("principal");
  const answer = await taskStub(c.env, taskId).pushConfigs(p.tenant, op, `${actorOf(p)} over A2A`);
  if (!answer) throw notFound(taskId);
  if (answer.kind === "too_many") throw new RpcFailure(RPC.INVALID_PARAMS, `Invalid params: task ${taskId} already has ${answer.max} push notification configs; delete one first`, { errors: [{ path: "taskId", message: `at most ${answer.max} push notification configs per task` }] });
  return answer;
}

/**
 * Serves a push config method. Every param is checked before anything is read or stored
 * (-32602); the task must be the caller's (-32001); a config id the task does not have is
 * -32001 for get (A2A 1.0 §3.1.8: TaskNotFoundError), while delete is idempotent.
 */
export async function servePush(c: Context<AppEnv>, call: RpcCall & { op: PushOp }): Promise<unknown> {
  requireSupport(c);
  const req = parsePushCall(call.op, call.wire, call.params);
  switch (req.kind) {
    case "create": {
      checkUrl(c, req.config, req.urlPath);
      const a = await onTask(c, req.taskId, { kind: "set", config: req.config, snapshot: false });
      if (a.kind !== "config") throw new Error(`the TaskAgent answered a push config set with ${a.kind}`);
      return encodePushConfig(a.config, req.taskId, call.wire);
    }
    case "get": {
      const a = await onTask(c, req.taskId, { kind: "get", ...(req.id !== undefined ? { id: req.id } : {}) });
      if (a.kind !== "config") throw new RpcFailure(RPC.TASK_NOT_FOUND, `Push notification config not found: ${req.id ?? "(none set)"} on task ${req.taskId}`);
      return encodePushConfig(a.config, req.taskId, call.wire);
    }
    case "list": {
      const a = await onTask(c, req.taskId, { kind: "list" });
      const configs = a.kind === "configs" ? a.configs.map((v) => encodePushConfig(v, req.taskId, call.wire)) : [];
      return call.wire === "1.0" ? { configs, nextPageToken: "" } : configs;
    }
    case "delete":
      await onTask(c, req.taskId, { kind: "delete", id: req.id });
      return call.wire === "1.0" ? {} : null;
  }
}

/**
 * The push config of a SendMessage, checked before the task is made (-32602 for a bad
 * one, -32003 on a deployment without push notifications); undefined without one.
 */
export function sendPushConfig(c: Context<AppEnv>, p: SendParams, wire: RpcCall["wire"]): PushConfig | undefined {
  const push = parseSendPush(p.configuration, wire);
  if (!push) return undefined;
  requireSupport(c);
  checkUrl(c, push.config, push.urlPath);
  return push.config;
}

/** Registers a SendMessage's push config on the task it made (id: the task's, unless it names one), and sends it the task as it now is. */
export async function registerSendPush(c: Context<AppEnv>, taskId: string, config: PushConfig): Promise<void> {
  await onTask(c, taskId, { kind: "set", config: { ...config, id: config.id || taskId }, snapshot: true });
}

/** -32602 for a push config on a message served as one hop: there is no task to notify about. */
export const pushNeedsTask = () =>
  new RpcFailure(RPC.INVALID_PARAMS, "Invalid params: a push notification config needs a task, and this message is served as one hop (metadata.switchyard.mode 'hop' or a pinned specialist); send it with metadata.switchyard.mode 'task'", {
    errors: [{ path: "configuration", message: "push notifications need a task; this message is served as one hop" }],
  });
