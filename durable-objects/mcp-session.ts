import { DurableObject } from "cloudflare:workers";
import type { Env } from "../worker/env.ts";
import { controlStub } from "../worker/control.ts";
import { getRuntime } from "../worker/runtime.ts";
import { anchored, verifyChain, type AuditEntry, type ChainVerdict } from "../worker/tasks/audit.ts";
import { KeyedConnections } from "../worker/protocols/mcp/connections.ts";
import { createSession, type LiveSession } from "../worker/protocols/mcp/server.ts";
import { SessionTools, type AppFetch, type SessionScope } from "../worker/protocols/mcp/session-tools.ts";
import type { McpClient } from "../worker/protocols/mcp/upstream.ts";
import { DOOR_HEADER, DoorCall } from "../worker/protocols/mcp/door.ts";
import { AuditLog } from "./audit-log.ts";
import { app } from "../worker/app.ts";
import { jsonDepth } from "../worker/http/json-guard.ts";

/** Deepest nesting of a JSON-RPC message the door takes (the envelope and params take 3; tool arguments get the rest). */
const MAX_MCP_DEPTH = 64;

/** A stored session: its scope, the client's `initialize` request (replayed when the object starts again), when it was last used. */
interface Stored {
  scope: SessionScope;
  initialize: unknown;
  lastUsedAt: number;
}

/** An ended session: whose it was, and when it ended (its audit chain is kept a while). */
interface Ended {
  scope: SessionScope;
  endedAt: number;
}

/** The answer to a request for a session this object does not hold (MCP 2025-11-25, "Session Management": 404, the client starts a new one). */
const gone = () =>
  Response.json({ jsonrpc: "2.0", error: { code: -32001, message: "Session not found: send a new initialize request without Mcp-Session-Id" }, id: null }, { status: 404 });

/**
 * One MCP session of the `/mcp` door (MCP 2025-11-25, Streamable HTTP): the official
 * SDK's server and transport live here, so every request of the session, its SSE
 * streams, and the answers a client sends back (elicitation) meet in one place, and
 * the session survives the Worker's isolates. Its scope and the client's `initialize`
 * are stored: an object that started again rebuilds the server by replaying it. Its
 * tool calls and their results' hashes form an audit chain (table `audit`), anchored
 * in the control plane. A session unused for `mcp.sessionTtlSeconds` ends (alarm); an
 * ended session's audit chain is kept `mcp.auditRetentionDays`.
 */
export class McpSession extends DurableObject<Env> {
  #stored: Stored | null | undefined;
  #live: Promise<LiveSession> | undefined;
  #tools: SessionTools | undefined;
  readonly #connections = new KeyedConnections((key, c) => this.#watch(key, c as McpClient));
  #auditInstance: AuditLog | undefined;
  /** JSON-RPC request ids being answered (as JSON: `7` and `"7"` differ). */
  readonly #inFlight = new Set<string>();

