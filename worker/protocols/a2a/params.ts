/**
 * Params of the A2A methods the front door serves (either protocol version), and
 * the Switchyard options a client may put in `metadata.switchyard`. Pure.
 */
import { z } from "zod";
import { Plan } from "../../tasks/plan.ts";
import { A2A_CONTEXT_KEY } from "../../tasks/types.ts";
import { RPC, RpcFailure } from "./jsonrpc.ts";
import { WireMessage, WirePart, type Part } from "./wire.ts";

const SpecialistId = z.string().regex(/^[a-z][a-z0-9_-]{0,63}$/, "a specialist id");
const Metadata = z.record(z.string(), z.unknown());

/**
 * `metadata.switchyard` (on the request or on the message): how to serve it.
 * `mode: "task"` or any of `plan` / `workflow` / `planner` makes a TaskAgent task;
 * `mode: "hop"` or `specialist` makes one routed hop.
 */
export const SwitchyardOptions = z.strictObject({
  mode: z.enum(["hop", "task"]).optional(),
  specialist: SpecialistId.optional(),
  plan: Plan.optional(),
  workflow: SpecialistId.optional(),
  planner: z.union([z.literal(true), SpecialistId]).optional(),
  context: Metadata.refine((c) => !Object.hasOwn(c, A2A_CONTEXT_KEY), `'${A2A_CONTEXT_KEY}' is the router's: it holds the message's contextId`).optional(),
  idempotencyKey: z.string().min(1).max(255).optional(),
  approvalTtlSeconds: z.number().int().min(1).max(30 * 86_400).optional(),
});
export type SwitchyardOptions = z.infer<typeof SwitchyardOptions>;

