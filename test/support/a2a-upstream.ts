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
 *   GET /seen?agent=v1/echo   headers of that agent's last JSON-RPC call (idempotency-key, traceparent, …)
 */
import { randomUUID } from "node:crypto";
import type { Server } from "node:http";
import express from "express";
import { Role, TaskState, type AgentCard, type Message, type Part, type Task } from "@a2a-js/sdk";
import { DefaultRequestHandler, InMemoryTaskStore, type AgentExecutor, type RequestContext } from "@a2a-js/sdk/server";
import { AgentEvent } from "@a2a-js/sdk/server";
import { agentCardHandler, jsonRpcHandler, UserBuilder } from "@a2a-js/sdk/server/express";

export interface A2aUpstream {
  url: string;
  close(): Promise<void>;
}

type Behaviour = "echo" | "task" | "slow" | "fail" | "hang" | "parts";

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

function executor(behaviour: Behaviour, store: InMemoryTaskStore): AgentExecutor {
  return {
    async execute(ctx, bus) {
      const input = inputText(ctx);
      switch (behaviour) {
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

function v1Card(url: string, name: string): AgentCard {
  return {
    name,
    description: `fake A2A agent ${name}`,
    supportedInterfaces: [
      { url, protocolBinding: "JSONRPC", protocolVersion: "1.0", tenant: "" },
      { url, protocolBinding: "JSONRPC", protocolVersion: "0.3", tenant: "" },
    ],
    provider: undefined,
    version: "1.0.0",
    capabilities: { streaming: false, pushNotifications: false, extensions: [], extendedAgentCard: false },
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
  app.get("/seen", (req, res) => void res.json(seen.get(String(req.query.agent)) ?? null));
  const agents: [string, Behaviour, "1.0" | "0.3"][] = [
    ["v1/echo", "echo", "1.0"],
    ["v1/task", "task", "1.0"],
    ["v1/slow", "slow", "1.0"],
    ["v1/fail", "fail", "1.0"],
    ["v1/hang", "hang", "1.0"],
    ["v03/echo", "echo", "0.3"],
    ["v03/slow", "slow", "0.3"],
    ["v1/parts", "parts", "1.0"],
    ["v03/parts", "parts", "0.3"],
  ];
  for (const [path, behaviour, version] of agents) {
    const url = `${base}/${path}/rpc`;
    const store = new InMemoryTaskStore();
    const card = v1Card(url, path);
    const handler = new DefaultRequestHandler(card, store, executor(behaviour, store));
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
          capabilities: { streaming: false },
          defaultInputModes: ["text/plain"],
          defaultOutputModes: ["text/plain"],
          skills: [],
        }),
      );
    router.use("/rpc", (req, _res, next) => {
      seen.set(path, { ...req.headers });
      next();
    });
    router.use("/rpc", jsonRpcHandler({ requestHandler: handler, userBuilder: UserBuilder.noAuthentication, legacyCompat: { enabled: true } }));
    app.use(`/${path}`, router);
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
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    }));
  const killer = setTimeout(close, maxLifetimeMs);
  killer.unref();
  return { url: base, close };
}
