/**
 * A2A messages and tasks in one neutral shape, and their two wire formats: A2A
 * 1.x (protobuf JSON: `ROLE_AGENT`, `TASK_STATE_COMPLETED`, parts `{ text }`,
 * results wrapped as `{ task }` / `{ message }` / `{ statusUpdate }`) and 0.3
 * (`kind` fields, `completed`, parts `{ kind: "text", text }`). Decoding is
 * lenient and accepts either format, so one decoder reads any peer. Pure.
 */
import { z } from "zod";
import type { InputPart } from "../../routing/hop.ts";
import type { Wire } from "./jsonrpc.ts";

type Obj = Record<string, unknown>;

/** Task lifecycle states (0.3 spelling). */
export type TaskState = "submitted" | "working" | "input-required" | "auth-required" | "completed" | "failed" | "canceled" | "rejected" | "unknown";

/** Terminal states, and the interrupted ones a blocking call also returns on. */
export const FINAL_STATES: ReadonlySet<TaskState> = new Set(["completed", "failed", "canceled", "rejected", "input-required", "auth-required"]);

/** A message or artifact part: text, structured data, or a file (by URL or as base64 bytes). */
export type Part = InputPart;

export interface Message {
  messageId: string;
  role: "user" | "agent";
  parts: Part[];
  contextId?: string;
  taskId?: string;
  metadata?: Obj;
  /** URIs of the extensions the message uses (A2A 1.0 `Message.extensions`). */
  extensions?: string[];
  /** Tasks the message refers to, for context (A2A 1.0 `Message.reference_task_ids`). */
  referenceTaskIds?: string[];
}

export interface Artifact {
  artifactId: string;
  name?: string;
  description?: string;
  parts: Part[];
  metadata?: Obj;
}

export interface TaskStatus {
  state: TaskState;
  message?: Message;
  timestamp?: string;
}

export interface Task {
  id: string;
  contextId: string;
  status: TaskStatus;
  artifacts?: Artifact[];
  history?: Message[];
  metadata?: Obj;
}

/** One item of a streamed reply. `final` marks the last status update. */
export type StreamEvent =
  | { kind: "task"; task: Task }
  | { kind: "message"; message: Message }
  | { kind: "status"; taskId: string; contextId: string; status: TaskStatus; final: boolean }
  | { kind: "artifact"; taskId: string; contextId: string; artifact: Artifact };

const V1_STATE: Record<TaskState, string> = {
  submitted: "TASK_STATE_SUBMITTED",
  working: "TASK_STATE_WORKING",
  "input-required": "TASK_STATE_INPUT_REQUIRED",
  "auth-required": "TASK_STATE_AUTH_REQUIRED",
  completed: "TASK_STATE_COMPLETED",
  failed: "TASK_STATE_FAILED",
  canceled: "TASK_STATE_CANCELED",
  rejected: "TASK_STATE_REJECTED",
  unknown: "TASK_STATE_UNSPECIFIED",
};

/** Reads a state in either spelling ("TASK_STATE_INPUT_REQUIRED", "input-required", "cancelled"). */
export function decodeState(raw: unknown): TaskState {
  if (typeof raw !== "string") return "unknown";
  const s = raw.replace(/^TASK_STATE_/i, "").toLowerCase().replaceAll("_", "-");
  if (s === "cancelled") return "canceled";
  return s in V1_STATE ? (s as TaskState) : "unknown";
}

const opt = <K extends string, V>(key: K, v: V | undefined): Partial<Record<K, V>> => (v === undefined ? {} : ({ [key]: v } as Record<K, V>));

