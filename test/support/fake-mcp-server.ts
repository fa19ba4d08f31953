/**
 * A fake remote MCP server for tests and benchmarks: MCP Streamable HTTP (spec
 * 2025-11-25) through the official SDK's server side (`Server` +
 * `StreamableHTTPServerTransport`), stateful (`Mcp-Session-Id`, one SDK server per
 * session), on 127.0.0.1 at `<url>` = `http://127.0.0.1:<port>/mcp`.
 *
 * Tools (fake-mcp-tools.ts): `echo {text}`, `add {a, b}` (structured `{ sum }`),
 * `count {to, delayMs}` (progress, honours cancellation), `fail` (isError), `throw`
 * (JSON-RPC error), `hang` (answers never, until cancelled), `fetch_page {url}` (a
 * prompt injection), `delete_repo {repo}` (destructive), plus `tools` filler tools.
 *
 * Every HTTP request is recorded in `calls` (each JSON-RPC message of it, with its
 * headers) before any check, so a refused one shows too. It stops by itself: the
 * listener and its sockets are unref'd, and it closes after `maxLifetimeMs`.
 *
 * @example
 * const mcp = await startFakeMcpServer({ token: "t0k", pageSize: 50, tools: 250 });
 * // … point the code under test at mcp.url …
 * expect(mcp.calls.filter((c) => c.method === "tools/call").map((c) => c.tool)).toEqual(["echo"]);
 * await mcp.close();
 */
import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { Socket } from "node:net";
import { Server } from "@modelcontextprotocol/sdk/server/index.js";
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import { addedTool, builtinTools, fillerTool, serveTools, type FakeTool, type ToolRun } from "./fake-mcp-tools.ts";

export { PROMPT_INJECTION } from "./fake-mcp-tools.ts";
export type { ToolRun } from "./fake-mcp-tools.ts";

/** How the HTTP layer misbehaves, for every request until `setFault(null)`. */
export type FakeMcpFault =
  /** 200 `text/html` that is not JSON (neither JSON nor an event stream). */
  | "garbage"
  /** 500 with a plain-text body. */
  | "500"
  /** Reads the request and never answers (until the client gives up or `close()`). */
  | "hang-http";

export interface FakeMcpOptions {
  /** Require `Authorization: Bearer <token>`; anything else is a 401. */
  token?: string;
  /** Headers every request must carry with these values (names case-insensitive); else a 403. */
  requiredHeaders?: Record<string, string>;
  /** Filler tools (`filler_001`…) listed after the named ones. Default 0. */
  tools?: number;
  /** Tools per `tools/list` page (then `nextCursor`); all in one page when undefined. */
  pageSize?: number;
  /** Closes itself after this long in any case. Default 10 minutes. */
  maxLifetimeMs?: number;
}

/** One JSON-RPC message received (or one bodiless HTTP request: GET, DELETE). */
export interface RecordedCall extends ToolRun {
  /** The HTTP method that carried it. */
  http: string;
  /** The JSON-RPC method (`initialize`, `tools/call`, `notifications/cancelled`…); absent for GET and DELETE. */
  method?: string;
  /** The JSON-RPC id (requests only). */
  id?: string | number;
  /** The `Mcp-Session-Id` header it came with. */
  sessionId?: string;
  /** Its HTTP headers, names lower-cased (`authorization`, custom headers, `mcp-protocol-version`…). */
  headers: Record<string, string>;
  /** `tools/call`: the tool's name and arguments. */
  tool?: string;
  args?: Record<string, unknown>;
  /** `_meta.progressToken`, when the request asked for progress. */
  progressToken?: string | number;
  /** `notifications/cancelled`: the id of the request cancelled, and why. */
  cancels?: string | number;
  reason?: string;
  /** GET: `open` once the SDK answered with the session's event stream (list_changed travels on it), `closed` when it ended. */
  stream?: "open" | "closed";
  /** Refused by the HTTP layer before the SDK saw it: 401 (token), 403 (required header), or a fault. */
  refused?: "unauthorized" | "forbidden" | FakeMcpFault;
}

