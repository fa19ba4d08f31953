import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { ErrorCode, McpError, ToolListChangedNotificationSchema, type Progress } from "@modelcontextprotocol/sdk/types.js";
import { afterEach, describe, expect, it } from "vitest";
import { PROMPT_INJECTION, startFakeMcpServer, type FakeMcpOptions, type FakeMcpServer, type RecordedCall } from "../../support/fake-mcp-server.ts";

/**
 * The fake MCP server (test/support/fake-mcp-server.ts) against the SDK's own client
 * (`Client` + `StreamableHTTPClientTransport`): what the MCP gateway's tests will lean on.
 */
const servers: FakeMcpServer[] = [];
const clients: Client[] = [];
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function start(options?: FakeMcpOptions): Promise<FakeMcpServer> {
  const mcp = await startFakeMcpServer(options);
  servers.push(mcp);
  return mcp;
}

async function connect(mcp: FakeMcpServer, headers: Record<string, string> = {}): Promise<Client> {
  const client = new Client({ name: "fake-mcp-test", version: "1.0.0" });
  clients.push(client);
  await client.connect(new StreamableHTTPClientTransport(new URL(mcp.url), { requestInit: { headers } }));
  return client;
}

/** Waits (bounded) until `probe` returns something defined. */
async function until<T>(probe: () => T | undefined, what: string, timeoutMs = 5_000): Promise<T> {
  for (const deadline = Date.now() + timeoutMs; Date.now() < deadline; await new Promise((r) => setTimeout(r, 10))) {
    const v = probe();
    if (v !== undefined) return v;
  }
  throw new Error(`timed out waiting for ${what}`);
}

const toolCall = (mcp: FakeMcpServer, tool: string): RecordedCall | undefined => mcp.calls.findLast((c) => c.method === "tools/call" && c.tool === tool);
const BUILTIN = ["echo", "add", "count", "fail", "throw", "hang", "fetch_page", "delete_repo"];

