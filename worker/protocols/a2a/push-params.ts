/**
 * A2A push notification configs on the wire (pure): the params of
 * CreateTaskPushNotificationConfig, GetTaskPushNotificationConfig,
 * ListTaskPushNotificationConfigs and DeleteTaskPushNotificationConfig (1.0) and of
 * tasks/pushNotificationConfig/set, /get, /list, /delete (0.3), the push config a
 * SendMessage carries, and configs as the answers show them: never their token or
 * credentials.
 */
import { z } from "zod";
import { AuthScheme, HEADER_TEXT, HEADER_TEXT_RULE } from "../../queues/webhooks.ts";
import { RPC, RpcFailure, type Op, type Wire } from "./jsonrpc.ts";

/** Most push configs one task holds. */
export const MAX_PUSH_CONFIGS = 10;

/** A push config as the TaskAgent stores it: where to, with which headers, in which version's format. */
export interface PushConfig {
  /** "" asks the TaskAgent for a new id (a UUID). */
  id: string;
  url: string;
  token?: string;
  authentication?: { scheme: string; credentials: string };
  /** The version of the method that made it: the format of its notifications. */
  wire: Wire;
}

/** What the TaskAgent tells of a config: no token, no credentials. */
export interface PushConfigView {
  id: string;
  url: string;
  wire: Wire;
  scheme?: string;
}

/** The push config methods. */
export type PushOp = Extract<Op, "pushCreate" | "pushGet" | "pushList" | "pushDelete">;

/** A call on a task's push configs, its params checked. */
export type PushRequest =
  | { kind: "create"; taskId: string; config: PushConfig; urlPath: string }
  | { kind: "get"; taskId: string; id?: string }
  | { kind: "list"; taskId: string }
  | { kind: "delete"; taskId: string; id: string };

const TaskRef = z.string().min(1).max(255);
/** A config id the client chose: printable ASCII without spaces ("" where the server may choose). */
const ConfigId = z.string().max(255).regex(/^[\x21-\x7e]*$/, "printable ASCII without spaces");
/** Where notifications go: http(s), no control characters or spaces (a URL parser would drop them unseen), no user:password (use `authentication`). */
const Url = z
  .string()
  .max(2048)
  // checked before z.url, which drops them from the URL it returns
  .refine((u) => !/[\x00-\x20\x7f]/.test(u), "no control characters or spaces")
  .pipe(z.url({ protocol: /^https?$/, error: "an http(s) URL" }))
  .refine((u) => !URL.canParse(u) || (new URL(u).username === "" && new URL(u).password === ""), "no user:password in it: give credentials in authentication");
/** A header value, or "" (protobuf's "not set"). */
const HeaderText = (max: number) =>
  z
    .string()
    .max(max)
    .refine((s) => s === "" || HEADER_TEXT.test(s), HEADER_TEXT_RULE)
    .optional();
const Metadata = z.record(z.string(), z.unknown()).optional();

/** 1.0 AuthenticationInfo: one scheme and its credentials. */
const V1Auth = z.strictObject({ scheme: AuthScheme, credentials: HeaderText(4096) });
/** 0.3 PushNotificationAuthenticationInfo: a list of schemes (one, here) and credentials. */
const V03Auth = z.strictObject({ schemes: z.array(AuthScheme).length(1, "exactly one scheme: the router sends one Authorization header"), credentials: HeaderText(4096) });

/** 1.0 TaskPushNotificationConfig: the params of CreateTaskPushNotificationConfig and a SendMessage's `taskPushNotificationConfig`. */
const V1Config = z.strictObject({ tenant: z.string().optional(), id: ConfigId.optional(), taskId: z.string().max(255).optional(), url: Url, token: HeaderText(1024), authentication: V1Auth.optional() });
/** 0.3 PushNotificationConfig. */
const V03Config = z.strictObject({ id: ConfigId.optional(), url: Url, token: HeaderText(1024), authentication: V03Auth.optional() });

const V1TaskConfig = V1Config.extend({ taskId: TaskRef });
const V1Lookup = z.strictObject({ tenant: z.string().optional(), taskId: TaskRef, id: ConfigId.min(1) });
const V1List = z.strictObject({
  tenant: z.string().optional(),
  taskId: TaskRef,
  pageSize: z.number().int().min(0).max(100).optional(),
  pageToken: z.literal("", { error: "not a page token from a previous answer (every config of a task fits on one page)" }).optional(),
});
const V03Set = z.strictObject({ taskId: TaskRef, pushNotificationConfig: V03Config, metadata: Metadata });
const V03Get = z.strictObject({ id: TaskRef, pushNotificationConfigId: ConfigId.optional(), metadata: Metadata });
const V03List = z.strictObject({ id: TaskRef, metadata: Metadata });
const V03Delete = z.strictObject({ id: TaskRef, pushNotificationConfigId: ConfigId.min(1), metadata: Metadata });

type Issue = { path: string; message: string };

/** -32602 with `data.errors`, as `parseParams` answers. */
function refuse(errors: Issue[]): never {
  throw new RpcFailure(RPC.INVALID_PARAMS, `Invalid params: ${errors.map((e) => `${e.path || "(root)"}: ${e.message}`).join("; ")}`, { errors });
}

/** Validates a value found at path `at` of the params, or throws -32602 naming each issue's full path. */
function parseAt<T extends z.ZodType>(schema: T, value: unknown, at = ""): z.infer<T> {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  refuse(r.error.issues.map((i) => ({ path: [at, ...i.path.map(String)].filter(Boolean).join("."), message: i.message })));
}

