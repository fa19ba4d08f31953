/**
 * A fake remote A2A agent for tests, built with the official `@a2a-js/sdk` server
 * (express + `DefaultRequestHandler`), on 127.0.0.1. Each agent lives under its own
 * base path with its own card at `<base>/.well-known/agent-card.json`:
 *
 *   /v1/echo     protocol 1.0; answers a Message "echo: <text>" and a data part
 *   /v1/task     protocol 1.0; answers a completed Task with a text + data artifact
 *   /v1/slow     protocol 1.0; answers a working Task that completes ~300 ms later (GetTask polling)
 *   /v1/fail     protocol 1.0; answers a failed Task ("the agent broke")
 *   /v1/hang     protocol 1.0; answers a working Task that never finishes
 *   /v03/echo    protocol 0.3 card; the same echo through the SDK's v0.3 compat layer
 *   /v03/slow    protocol 0.3 card; the slow task (tasks/get polling)
 *   /v1/parts    protocol 1.0; answers "parts: <n>" and a data part listing the parts as the SDK read them
 *   /v03/parts   protocol 0.3 card; the same through the SDK's v0.3 compat layer
 *
 * Streaming agents (their cards declare `capabilities.streaming`; the SDK streams their events):
 *
 *   /v1/stream          the Task (working), a working status "reading: <text>", an artifact chunk "first: <text>",
 *                       then (~30 ms later, or once released when the text contains "[hold]") a working status
 *                       "writing", a second chunk "second" appended to the first, and the completed status:
 *                       output "first: <text>\nsecond"
 *   /v03/stream         the same, protocol 0.3 card (message/stream, `kind` fields, `final`)
 *   /v1/stream-echo     a message-only stream: one Message "echo: <text>"
 *   /v1/stream-fail     working, a chunk, then failed ("the agent broke mid-stream")
 *   /v1/stream-input    working, then input-required ("which date?")
 *   /v1/stream-hang     working and a status update, then nothing: never finishes
 *
 * Scripted streaming agents (no SDK: exact bytes; 1.0 cards declaring streaming), /raw/<mode>:
 *
 *   rpc-error    the Task, then an `event: error` JSON-RPC error -32603 ("the model crashed")
 *   refuse       HTTP 200 application/json JSON-RPC error -32602 (how the SDK refuses before streaming)
 *   http-error   HTTP 500 with a text body
 *   garbage      text/event-stream whose first event is not JSON
 *   not-sse      HTTP 200 text/html
 *   cut          the Task and a chunk "partial", then the stream ends; GetTask then answers it completed ("partial", "rest")
 *   cut-early    text/event-stream that ends with no event
 *   rewrite      a chunk "draft", then the same artifact replaced by "final", completed
 *
 *   GET /seen?agent=v1/echo      headers of that agent's last JSON-RPC call (idempotency-key, traceparent, …)
 *   GET /methods?agent=v1/echo   the JSON-RPC methods that agent was called with, in order
 *   GET /held?text=T             how many held streams whose text contains T are still waiting
 *   POST /release?text=T         lets a held stream (text containing "[hold]") whose text contains T go on
 */
import { randomUUID } from "node:crypto";
import type { Server } from "node:http";
import express from "express";
import { Role, TaskState, type AgentCard, type Message, type Part, type Task } from "@a2a-js/sdk";
import { DefaultRequestHandler, InMemoryTaskStore, type AgentExecutor, type RequestContext } from "@a2a-js/sdk/server";
import { AgentEvent } from "@a2a-js/sdk/server";
import { agentCardHandler, jsonRpcHandler, UserBuilder } from "@a2a-js/sdk/server/express";
import { Holds, RAW_MODES, scripted } from "./a2a-streaming.ts";

export interface A2aUpstream {
  url: string;
  close(): Promise<void>;
}

type Behaviour = "echo" | "task" | "slow" | "fail" | "hang" | "parts" | "stream" | "stream-echo" | "stream-fail" | "stream-input" | "stream-hang";


const text = (value: string): Part => ({ content: { $case: "text", value }, metadata: undefined, filename: "", mediaType: "" });
const data = (value: unknown): Part => ({ content: { $case: "data", value }, metadata: undefined, filename: "", mediaType: "" });
const agentMessage = (ctx: RequestContext, parts: Part[]): Message => ({
  messageId: randomUUID(),
  contextId: ctx.contextId,
  taskId: "",
  role: Role.ROLE_AGENT,
  parts,
  metadata: undefined,
  extensions: [],
  referenceTaskIds: [],
});

function inputText(ctx: RequestContext): string {
  return ctx.userMessage.parts.map((p) => (p.content?.$case === "text" ? p.content.value : "")).join("");
}