function encodePart(p: Part, wire: Wire): Obj {
  const meta = opt("metadata", p.metadata);
  if (wire === "1.0") {
    if (p.kind === "text") return { text: p.text, ...opt("mediaType", p.mediaType), ...meta };
    if (p.kind === "data") return { data: p.data, ...opt("mediaType", p.mediaType), ...meta };
    return { ...(p.url !== undefined ? { url: p.url } : { raw: p.bytes ?? "" }), ...opt("mediaType", p.mediaType), ...opt("filename", p.name), ...meta };
  }
  if (p.kind === "text") return { kind: "text", text: p.text, ...meta };
  // 0.3 data parts hold an object
  if (p.kind === "data") return { kind: "data", data: typeof p.data === "object" && p.data !== null && !Array.isArray(p.data) ? p.data : { value: p.data }, ...meta };
  return { kind: "file", file: { ...(p.url !== undefined ? { uri: p.url } : { bytes: p.bytes ?? "" }), ...opt("mimeType", p.mediaType), ...opt("name", p.name) }, ...meta };
}

/** A message in the wire format. */
export function encodeMessage(m: Message, wire: Wire): Obj {
  return {
    ...(wire === "0.3" ? { kind: "message" } : {}),
    messageId: m.messageId,
    ...opt("contextId", m.contextId),
    ...opt("taskId", m.taskId),
    role: wire === "1.0" ? (m.role === "user" ? "ROLE_USER" : "ROLE_AGENT") : m.role,
    parts: m.parts.map((p) => encodePart(p, wire)),
    ...opt("metadata", m.metadata),
    ...(m.extensions?.length ? { extensions: m.extensions } : {}),
    ...(m.referenceTaskIds?.length ? { referenceTaskIds: m.referenceTaskIds } : {}),
  };
}

const encodeStatus = (s: TaskStatus, wire: Wire): Obj => ({
  state: wire === "1.0" ? V1_STATE[s.state] : s.state,
  ...(s.message ? { message: encodeMessage(s.message, wire) } : {}),
  ...opt("timestamp", s.timestamp),
});

const encodeArtifact = (a: Artifact, wire: Wire): Obj => ({
  artifactId: a.artifactId,
  ...opt("name", a.name),
  ...opt("description", a.description),
  parts: a.parts.map((p) => encodePart(p, wire)),
  ...opt("metadata", a.metadata),
});

/** A task in the wire format (the result of GetTask / CancelTask). */
export function encodeTask(t: Task, wire: Wire): Obj {
  return {
    ...(wire === "0.3" ? { kind: "task" } : {}),
    id: t.id,
    contextId: t.contextId,
    status: encodeStatus(t.status, wire),
    ...(t.artifacts?.length ? { artifacts: t.artifacts.map((a) => encodeArtifact(a, wire)) } : {}),
    ...(t.history ? { history: t.history.map((m) => encodeMessage(m, wire)) } : {}),
    ...opt("metadata", t.metadata),
  };
}

/** The result of SendMessage / message/send: 1.x wraps it (`{ task }` or `{ message }`), 0.3 does not. */
export function encodeSendResult(r: { task: Task } | { message: Message }, wire: Wire): Obj {
  if ("task" in r) return wire === "1.0" ? { task: encodeTask(r.task, wire) } : encodeTask(r.task, wire);
  return wire === "1.0" ? { message: encodeMessage(r.message, wire) } : encodeMessage(r.message, wire);
}

/** One streamed result in the wire format (the `result` of each SSE JSON-RPC response). */
export function encodeStreamEvent(e: StreamEvent, wire: Wire): Obj {
  switch (e.kind) {
    case "task":
      return encodeSendResult({ task: e.task }, wire);
    case "message":
      return encodeSendResult({ message: e.message }, wire);
    case "status": {
      const body = { taskId: e.taskId, contextId: e.contextId, status: encodeStatus(e.status, wire) };
      return wire === "1.0" ? { statusUpdate: body } : { kind: "status-update", ...body, final: e.final };
    }
    case "artifact": {
      const body = { taskId: e.taskId, contextId: e.contextId, artifact: encodeArtifact(e.artifact, wire), lastChunk: true };
      return wire === "1.0" ? { artifactUpdate: body } : { kind: "artifact-update", ...body };
    }
  }
}