describe("fake MCP server: tools", () => {
  it("listens on 127.0.0.1 at /mcp and lists its tools with titles, descriptions and JSON Schemas", async () => {
    const mcp = await start();
    expect(mcp.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/mcp$/u);
    expect((await fetch(new URL("/other", mcp.url), { method: "POST" })).status).toBe(404);
    const client = await connect(mcp);
    const { tools, nextCursor } = await client.listTools();
    expect(nextCursor).toBeUndefined();
    expect(tools.map((t) => t.name)).toEqual(BUILTIN);
    for (const t of tools) expect(t.title && t.description, t.name).toBeTruthy();
    const byName = Object.fromEntries(tools.map((t) => [t.name, t]));
    expect(byName.add!.inputSchema).toMatchObject({ type: "object", properties: { a: { type: "number" }, b: { type: "number" } }, required: ["a", "b"] });
    expect(byName.add!.outputSchema).toMatchObject({ type: "object", properties: { sum: { type: "number" } } });
    expect(byName.delete_repo!.annotations).toMatchObject({ destructiveHint: true });
  });

  it("pages tools/list: a client must follow nextCursor to see all 258, and a bad cursor is -32602", async () => {
    const mcp = await start({ tools: 250, pageSize: 40 });
    const client = await connect(mcp);
    const names: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await client.listTools(cursor === undefined ? {} : { cursor });
      expect(page.tools.length).toBeLessThanOrEqual(40);
      names.push(...page.tools.map((t) => t.name));
      cursor = page.nextCursor;
      pages++;
    } while (cursor !== undefined && pages < 20);
    expect(pages).toBe(7);
    expect(names).toHaveLength(258);
    expect(new Set(names).size).toBe(258);
    expect(names.slice(0, 9)).toEqual([...BUILTIN, "filler_001"]);
    expect(names.at(-1)).toBe("filler_250");
    expect(mcp.calls.filter((c) => c.method === "tools/list")).toHaveLength(7);
    await expect(client.listTools({ cursor: "bm90LWEtY3Vyc29y" })).rejects.toMatchObject({ code: ErrorCode.InvalidParams });
    expect(await client.callTool({ name: "filler_123", arguments: {} })).toEqual({ content: [{ type: "text", text: "filler_123" }] });
  });

  it("answers each tool as documented and records the call (tool, args, headers)", async () => {
    const mcp = await start();
    const client = await connect(mcp, { "x-trace-me": "yes" });
    expect(await client.callTool({ name: "echo", arguments: { text: "hi there" } })).toEqual({ content: [{ type: "text", text: "hi there" }] });
    expect(await client.callTool({ name: "add", arguments: { a: 2, b: 40 } })).toEqual({ content: [{ type: "text", text: "42" }], structuredContent: { sum: 42 } });
    const page = await client.callTool({ name: "fetch_page", arguments: { url: "https://shop.example/item" } });
    expect(page.content).toEqual([{ type: "text", text: expect.stringContaining(PROMPT_INJECTION) }]);
    expect(PROMPT_INJECTION).toMatch(/^IGNORE ALL PREVIOUS INSTRUCTIONS .*https:\/\/evil\.example\/collect/u);
    expect(await client.callTool({ name: "delete_repo", arguments: { repo: "acme/app" } })).toEqual({ content: [{ type: "text", text: "deleted acme/app" }] });
    expect(await client.callTool({ name: "fail", arguments: {} })).toEqual({ content: [{ type: "text", text: "the tool failed (on purpose)" }], isError: true });
    const thrown = await client.callTool({ name: "throw", arguments: {} }).catch((e: unknown) => e);
    expect(thrown).toBeInstanceOf(McpError);
    expect(thrown).toMatchObject({ code: ErrorCode.InternalError, message: expect.stringContaining("the tool threw (on purpose)") });
    // bad arguments are a tool error the model can read; an unknown tool is a protocol error
    expect(await client.callTool({ name: "add", arguments: { a: "two" } })).toMatchObject({ isError: true, content: [{ text: expect.stringMatching(/^Input validation error/u) }] });
    await expect(client.callTool({ name: "nope", arguments: {} })).rejects.toMatchObject({ code: ErrorCode.InvalidParams });

    const echo = toolCall(mcp, "echo")!;
    expect(echo).toMatchObject({ http: "POST", tool: "echo", args: { text: "hi there" }, outcome: "ok", sessionId: mcp.sessions()[0] });
    expect(echo.headers).toMatchObject({ "x-trace-me": "yes", "mcp-session-id": mcp.sessions()[0], "mcp-protocol-version": "2025-11-25" });
    expect(toolCall(mcp, "fail")!.outcome).toBe("tool-error");
    expect(toolCall(mcp, "throw")!.outcome).toBe("rpc-error");
    expect(mcp.calls.slice(0, 2).map((c) => c.method)).toEqual(["initialize", "notifications/initialized"]);
  });
});