function task(ctx: RequestContext, state: TaskState, artifacts: Task["artifacts"] = [], message?: Message): Task {
  return { id: ctx.taskId, contextId: ctx.contextId, status: { state, message, timestamp: new Date().toISOString() }, artifacts, history: [ctx.userMessage], metadata: undefined };
}

/** The parts of the user's message as the SDK decoded them (bytes by their length). */
function partsSeen(ctx: RequestContext): Record<string, unknown>[] {
  return ctx.userMessage.parts.map((p) => {
    const c = p.content;
    const value = c?.$case === "raw" ? { bytes: c.value.length } : c ? c.value : undefined;
    return { kind: c?.$case, value, mediaType: p.mediaType, filename: p.filename };
  });
}

function result(ctx: RequestContext): Task["artifacts"] {
  const input = inputText(ctx);
  return [{ artifactId: "answer", name: "answer", description: "", parts: [text(`done: ${input}`), data({ chars: input.length })], metadata: undefined, extensions: [] }];
}

const status = (ctx: RequestContext, state: TaskState, said?: string) =>
  AgentEvent.statusUpdate({ taskId: ctx.taskId, contextId: ctx.contextId, status: { state, message: said === undefined ? undefined : agentMessage(ctx, [text(said)]), timestamp: new Date().toISOString() }, metadata: undefined });
const chunk = (ctx: RequestContext, value: string, append: boolean, lastChunk: boolean) =>
  AgentEvent.artifactUpdate({ taskId: ctx.taskId, contextId: ctx.contextId, artifact: { artifactId: "answer", name: "answer", description: "", parts: [text(value)], metadata: undefined, extensions: [] }, append, lastChunk, metadata: undefined });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function executor(behaviour: Behaviour, store: InMemoryTaskStore, holds: Holds): AgentExecutor {
  return {
    async execute(ctx, bus) {
      const input = inputText(ctx);
      switch (behaviour) {
        case "stream":
          bus.publish(AgentEvent.task(task(ctx, TaskState.TASK_STATE_WORKING)));
          bus.publish(status(ctx, TaskState.TASK_STATE_WORKING, `reading: ${input}`));
          bus.publish(chunk(ctx, `first: ${input}`, false, false));
          await (input.includes("[hold]") ? holds.wait(input) : sleep(30));
          bus.publish(status(ctx, TaskState.TASK_STATE_WORKING, "writing"));
          bus.publish(chunk(ctx, "second", true, true));
          bus.publish(status(ctx, TaskState.TASK_STATE_COMPLETED));
          break;
        case "stream-echo":
          bus.publish(AgentEvent.message(agentMessage(ctx, [text(`echo: ${input}`)])));
          break;
        case "stream-fail":
          bus.publish(AgentEvent.task(task(ctx, TaskState.TASK_STATE_WORKING)));
          bus.publish(chunk(ctx, `first: ${input}`, false, false));
          await sleep(30);
          bus.publish(status(ctx, TaskState.TASK_STATE_FAILED, "the agent broke mid-stream"));
          break;
        case "stream-input":
          bus.publish(AgentEvent.task(task(ctx, TaskState.TASK_STATE_WORKING)));
          await sleep(30);
          bus.publish(status(ctx, TaskState.TASK_STATE_INPUT_REQUIRED, "which date?"));
          break;
        case "stream-hang":
          bus.publish(AgentEvent.task(task(ctx, TaskState.TASK_STATE_WORKING)));
          bus.publish(status(ctx, TaskState.TASK_STATE_WORKING, "thinking"));
          return; // never finishes
        case "echo":
          bus.publish(AgentEvent.message(agentMessage(ctx, [text(`echo: ${input}`), data({ chars: input.length })])));
          break;
        case "task":
          bus.publish(AgentEvent.task(task(ctx, TaskState.TASK_STATE_SUBMITTED)));
          bus.publish(AgentEvent.task(task(ctx, TaskState.TASK_STATE_COMPLETED, result(ctx))));
          break;
        case "parts": {
          const seen = partsSeen(ctx);
          bus.publish(AgentEvent.message(agentMessage(ctx, [text(`parts: ${seen.length}`), data({ parts: seen })])));
          break;
        }
        case "fail":
          bus.publish(AgentEvent.task(task(ctx, TaskState.TASK_STATE_FAILED, [], agentMessage(ctx, [text("the agent broke")]))));
          break;
        case "slow":
        case "hang": {
          bus.publish(AgentEvent.task(task(ctx, TaskState.TASK_STATE_WORKING)));
          if (behaviour === "slow") {
            const done = task(ctx, TaskState.TASK_STATE_COMPLETED, result(ctx));
            setTimeout(() => void store.save(done, ctx.context), 300).unref();
          }
          break;
        }
      }
      bus.finished();
    },
    async cancelTask() {},
  };
}