const Meta = z.record(z.string(), z.unknown()).optional();

// lenient: peers' answers are read with the same schema (the front door checks its input: parts.ts)
const Bytes = z.string();
const Url = z.string();

/** The media type a `data:` URL names (`data:image/png;base64,…` → `image/png`). */
const dataUrlType = (url: string | undefined): string | undefined => /^data:([^;,]+)[;,]/i.exec(url ?? "")?.[1];

/**
 * A part in either format: 1.x (`text` | `data` | `url` | `raw`, with `mediaType`,
 * `filename`) or 0.3 (`kind`, `file: { uri | bytes, mimeType, name }`, and the 0.3 proto
 * JSON names `fileWithUri` / `fileWithBytes` that A2A §A.2.1 shows).
 */
export const WirePart = z
  .object({
    kind: z.string().optional(),
    text: z.string().optional(),
    data: z.unknown().optional(),
    url: Url.optional(),
    raw: Bytes.optional(),
    file: z
      .object({
        uri: Url.optional(),
        bytes: Bytes.optional(),
        fileWithUri: Url.optional(),
        fileWithBytes: Bytes.optional(),
        mimeType: z.string().optional(),
        mediaType: z.string().optional(),
        name: z.string().optional(),
      })
      .optional(),
    mediaType: z.string().optional(),
    filename: z.string().optional(),
    metadata: Meta,
  })
  .transform((p, ctx): Part => {
    const metadata = opt("metadata", p.metadata);
    // proto3 strings are unset when empty (ProtoJSON writers may send "")
    const given = (...v: (string | undefined)[]) => v.find((x) => x !== undefined && x !== "");
    const media = opt("mediaType", given(p.mediaType));
    if (typeof p.text === "string") return { kind: "text", text: p.text, ...media, ...metadata };
    if (p.data !== undefined) return { kind: "data", data: p.data, ...media, ...metadata };
    const url = p.url ?? p.file?.uri ?? p.file?.fileWithUri;
    const bytes = p.raw ?? p.file?.bytes ?? p.file?.fileWithBytes;
    if (url !== undefined || bytes !== undefined) {
      const mediaType = given(p.mediaType, p.file?.mimeType, p.file?.mediaType, dataUrlType(url));
      return { kind: "file", ...opt("url", url), ...opt("bytes", bytes), ...opt("mediaType", mediaType), ...opt("name", given(p.filename, p.file?.name)), ...metadata };
    }
    ctx.addIssue({ code: "custom", message: "a part needs text, data, a url or bytes" });
    return z.NEVER;
  });

/** A message in either format. */
export const WireMessage = z.object({
  messageId: z.string().min(1),
  role: z.enum(["ROLE_USER", "ROLE_AGENT", "user", "agent"]).transform((r) => (r === "ROLE_USER" || r === "user" ? "user" : "agent") as "user" | "agent"),
  parts: z.array(WirePart).min(1),
  contextId: z.string().min(1).optional(),
  taskId: z.string().min(1).optional(),
  metadata: Meta,
  extensions: z.array(z.string()).optional(),
  referenceTaskIds: z.array(z.string()).optional(),
});

/** An artifact in either format. */
export const WireArtifact = z.object({ artifactId: z.string().default(""), name: z.string().optional(), description: z.string().optional(), parts: z.array(WirePart).default([]), metadata: Meta });

/** A task in either format. */
export const WireTask = z.object({
  id: z.string().min(1),
  contextId: z.string().default(""),
  status: z.object({ state: z.unknown().transform(decodeState), message: WireMessage.optional(), timestamp: z.string().optional() }),
  artifacts: z.array(WireArtifact).optional(),
  history: z.array(z.unknown()).optional(),
  metadata: Meta,
});

/** The text of some parts, joined by newlines. */
export const partsText = (parts: readonly Part[]): string =>
  parts
    .filter((p): p is Extract<Part, { kind: "text" }> => p.kind === "text")
    .map((p) => p.text)
    .join("\n");