/** RFC 6838 §4.2 media type (`type/subtype`, optional `; name=value` parameters), no control characters. */
const MEDIA_TYPE = /^[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}\/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}(?:\s*;\s*[A-Za-z0-9!#$&^_.+-]+=(?:[A-Za-z0-9!#$&^_.+-]+|"[^"\\\x00-\x1f\x7f]*"))*$/;
const MediaType = z.string().max(255).regex(MEDIA_TYPE, "a media type (type/subtype, RFC 6838)");

/** A file's URL the router will pass on: absolute `https:` or `http:`, no user:password in it. */
const FileUrl = z
  .string()
  .max(8192)
  .refine((u) => {
    if (!URL.canParse(u)) return true; // the parts check names a URL that is not absolute
    const url = new URL(u);
    return (url.protocol === "https:" || url.protocol === "http:") && url.username === "" && url.password === "";
  }, "an http(s) URL without user:password (a specialist fetches it)");

/** The content members of a part: exactly one of them (A2A 1.0 `Part.content` is a oneof; 0.3's `kind` says which). */
const CONTENT = ["text", "data", "url", "raw", "file"] as const;

/**
 * A part as a client sends it (1.x or 0.3), strictly: no unknown member, exactly one
 * content member matching 0.3's `kind` when it gives one, URLs and media types that
 * can be passed on; then read by `WirePart`.
 */
const ClientPart = z
  .strictObject({
    kind: z.enum(["text", "data", "file"]).optional(),
    text: z.string().optional(),
    data: z.unknown().optional(),
    url: FileUrl.optional(),
    raw: z.string().optional(),
    file: z.strictObject({ uri: FileUrl.optional(), bytes: z.string().optional(), mimeType: MediaType.optional(), name: z.string().max(1024).optional() }).optional(),
    mediaType: MediaType.optional(),
    filename: z.string().max(1024).optional(),
    metadata: Metadata.optional(),
  })
  .superRefine((p, ctx) => {
    const given = CONTENT.filter((k) => p[k] !== undefined);
    if (given.length !== 1) ctx.addIssue({ code: "custom", message: `a part holds exactly one of ${CONTENT.join(", ")} (it has ${given.join(", ") || "none"})` });
    const k = given[0];
    const kindOf = k === "url" || k === "raw" || k === "file" ? "file" : k;
    if (p.kind !== undefined && given.length === 1 && p.kind !== kindOf) ctx.addIssue({ code: "custom", path: ["kind"], message: `'${p.kind}' but the part holds ${k}` });
    if (p.file && p.file.uri === undefined && p.file.bytes === undefined) ctx.addIssue({ code: "custom", path: ["file"], message: "a file has a uri or bytes" });
  })
  .transform((p, ctx): Part => {
    const r = WirePart.safeParse(p);
    if (r.success) return r.data;
    ctx.addIssue({ code: "custom", message: r.error.issues[0]?.message ?? "not a part" });
    return z.NEVER;
  });

/** An id the router passes on as a header or a key: visible ASCII and spaces (no control characters). */
const KeyLike = z.string().min(1).max(255).regex(/^[\x20-\x7e]+$/, "visible ASCII (up to 255 characters): it is sent on as the Idempotency-Key header");

/**
 * A client's message (SendMessage's `message`), strictly: its id bounded like every
 * door's key, role ROLE_USER (a client speaks for the user; the agent's turns are the
 * router's), contextId and taskId up to 255 characters, and 1.0's `extensions` and
 * `referenceTaskIds` kept.
 */
const ClientMessage = WireMessage.extend({
  kind: z.literal("message").optional(),
  messageId: KeyLike,
  role: z.enum(["ROLE_USER", "user"], { message: "a client's message is ROLE_USER (0.3: user)" }).transform(() => "user" as const),
  parts: z.array(ClientPart).min(1),
  contextId: z.string().min(1).max(255).optional(),
  taskId: z.string().min(1).max(255).optional(),
})
  .strict()
  .transform(({ kind: _kind, ...m }) => m);

/** SendMessage / SendStreamingMessage (1.x) and message/send / message/stream (0.3): unknown members are -32602. */
export const SendParams = z.strictObject({
  message: ClientMessage,
  configuration: z
    .strictObject({
      acceptedOutputModes: z.array(z.string()).optional(),
      /** 1.x: answer at once instead of waiting for the task to finish. */
      returnImmediately: z.boolean().optional(),
      /** 0.3: wait for the task to finish. */
      blocking: z.boolean().optional(),
      historyLength: z.number().int().min(0).optional(),
      taskPushNotificationConfig: z.unknown().optional(),
      pushNotificationConfig: z.unknown().optional(),
    })
    .optional(),
  metadata: Metadata.optional(),
  tenant: z.string().optional(),
});
export type SendParams = z.infer<typeof SendParams>;

/** GetTask / CancelTask / SubscribeToTask (1.x) and tasks/get, tasks/cancel, tasks/resubscribe (0.3): unknown members are -32602. */
export const TaskParams = z.strictObject({
  id: z.string().min(1),
  historyLength: z.number().int().min(0).optional(),
  metadata: Metadata.optional(),
  tenant: z.string().optional(),
});

/** A `ListTasks` page token: the last task of the previous page (keyset paging), base64url JSON. */
export interface PageCursor {
  updatedAt: string;
  id: string;
}

export const encodePageToken = (c: PageCursor): string => btoa(JSON.stringify([c.updatedAt, c.id])).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");

/** The cursor of a page token, or undefined when it is not one this router made. */
export function decodePageToken(token: string): PageCursor | undefined {
  try {
    const v: unknown = JSON.parse(atob(token.replaceAll("-", "+").replaceAll("_", "/")));
    if (!Array.isArray(v) || v.length !== 2) return undefined;
    const [updatedAt, id] = v as unknown[];
    // the cursor's time is one the router wrote (`Date#toISOString`): exactly that form, round-tripping
    if (typeof updatedAt !== "string" || typeof id !== "string" || !STORED_TIME.test(updatedAt) || new Date(updatedAt).toISOString() !== updatedAt || !/^task_[0-9a-f]{32}$/.test(id)) return undefined;
    return { updatedAt, id };
  } catch {
    return undefined;
  }
}

const ISO_TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2})T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})$/;
/** A time as the task index stores it (`Date#toISOString`, years 0000–9999). */
const STORED_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/**
 * Whether an ISO 8601 timestamp names a real instant the index can compare with: a
 * calendar date that exists (no 30 February) and, in UTC, a four-digit year (the
 * index compares times as text; `+010000-…` would sort before every stored time).
 */