export interface FakeMcpServer {
  /** `http://127.0.0.1:<port>/mcp`. */
  url: string;
  /** Everything received, in order (a live array: it grows as requests come). */
  calls: RecordedCall[];
  /** Adds (or replaces) a tool answering "<name> called" and sends `notifications/tools/list_changed` to every session. */
  addTool(name: string): Promise<void>;
  /** Removes a tool (any, built-in too) and sends `notifications/tools/list_changed` to every session. */
  removeTool(name: string): Promise<void>;
  /** Makes every following HTTP request misbehave (`null`: behave again). */
  setFault(fault: FakeMcpFault | null): void;
  /** Forgets every session: their next request gets 404, so a client must initialize again. */
  dropSessions(): Promise<void>;
  /** The ids of the sessions open now. */
  sessions(): string[];
  close(): Promise<void>;
}

interface Session {
  server: Server;
  transport: StreamableHTTPServerTransport;
}

const MAX_BODY_BYTES = 4 * 1024 * 1024;

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY_BYTES) req.destroy(new Error("body too large"));
      else chunks.push(c);
    });
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

const flatHeaders = (req: IncomingMessage): Record<string, string> =>
  Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(", ") : (v ?? "")]));

/** The recorded form of one JSON-RPC message (whatever shape it has: the SDK judges it). */
function recordOf(message: unknown, base: RecordedCall): RecordedCall {
  if (typeof message !== "object" || message === null) return { ...base };
  const m = message as { method?: unknown; id?: unknown; params?: Record<string, unknown> };
  const rec: RecordedCall = { ...base, ...(typeof m.method === "string" ? { method: m.method } : {}) };
  if (typeof m.id === "string" || typeof m.id === "number") rec.id = m.id;
  const params = m.params ?? {};
  const token = (params._meta as { progressToken?: unknown } | undefined)?.progressToken;
  if (typeof token === "string" || typeof token === "number") rec.progressToken = token;
  if (m.method === "tools/call") {
    if (typeof params.name === "string") rec.tool = params.name;
    if (typeof params.arguments === "object" && params.arguments !== null) rec.args = params.arguments as Record<string, unknown>;
  }
  if (m.method === "notifications/cancelled") {
    if (typeof params.requestId === "string" || typeof params.requestId === "number") rec.cancels = params.requestId;
    if (typeof params.reason === "string") rec.reason = params.reason;
  }
  return rec;
}

/** Marks a GET's record `stream: "open"` when the SDK writes a 200 event-stream head (Node has no event for it), `closed` at the end. */
function watchStream(res: ServerResponse, rec: RecordedCall): void {
  const writeHead = res.writeHead.bind(res) as (...args: unknown[]) => ServerResponse;
  res.writeHead = ((...args: unknown[]) => {
    if (args[0] === 200) rec.stream = "open";
    return writeHead(...args);
  }) as ServerResponse["writeHead"];
  res.once("close", () => {
    if (rec.stream === "open") rec.stream = "closed";
  });
}

/** Answers a refused request; a `hang-http` one never. */
function refuse(res: ServerResponse, why: NonNullable<RecordedCall["refused"]>): void {
  switch (why) {
    case "unauthorized":
      res.writeHead(401, { "content-type": "text/plain", "www-authenticate": 'Bearer realm="fake-mcp"' }).end("missing or wrong bearer token");
      return;
    case "forbidden":
      res.writeHead(403, { "content-type": "text/plain" }).end("a required header is missing or wrong");
      return;
    case "garbage":
      res.writeHead(200, { "content-type": "text/html" }).end("<html><body>definitely {not json</body></html>");
      return;
    case "500":
      res.writeHead(500, { "content-type": "text/plain" }).end("the fake MCP server broke (on purpose)");
      return;
    case "hang-http":
      return;
  }
}

/**
 * Starts a fake MCP server on 127.0.0.1 (a free port).
 *
 * @example
 * const mcp = await startFakeMcpServer({ requiredHeaders: { "x-tenant": "acme" } });
 */