  get #audit(): AuditLog {
    return (this.#auditInstance ??= new AuditLog(this.ctx.storage.sql, async (head) => {
      const id = this.#stored?.scope.id;
      if (id) await controlStub(this.env)?.anchor(`mcp:${id}`, head.seq, head.hash);
    }));
  }

  async #load(): Promise<Stored | null> {
    if (this.#stored === undefined) this.#stored = (await this.ctx.storage.get<Stored>("session")) ?? null;
    return this.#stored;
  }

  /** Serves one request of the session (the door checked the key and the session id's form). */
  override async fetch(request: Request): Promise<Response> {
    const door = DoorCall.parse(JSON.parse(request.headers.get(DOOR_HEADER) ?? "null"));
    const stored = await this.#load();
    // the body the door passed on is left unread: cancelled, so its stream is not left waiting
    const refuse = async () => (await request.body?.cancel().catch(() => undefined), gone());
    if (door.create ? stored !== null : stored === null || stored.scope.tenant !== door.scope.tenant) return refuse();
    const rt = await getRuntime(this.env);
    if (stored && Date.now() - stored.lastUsedAt > rt.config.mcp.sessionTtlSeconds * 1000) {
      await this.#end();
      return refuse();
    }
    let parsedBody: unknown;
    if (request.method === "POST") {
      const text = await request.text();
      // hashing and checking arguments walk them: a body nested past any real tool's arguments is refused before
      if (jsonDepth(text, MAX_MCP_DEPTH) > MAX_MCP_DEPTH) return Response.json({ jsonrpc: "2.0", error: { code: -32600, message: `Invalid Request: JSON nested deeper than ${MAX_MCP_DEPTH} levels` }, id: null }, { status: 400 });
      try {
        parsedBody = JSON.parse(text);
      } catch {
        return Response.json({ jsonrpc: "2.0", error: { code: -32700, message: "Parse error: the body is not JSON" }, id: null }, { status: 400 });
      }
    }
    const ids = requestIds(parsedBody);
    const clash = ids.find((id, i) => this.#inFlight.has(id) || ids.indexOf(id) !== i);
    if (clash !== undefined) return Response.json({ jsonrpc: "2.0", error: { code: -32600, message: `Invalid Request: the request id ${clash} is already in use on this session` }, id: null }, { status: 400 });
    const pending: Stored = stored ?? { scope: door.scope, initialize: parsedBody, lastUsedAt: Date.now() };
    const live = await this.#liveFor(pending);
    // one client per session: a new GET stream replaces one the client dropped (the SDK refuses a second with 409 until it notices)
    if (request.method === "GET") live.transport.closeStandaloneSSEStream();
    for (const id of ids) this.#inFlight.add(id);
    const res = await this.#untilAnswered(await live.transport.handleRequest(request, parsedBody === undefined ? undefined : { parsedBody }), ids);
    if (door.create && this.#stored === null) this.#drop(); // not an initialize: nothing is kept
    else if (this.#stored) {
      this.#stored.lastUsedAt = Date.now();
      await this.ctx.storage.put("session", this.#stored);
      await this.ctx.storage.setAlarm(Date.now() + rt.config.mcp.sessionTtlSeconds * 1000);
    }
    return res;
  }

  /** `res`, whose request ids stay in use until its body ends (or is cancelled): a reused id is refused meanwhile, never answered twice. */
  async #untilAnswered(res: Response, ids: readonly string[]): Promise<Response> {
    const release = () => ids.forEach((id) => this.#inFlight.delete(id));
    if (!ids.length) return res;
    if (!res.body) return release(), res;
    const reader = res.body.getReader();
    const body = new ReadableStream<Uint8Array>({
      async pull(c) {
        const { done, value } = await reader.read();
        if (done) release(), c.close();
        else c.enqueue(value);
      },
      cancel(reason) {
        release();
        return reader.cancel(reason);
      },
    });
    return new Response(body, res);
  }

  /**
   * The session's audit chain, for its tenant (GET /v1/mcp/sessions/:id/audit), verified
   * against its anchor, while the session lives and for `mcp.auditRetentionDays` after it
   * ended; undefined for another tenant's or none.
   */
  async audit(tenant: string): Promise<{ entries: AuditEntry[]; verification: ChainVerdict } | undefined> {
    const scope = (await this.#load())?.scope ?? (await this.ctx.storage.get<Ended>("ended"))?.scope;
    if (!scope || scope.tenant !== tenant) return undefined;
    const entries = this.#audit.entries();
    const chain = await verifyChain(entries);
    const anchor = await controlStub(this.env)?.anchorOf(`mcp:${scope.id}`);
    return { entries, verification: anchored(chain, entries, anchor) };
  }

  /** An idle session ends; an ended one's audit chain is deleted once kept `mcp.auditRetentionDays`. */
  override async alarm(): Promise<void> {
    const rt = await getRuntime(this.env);
    const stored = (this.#stored = (await this.ctx.storage.get<Stored>("session")) ?? null); // as stored, not as this instance last saw it
    if (stored) {
      const due = stored.lastUsedAt + rt.config.mcp.sessionTtlSeconds * 1000;
      if (Date.now() >= due) await this.#end();
      else await this.ctx.storage.setAlarm(due);
      return;
    }
    const ended = await this.ctx.storage.get<Ended>("ended");
    if (!ended) return;
    const until = ended.endedAt + rt.config.mcp.auditRetentionDays * 86_400_000;
    if (Date.now() >= until) {
      this.#auditInstance = undefined;
      await this.ctx.storage.deleteAll();
    } else await this.ctx.storage.setAlarm(until);
  }

  /** The live server for the session, built once per object (and, for a stored session, initialized again by replaying its `initialize`). */
  #liveFor(pending: Stored): Promise<LiveSession> {
    if (this.#live) return this.#live;
    const tools = new SessionTools({
      env: this.env,
      exec: { waitUntil: (p) => this.ctx.waitUntil(p), passThroughOnException: () => {}, props: {} } as ExecutionContext,
      appFetch,
      scope: () => (this.#stored ?? pending).scope,
      connections: this.#connections,
      audit: (actor, action, detail) => this.#audit.append(actor, action, detail),
      changed: () => void this.#live?.then((l) => l.server.sendToolListChanged()).catch(() => undefined),
    });
    this.#tools = tools;
    const live = createSession(pending.scope.id, tools, {
      initialized: async () => {
        if (this.#stored) return;
        this.#stored = { ...pending, lastUsedAt: Date.now() };
        await this.ctx.storage.put("session", this.#stored);
      },
      closed: () => this.#end(),
    }).then(async (l) => {
      if (this.#stored) await replayInitialize(l, this.#stored.initialize);
      return l;
    });
    this.#live = live;
    live.catch(() => this.#drop());
    return live;
  }

  /** Forgets the live server (its upstream sessions closed). */
  #drop(): void {
    const live = this.#live;
    this.#live = undefined;
    this.#tools = undefined;
    void this.#connections.close();
    void live?.then((l) => l.server.close()).catch(() => undefined);
  }

  /**
   * Ends the session (its client's DELETE, or idle past its TTL): it answers no more
   * requests (404), and what it stored goes, except its audit chain, kept with its scope
   * until `mcp.auditRetentionDays` have passed (a client cannot erase its own trail).
   */
  async #end(): Promise<void> {
    this.#drop();
    const scope = this.#stored?.scope ?? (await this.ctx.storage.get<Stored>("session"))?.scope;
    this.#stored = null;
    await this.ctx.storage.delete("session");
    if (!scope) return;
    const rt = await getRuntime(this.env);
    const ended: Ended = { scope, endedAt: Date.now() };
    await this.ctx.storage.put("ended", ended);
    await this.ctx.storage.setAlarm(ended.endedAt + rt.config.mcp.auditRetentionDays * 86_400_000);
  }

  /** Listens for an upstream session's `notifications/tools/list_changed`. */
  #watch(key: string, client: McpClient): void {
    client.fallbackNotificationHandler = async (n) => {
      if (n.method === "notifications/tools/list_changed") this.#tools?.toolsChanged(key);
    };
  }
}

/** The ids of the JSON-RPC requests in a message or batch (notifications and responses have none), as JSON. */
function requestIds(body: unknown): string[] {
  const messages = Array.isArray(body) ? body : [body];
  return messages.flatMap((m) => (m && typeof m === "object" && "method" in m && "id" in m && (m as { id: unknown }).id !== undefined ? [JSON.stringify((m as { id: unknown }).id)] : []));
}

/** The router's app, called in process by the session's tool calls. */
const appFetch: AppFetch = (request, env, ctx) => app.fetch(request, env, ctx);

/** Initializes a rebuilt server again with the client's stored `initialize` request; its answer is not sent anywhere. */
async function replayInitialize(live: LiveSession, initialize: unknown): Promise<void> {
  const request = new Request("https://switchyard.internal/mcp", { method: "POST", headers: { accept: "application/json, text/event-stream", "content-type": "application/json" } });
  const res = await live.transport.handleRequest(request, { parsedBody: initialize });
  await res.text();
}