describe("fake MCP server: progress and cancellation", () => {
  it("count reports progress (progress, total, message) for each step when the call carries a progress token", async () => {
    const mcp = await start();
    const client = await connect(mcp);
    const seen: Progress[] = [];
    const res = await client.callTool({ name: "count", arguments: { to: 4, delayMs: 5 } }, undefined, { onprogress: (p) => seen.push(p) });
    expect(res).toEqual({ content: [{ type: "text", text: "counted to 4" }] });
    expect(seen).toEqual([1, 2, 3, 4].map((i) => ({ progress: i, total: 4, message: `step ${i} of 4` })));
    const rec = toolCall(mcp, "count")!;
    expect(rec.progressToken).toBeDefined();
    expect(rec).toMatchObject({ progress: 4, outcome: "ok" });

    await client.callTool({ name: "count", arguments: { to: 3 } });
    expect(toolCall(mcp, "count")).toMatchObject({ outcome: "ok" });
    expect(toolCall(mcp, "count")!.progressToken).toBeUndefined();
    expect(toolCall(mcp, "count")!.progress).toBeUndefined();
  });

  it("count stops when the client cancels, and the server records the cancel", async () => {
    const mcp = await start();
    const client = await connect(mcp);
    const abort = new AbortController();
    const call = client.callTool({ name: "count", arguments: { to: 500, delayMs: 20 } }, undefined, {
      onprogress: (p) => (p.progress >= 2 ? abort.abort("enough") : undefined),
      signal: abort.signal,
    });
    await expect(call).rejects.toThrow();
    const rec = await until(() => (toolCall(mcp, "count")?.outcome === "cancelled" ? toolCall(mcp, "count") : undefined), "the count to see its cancel");
    const cancel = mcp.calls.find((c) => c.method === "notifications/cancelled");
    expect(cancel).toMatchObject({ cancels: rec.id, reason: "enough" });
    const progressAtCancel = rec.progress!;
    expect(progressAtCancel).toBeGreaterThanOrEqual(2);
    expect(progressAtCancel).toBeLessThan(500);
    await new Promise((r) => setTimeout(r, 150)); // ~7 steps' worth: none of them may run
    expect(rec.progress).toBe(progressAtCancel);
  });

  it("hang never answers: the client's timeout cancels it, and so does closing the server", async () => {
    const mcp = await start();
    const client = await connect(mcp);
    await expect(client.callTool({ name: "hang", arguments: {} }, undefined, { timeout: 200 })).rejects.toMatchObject({ code: ErrorCode.RequestTimeout });
    await until(() => (toolCall(mcp, "hang")?.outcome === "cancelled" ? true : undefined), "hang to be cancelled");
    expect(mcp.calls.some((c) => c.method === "notifications/cancelled" && c.cancels === toolCall(mcp, "hang")!.id)).toBe(true);

    const pending = client.callTool({ name: "hang", arguments: {} }, undefined, { timeout: 30_000 }).catch((e: unknown) => e);
    const rec = await until(() => mcp.calls.findLast((c) => c.tool === "hang" && c.outcome === undefined), "the second hang to arrive");
    await mcp.close();
    expect(rec.outcome).toBe("cancelled");
    // the server closed the call's stream with no answer: the SDK client waits on until it is itself closed
    await client.close();
    expect(await pending).toMatchObject({ code: ErrorCode.ConnectionClosed });
  });
});

describe("fake MCP server: tools/list_changed", () => {
  it("addTool and removeTool notify connected sessions, and the list follows", async () => {
    const mcp = await start();
    const client = await connect(mcp);
    let changes = 0;
    client.setNotificationHandler(ToolListChangedNotificationSchema, () => void changes++);
    // the notification travels on the session's GET stream, which the client opens after initializing
    await until(() => mcp.calls.find((c) => c.http === "GET" && c.sessionId === mcp.sessions()[0] && c.stream === "open"), "the client's GET stream");
    await mcp.addTool("late_tool");
    await until(() => (changes === 1 ? true : undefined), "the first list_changed");
    expect((await client.listTools()).tools.map((t) => t.name)).toContain("late_tool");
    expect(await client.callTool({ name: "late_tool", arguments: {} })).toEqual({ content: [{ type: "text", text: "late_tool called" }] });
    await mcp.removeTool("late_tool");
    await mcp.removeTool("echo");
    await until(() => (changes === 3 ? true : undefined), "two more list_changed");
    expect((await client.listTools()).tools.map((t) => t.name)).toEqual(BUILTIN.filter((n) => n !== "echo"));
  });
});