type Auth = { scheme: string; credentials?: string | undefined };

/** A parsed config as stored; a scheme without credentials is -32602 naming `<at>.credentials`. */
function toConfig(c: { id?: string | undefined; url: string; token?: string | undefined }, auth: Auth | undefined, wire: Wire, at: string): PushConfig {
  if (auth && !auth.credentials) refuse([{ path: `${at}.credentials`, message: CREDENTIALS }]);
  return {
    id: c.id ?? "",
    url: c.url,
    ...(c.token ? { token: c.token } : {}),
    ...(auth?.credentials ? { authentication: { scheme: auth.scheme, credentials: auth.credentials } } : {}),
    wire,
  };
}

const CREDENTIALS = "required with a scheme: the router sends Authorization: <scheme> <credentials> and has no credentials of its own for your webhook";
const firstScheme = (a: z.infer<typeof V03Auth> | undefined): Auth | undefined => (a ? { scheme: a.schemes[0]!, credentials: a.credentials } : undefined);

/**
 * The params of a push config method, checked (-32602 with `data.errors` naming each
 * path). A 0.3 config set without an id gets the task's id (what 0.3 servers do, so
 * `get` without an id finds it); a 1.0 config without one gets a new id.
 *
 * @example
 * parsePushCall("pushGet", "1.0", { taskId: "task_…", id: "c1" }) // { kind: "get", taskId: "task_…", id: "c1" }
 */
export function parsePushCall(op: PushOp, wire: Wire, params: Record<string, unknown>): PushRequest {
  if (wire === "1.0") {
    const p = params; // proto field names (task_id) are read as JSON names for every 1.x call (jsonrpc.ts protoNames)
    switch (op) {
      case "pushCreate": {
        const c = parseAt(V1TaskConfig, p);
        return { kind: "create", taskId: c.taskId, config: toConfig(c, c.authentication, wire, "authentication"), urlPath: "url" };
      }
      case "pushGet": {
        const { taskId, id } = parseAt(V1Lookup, p);
        return { kind: "get", taskId, id };
      }
      case "pushList":
        return { kind: "list", taskId: parseAt(V1List, p).taskId };
      case "pushDelete": {
        const { taskId, id } = parseAt(V1Lookup, p);
        return { kind: "delete", taskId, id };
      }
    }
  }
  switch (op) {
    case "pushCreate": {
      const { taskId, pushNotificationConfig: c } = parseAt(V03Set, params);
      const config = toConfig({ ...c, id: c.id || taskId }, firstScheme(c.authentication), wire, "pushNotificationConfig.authentication");
      return { kind: "create", taskId, config, urlPath: "pushNotificationConfig.url" };
    }
    case "pushGet": {
      const g = parseAt(V03Get, params);
      return { kind: "get", taskId: g.id, ...(g.pushNotificationConfigId ? { id: g.pushNotificationConfigId } : {}) };
    }
    case "pushList":
      return { kind: "list", taskId: parseAt(V03List, params).id };
    case "pushDelete": {
      const d = parseAt(V03Delete, params);
      return { kind: "delete", taskId: d.id, id: d.pushNotificationConfigId };
    }
  }
}

/**
 * The push config of a SendMessage (`configuration.taskPushNotificationConfig`, 1.0's
 * TaskPushNotificationConfig without a taskId, or `configuration.pushNotificationConfig`,
 * 0.3's PushNotificationConfig), checked; undefined without one. Its notifications take
 * the format of the method's version; without an id it gets the id of the task the
 * message makes.
 */
export function parseSendPush(configuration: { taskPushNotificationConfig?: unknown; pushNotificationConfig?: unknown } | undefined, wire: Wire): { config: PushConfig; urlPath: string } | undefined {
  const v1 = configuration?.taskPushNotificationConfig;
  const v03 = configuration?.pushNotificationConfig;
  if (v1 === undefined && v03 === undefined) return undefined;
  if (v1 !== undefined && v03 !== undefined) refuse([{ path: "configuration.pushNotificationConfig", message: "send one push config: taskPushNotificationConfig (1.0) or pushNotificationConfig (0.3)" }]);
  if (v1 !== undefined) {
    const at = "configuration.taskPushNotificationConfig";
    const c = parseAt(V1Config, v1, at);
    if (c.taskId) refuse([{ path: `${at}.taskId`, message: "must be empty: the config goes to the task this message makes" }]);
    return { config: toConfig(c, c.authentication, wire, `${at}.authentication`), urlPath: `${at}.url` };
  }
  const at = "configuration.pushNotificationConfig";
  const c = parseAt(V03Config, v03, at);
  return { config: toConfig(c, firstScheme(c.authentication), wire, `${at}.authentication`), urlPath: `${at}.url` };
}

/** A config as a method of `wire` answers it: 1.0 TaskPushNotificationConfig, 0.3 `{ taskId, pushNotificationConfig }`; never its token or credentials. */
export function encodePushConfig(v: PushConfigView, taskId: string, wire: Wire): Record<string, unknown> {
  if (wire === "1.0") return { id: v.id, taskId, url: v.url, ...(v.scheme ? { authentication: { scheme: v.scheme } } : {}) };
  return { taskId, pushNotificationConfig: { id: v.id, url: v.url, ...(v.scheme ? { authentication: { schemes: [v.scheme] } } : {}) } };
}