function comparableTimestamp(t: string): boolean {
  const m = ISO_TIMESTAMP.exec(t);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const day = new Date(Date.UTC(y, mo - 1, d));
  if (day.getUTCMonth() !== mo - 1 || day.getUTCDate() !== d) return false;
  const ms = Date.parse(t);
  return !Number.isNaN(ms) && STORED_TIME.test(new Date(ms).toISOString());
}

/**
 * ListTasks (1.x; 0.3 has no JSON-RPC binding for it): the A2A 1.0 `ListTasksRequest`.
 * Unknown members are -32602, like out-of-range values: `pageSize` 1..100 (default 50),
 * `historyLength` ≥ 0, `statusTimestampAfter` an ISO 8601 timestamp with a zone,
 * `status` a 1.x `TASK_STATE_*` name (`TASK_STATE_UNSPECIFIED` is no filter), `pageToken`
 * one this router made. `tenant` is accepted and ignored: the caller's key decides.
 */
export const ListParams = z.strictObject({
  tenant: z.string().optional(),
  contextId: z.string().max(255).optional(),
  status: z
    // "UNRECOGNIZED" is what @a2a-js/sdk's client sends for a status it was not given (protobuf-ts's -1): no filter, like UNSPECIFIED
    .enum(["UNRECOGNIZED", "TASK_STATE_UNSPECIFIED", "TASK_STATE_SUBMITTED", "TASK_STATE_WORKING", "TASK_STATE_COMPLETED", "TASK_STATE_FAILED", "TASK_STATE_CANCELED", "TASK_STATE_INPUT_REQUIRED", "TASK_STATE_REJECTED", "TASK_STATE_AUTH_REQUIRED"])
    .optional(),
  pageSize: z.number().int().min(1).max(100).optional(),
  pageToken: z
    .string()
    .optional()
    .refine((t) => t === undefined || t === "" || decodePageToken(t) !== undefined, "not a page token from a previous ListTasks answer"),
  historyLength: z.number().int().min(0).optional(),
  statusTimestampAfter: z
    .string()
    .optional()
    .refine((t) => t === undefined || comparableTimestamp(t), "an ISO 8601 timestamp with a zone, of a date that exists, up to 9999-12-31 in UTC, e.g. 2026-01-31T10:00:00Z"),
  includeArtifacts: z.boolean().optional(),
});
export type ListParams = z.infer<typeof ListParams>;

/** Validates params, or throws -32602 listing every issue with its path. */
export function parseParams<T extends z.ZodType>(schema: T, params: unknown): z.infer<T> {
  const r = schema.safeParse(params);
  if (r.success) return r.data;
  const errors = r.error.issues.map((i) => ({ path: i.path.map(String).join("."), message: i.message }));
  throw new RpcFailure(RPC.INVALID_PARAMS, `Invalid params: ${errors.map((e) => `${e.path || "(root)"}: ${e.message}`).join("; ")}`, { errors });
}

/** The options of a send: `metadata.switchyard` of the message, over that of the request. */
export function switchyardOptions(p: SendParams): SwitchyardOptions {
  const raw = { ...(p.metadata?.switchyard as object | undefined), ...(p.message.metadata?.switchyard as object | undefined) };
  return parseParams(SwitchyardOptions, raw);
}