function v1Card(url: string, name: string, streaming = false): AgentCard {
  return {
    name,
    description: `fake A2A agent ${name}`,
    supportedInterfaces: [
      { url, protocolBinding: "JSONRPC", protocolVersion: "1.0", tenant: "" },
      { url, protocolBinding: "JSONRPC", protocolVersion: "0.3", tenant: "" },
    ],
    provider: undefined,
    version: "1.0.0",
    capabilities: { streaming, pushNotifications: false, extensions: [], extendedAgentCard: false },
    securitySchemes: {},
    securityRequirements: [],
    defaultInputModes: ["text/plain"],
    defaultOutputModes: ["text/plain", "application/json"],
    skills: [],
    signatures: [],
  };
}

/** Starts the agents on 127.0.0.1 (any free port). They close themselves after `maxLifetimeMs` if nobody closes them first. */
export async function startA2aUpstream({ maxLifetimeMs = 10 * 60_000 }: { maxLifetimeMs?: number } = {}): Promise<A2aUpstream> {
  const app = express();
  const seen = new Map<string, Record<string, string | string[] | undefined>>();
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, "127.0.0.1", () => resolve(s));
  });
  const address = server.address();
  const base = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`;
  const methods = new Map<string, string[]>();
  const holds = new Holds();
  app.get("/seen", (req, res) => void res.json(seen.get(String(req.query.agent)) ?? null));
  app.get("/methods", (req, res) => void res.json(methods.get(String(req.query.agent)) ?? []));
  app.post("/release", (req, res) => void res.json({ released: holds.release(String(req.query.text)) }));
  app.get("/held", (req, res) => void res.json({ held: holds.held(String(req.query.text)) }));
  const agents: [string, Behaviour, "1.0" | "0.3"][] = [
    ["v1/echo", "echo", "1.0"],
    ["v1/task", "task", "1.0"],
    ["v1/slow", "slow", "1.0"],
    ["v1/fail", "fail", "1.0"],
    ["v1/hang", "hang", "1.0"],
    ["v03/echo", "echo", "0.3"],
    ["v03/slow", "slow", "0.3"],
    ["v1/stream", "stream", "1.0"],
    ["v03/stream", "stream", "0.3"],
    ["v1/stream-echo", "stream-echo", "1.0"],
    ["v1/stream-fail", "stream-fail", "1.0"],
    ["v1/stream-input", "stream-input", "1.0"],
    ["v1/stream-hang", "stream-hang", "1.0"],
    ["v1/parts", "parts", "1.0"],
    ["v03/parts", "parts", "0.3"],
  ];
  /** Records each JSON-RPC call's headers and method (the body parsed here, once: the SDK's parser then skips it). */
  const record = (path: string) => [
    express.json(),
    (req: express.Request, _res: express.Response, next: express.NextFunction) => {
      seen.set(path, { ...req.headers });
      methods.set(path, [...(methods.get(path) ?? []), String((req.body as { method?: unknown } | undefined)?.method)]);
      next();
    },
  ];
  for (const [path, behaviour, version] of agents) {
    const url = `${base}/${path}/rpc`;
    const store = new InMemoryTaskStore();
    const streaming = behaviour.startsWith("stream");
    const card = v1Card(url, path, streaming);
    const handler = new DefaultRequestHandler(card, store, executor(behaviour, store, holds));
    const router = express.Router();
    if (version === "1.0") router.use("/.well-known/agent-card.json", agentCardHandler({ agentCardProvider: handler }));
    else
      router.get("/.well-known/agent-card.json", (_req, res) =>
        void res.json({
          name: path,
          description: `fake A2A agent ${path} (v0.3)`,
          url,
          protocolVersion: "0.3.0",
          preferredTransport: "JSONRPC",
          version: "1.0.0",
          capabilities: { streaming },
          defaultInputModes: ["text/plain"],
          defaultOutputModes: ["text/plain"],
          skills: [],
        }),
      );
    router.use("/rpc", ...record(path));
    router.use("/rpc", jsonRpcHandler({ requestHandler: handler, userBuilder: UserBuilder.noAuthentication, legacyCompat: { enabled: true } }));
    app.use(`/${path}`, router);
  }
  for (const mode of RAW_MODES) {
    const path = `raw/${mode}`;
    app.get(`/${path}/.well-known/agent-card.json`, (_req, res) => void res.json(v1Card(`${base}/${path}/rpc`, path, true)));
    app.post(`/${path}/rpc`, ...record(path), (req, res) => scripted(mode, req, res));
  }
  const sockets = new Set<import("node:net").Socket>();
  server.on("connection", (s) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  let closed: Promise<void> | undefined;
  const close = () =>
    (closed ??= new Promise<void>((resolve) => {
      clearTimeout(killer);
      holds.releaseAll();
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    }));
  const killer = setTimeout(close, maxLifetimeMs);
  killer.unref();
  return { url: base, close };
}