export async function startFakeMcpServer(options: FakeMcpOptions = {}): Promise<FakeMcpServer> {
  const { token, requiredHeaders = {}, tools: fillers = 0, pageSize, maxLifetimeMs = 10 * 60_000 } = options;
  if (pageSize !== undefined && !(Number.isInteger(pageSize) && pageSize >= 1)) throw new RangeError(`pageSize must be a positive integer, got ${pageSize}`);
  if (!(Number.isInteger(fillers) && fillers >= 0 && fillers <= 10_000)) throw new RangeError(`tools must be an integer in [0, 10000], got ${fillers}`);
  const tools = new Map<string, FakeTool>();
  for (const t of builtinTools()) tools.set(t.definition.name, t);
  for (let n = 1; n <= fillers; n++) {
    const t = fillerTool(n, fillers);
    tools.set(t.definition.name, t);
  }
  const calls: RecordedCall[] = [];
  const requests = new Map<string, RecordedCall>(); // `${session} ${id}` → its record, for the tool to write its run on
  const sessions = new Map<string, Session>();
  let fault: FakeMcpFault | null = null;

  function openSession(): Session {
    const server = new Server({ name: "fake-mcp", version: "1.0.0" }, { capabilities: { tools: { listChanged: true } } });
    serveTools(server, tools, pageSize, (extra) => requests.get(`${extra.sessionId} ${extra.requestId}`) ?? {});
    const transport: StreamableHTTPServerTransport = new StreamableHTTPServerTransport({
      sessionIdGenerator: randomUUID,
      onsessioninitialized: (id) => void sessions.set(id, session),
      onsessionclosed: (id) => void sessions.delete(id),
    });
    const session = { server, transport };
    return session;
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (new URL(req.url ?? "/", "http://127.0.0.1").pathname !== "/mcp") {
      res.writeHead(404, { "content-type": "text/plain" }).end("the fake MCP server is at /mcp");
      return;
    }
    const headers = flatHeaders(req);
    const sessionId = headers["mcp-session-id"];
    const base: RecordedCall = { http: req.method ?? "", headers, ...(sessionId ? { sessionId } : {}) };
    const raw = req.method === "POST" ? await readBody(req) : "";
    let body: unknown = raw;
    try {
      body = JSON.parse(raw);
    } catch {} // the raw text goes to the SDK, which answers its parse error
    const recs = req.method !== "POST" ? [{ ...base }] : (Array.isArray(body) ? body : [body]).map((m) => recordOf(m, base));
    calls.push(...recs);
    const refused: RecordedCall["refused"] =
      fault ??
      (token !== undefined && headers.authorization !== `Bearer ${token}` ? "unauthorized" : undefined) ??
      (Object.entries(requiredHeaders).some(([k, v]) => headers[k.toLowerCase()] !== v) ? "forbidden" : undefined);
    if (refused !== undefined) {
      for (const r of recs) r.refused = refused;
      return refuse(res, refused);
    }
    for (const r of recs) if (r.id !== undefined && r.method !== undefined) requests.set(`${sessionId} ${r.id}`, r);
    if (sessionId !== undefined && !sessions.has(sessionId)) {
      // a session we never opened or have dropped: 404 tells the client to initialize again (spec: session management)
      res.writeHead(404, { "content-type": "application/json" }).end(JSON.stringify({ jsonrpc: "2.0", error: { code: -32001, message: "Session not found" }, id: null }));
      return;
    }
    if (req.method === "GET") watchStream(res, recs[0]!);
    const session = sessionId === undefined ? openSession() : sessions.get(sessionId)!;
    if (sessionId === undefined) await session.server.connect(session.transport);
    await session.transport.handleRequest(req, res, body);
    // a request with no session that did not initialize one (the SDK refused it): nothing will use this server
    if (sessionId === undefined && session.transport.sessionId === undefined) await session.server.close();
  }

  const sockets = new Set<Socket>();
  const http = createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      if (!res.headersSent) res.writeHead(500, { "content-type": "text/plain" });
      res.end(`fake MCP server error: ${e instanceof Error ? e.message : String(e)}`);
    });
  });
  http.on("connection", (s) => {
    sockets.add(s);
    s.unref(); // an open SSE stream must not keep the test process alive
    s.on("close", () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
  http.unref();
  const { port } = http.address() as { port: number };

  const notifyAll = async () => {
    await Promise.all([...sessions.values()].map((s) => s.server.sendToolListChanged().catch(() => undefined)));
  };
  const dropSessions = async () => {
    const open = [...sessions.values()];
    sessions.clear();
    await Promise.all(open.map((s) => s.server.close()));
  };
  let closed: Promise<void> | undefined;
  const close = () =>
    (closed ??= (async () => {
      clearTimeout(killer);
      await dropSessions(); // aborts tools still running (hang, count): their signals fire
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => http.close(() => r()));
    })());
  const killer = setTimeout(() => void close(), maxLifetimeMs);
  killer.unref();

  return {
    url: `http://127.0.0.1:${port}/mcp`,
    calls,
    async addTool(name) {
      tools.set(name, addedTool(name));
      await notifyAll();
    },
    async removeTool(name) {
      if (tools.delete(name)) await notifyAll();
    },
    setFault(next) {
      fault = next;
    },
    dropSessions,
    sessions: () => [...sessions.keys()],
    close,
  };
}