describe("fake MCP server: HTTP (auth, required headers, faults)", () => {
  const echo = { name: "echo", arguments: { text: "ping" } };
  const pong = { content: [{ type: "text", text: "ping" }] };

  it("with a token, refuses requests without `Authorization: Bearer <token>` (401), records them, and serves the right one", async () => {
    const mcp = await start({ token: "s3cret" });
    await expect(connect(mcp)).rejects.toMatchObject({ code: 401 });
    await expect(connect(mcp, { authorization: "Bearer wrong" })).rejects.toMatchObject({ code: 401 });
    expect(mcp.calls.map((c) => [c.method, c.refused])).toEqual([
      ["initialize", "unauthorized"],
      ["initialize", "unauthorized"],
    ]);
    expect(mcp.sessions()).toEqual([]);
    const client = await connect(mcp, { authorization: "Bearer s3cret" });
    expect(await client.callTool(echo)).toEqual(pong);
    expect(toolCall(mcp, "echo")!.headers.authorization).toBe("Bearer s3cret");
    expect(toolCall(mcp, "echo")!.refused).toBeUndefined();
  });

  it("with required headers, refuses a request missing one or with another value (403)", async () => {
    const mcp = await start({ requiredHeaders: { "X-Tenant": "acme" } });
    await expect(connect(mcp)).rejects.toMatchObject({ code: 403 });
    await expect(connect(mcp, { "x-tenant": "globex" })).rejects.toMatchObject({ code: 403 });
    const client = await connect(mcp, { "X-Tenant": "acme" });
    expect(await client.callTool(echo)).toEqual(pong);
    expect(mcp.calls.filter((c) => c.refused === "forbidden")).toHaveLength(2);
    expect(mcp.calls.filter((c) => c.refused === undefined).every((c) => c.headers["x-tenant"] === "acme")).toBe(true);
  });

  it("setFault: 500, garbage (200 text/html), hang-http (no answer), then null behaves again", async () => {
    const mcp = await start();
    const client = await connect(mcp);
    mcp.setFault("500");
    await expect(client.callTool(echo)).rejects.toMatchObject({ code: 500, message: expect.stringContaining("broke (on purpose)") });
    mcp.setFault("garbage");
    await expect(client.callTool(echo)).rejects.toThrow(/Unexpected content type: text\/html/u);
    mcp.setFault("hang-http");
    await expect(client.callTool(echo, undefined, { timeout: 300 })).rejects.toMatchObject({ code: ErrorCode.RequestTimeout });
    mcp.setFault(null);
    expect(await client.callTool(echo)).toEqual(pong);
    const echoes = mcp.calls.filter((c) => c.tool === "echo");
    expect(echoes.map((c) => c.refused)).toEqual(["500", "garbage", "hang-http", undefined]);
    expect(echoes.at(-1)!.outcome).toBe("ok");
  });
});

describe("fake MCP server: sessions and lifetime", () => {
  it("gives each client its own Mcp-Session-Id; dropped sessions get 404 and a client that initializes again works", async () => {
    const mcp = await start();
    const a = await connect(mcp);
    const b = await connect(mcp);
    const first = a.transport?.sessionId;
    expect(mcp.sessions().sort()).toEqual([first, b.transport?.sessionId].sort());
    expect(new Set(mcp.sessions()).size).toBe(2);
    await mcp.dropSessions();
    expect(mcp.sessions()).toEqual([]);
    await expect(a.callTool({ name: "echo", arguments: { text: "x" } })).rejects.toMatchObject({ code: 404 });

    const again = await connect(mcp);
    const second = again.transport?.sessionId;
    expect(mcp.sessions()).toEqual([second]);
    expect(second).not.toBe(first);
    expect(await again.callTool({ name: "echo", arguments: { text: "x" } })).toEqual({ content: [{ type: "text", text: "x" }] });
    await (again.transport as StreamableHTTPClientTransport).terminateSession();
    expect(mcp.sessions()).toEqual([]);
    expect(mcp.calls.findLast((c) => c.http === "DELETE")).toMatchObject({ sessionId: second });
  });

  it("leaves requests without a session that do not initialize to the SDK (400), opening nothing", async () => {
    const mcp = await start();
    const res = await fetch(mcp.url, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json, text/event-stream" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/list" }),
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ jsonrpc: "2.0", error: { code: expect.any(Number) } });
    const garbled = await fetch(mcp.url, { method: "POST", headers: { "content-type": "application/json", accept: "application/json, text/event-stream" }, body: "{oops" });
    expect(garbled.status).toBe(400);
    expect(await garbled.json()).toMatchObject({ error: { code: ErrorCode.ParseError } });
    expect(mcp.sessions()).toEqual([]);
    expect(mcp.calls.map((c) => c.method)).toEqual(["tools/list", undefined]);
  });

  it("closes: idempotent, port released; and it closes by itself after maxLifetimeMs", async () => {
    const mcp = await start();
    const client = await connect(mcp);
    await Promise.all([mcp.close(), mcp.close()]);
    await expect(fetch(mcp.url, { method: "POST" })).rejects.toThrow();
    await client.close();

    const brief = await start({ maxLifetimeMs: 100 });
    await connect(brief);
    await until(() => fetch(brief.url, { method: "POST" }).then(() => undefined, () => true), "the server to close itself", 5_000);
  });
});