/**
 * A goal of several requests in a row: "…, then …", "… and then …", "…; …",
 * "after that". A bare " then " is not enough ("if it rains then …").
 */
const MULTI_STEP = /(?:[,;.]\s*|\band\s+)then\b|\bafter that\b|\bafterwards\b|;\s*\S/i;

/** Whether a text reads as several requests in a row (then a configured planner plans it). */
export const isMultiStep = (text: string): boolean => MULTI_STEP.test(text);

/**
 * Whether a message becomes a TaskAgent task rather than one hop. Explicit options
 * win (`mode`, a plan source); otherwise a multi-clause text is a task when a planner
 * is configured, and any other message follows the deployment's default
 * (`a2a.sendMessageResult`: `tasksByDefault` when it is `"task"` and tasks are available).
 *
 * @example
 * wantsTask("convert 5 km to miles, then what is the result times 3", {}, true, false) // true
 * wantsTask("convert 5 km to miles", {}, true, false)                                    // false
 * wantsTask("convert 5 km to miles", {}, false, true)                                    // true
 * wantsTask("convert 5 km to miles", { mode: "hop" }, false, true)                       // false
 */
export function wantsTask(text: string, o: SwitchyardOptions, plannerConfigured: boolean, tasksByDefault: boolean): boolean {
  if (o.plan !== undefined || o.workflow !== undefined || o.planner !== undefined || o.mode === "task") return true;
  if (o.mode === "hop") return false;
  if (tasksByDefault) return true;
  if (o.specialist !== undefined) return false;
  return plannerConfigured && MULTI_STEP.test(text);
}

/** A decision on a task's approval gate, sent as a follow-up message to the task. */
export interface GateAnswer {
  decision: "approve" | "reject";
  reason: string;
  by?: string;
}

/** The data-part form of a gate answer. */
const GateAnswerData = z.strictObject({
  decision: z.enum(["approve", "reject"]),
  reason: z.string().trim().min(1).max(2000),
  by: z.string().min(1).max(200).optional(),
});

/** The text form: `approve: <reason>` or `reject: <reason>` (any case; `:` or `-` after the word). */
const GATE_TEXT = /^\s*(approve|reject)\s*[:\-–—]\s*(\S[\s\S]*)$/i;

/** How a follow-up message answers an approval gate, for error details. */
export const GATE_ANSWER_HELP = "answer with a text part 'approve: <reason>' or 'reject: <reason>', or a data part { \"decision\": \"approve\" | \"reject\", \"reason\": \"…\", \"by\"?: \"…\" }";

/**
 * Reads a follow-up message's answer to an approval gate: a data part
 * `{ decision, reason, by? }` or a text `approve: <reason>` / `reject: <reason>` (the
 * first text part). A reason is required, as for `POST /v1/tasks/{id}/approve`.
 * Returns undefined when the message is neither.
 *
 * @example
 * gateAnswer([{ kind: "text", text: "approve: figures checked" }]) // { decision: "approve", reason: "figures checked" }
 * gateAnswer([{ kind: "text", text: "looks fine" }])               // undefined
 */
export function gateAnswer(parts: readonly Part[]): GateAnswer | undefined {
  for (const p of parts) {
    if (p.kind !== "data") continue;
    const r = GateAnswerData.safeParse(p.data);
    if (r.success) return { decision: r.data.decision, reason: r.data.reason, ...(r.data.by ? { by: r.data.by } : {}) };
  }
  const text = parts.find((p) => p.kind === "text");
  const m = text?.kind === "text" ? GATE_TEXT.exec(text.text) : null;
  if (!m) return undefined;
  const reason = m[2]!.trim();
  return { decision: m[1]!.toLowerCase() as "approve" | "reject", reason };
}

/** Whether the caller waits for the task to finish (the default) or takes it as soon as it exists. */
export function isBlocking(p: SendParams): boolean {
  const c = p.configuration;
  return !(c?.returnImmediately === true || c?.blocking === false);
}
