import { request as httpRequest } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startDevServer, type DevServer } from "../../support/dev-server.ts";
import { allTools, connectMcp, textOf } from "../../support/mcp-client.ts";

let server: DevServer;
const auth = { authorization: "Bearer dev-key" };
/** A JSON-RPC POST to /mcp as a client without the SDK sends it. */
const rpc = (body: unknown, headers: Record<string, string> = {}, query = "") =>
  fetch(`${server.url}/mcp${query}`, { method: "POST", headers: { ...auth, accept: "application/json, text/event-stream", "content-type": "application/json", ...headers }, body: JSON.stringify(body) });
const initialize = { jsonrpc: "2.0", id: 1, method: "initialize", params: { protocolVersion: "2025-11-25", capabilities: {}, clientInfo: { name: "curl", version: "1" } } };

beforeAll(async () => {
  server = await startDevServer(); // exactly `npm run dev`: the bundled config, its example MCP server (`ops`) behind the SPECIALISTS binding
});
afterAll(async () => {
  await server?.stop();
});

describe("MCP door (/mcp) with the official SDK client over wrangler dev, bundled config", () => {
  it("initializes a session: the router's name, tools with listChanged, instructions, a UUID session id", async () => {
    const { client, transport } = await connectMcp(server.url);
    expect(client.getServerVersion()).toMatchObject({ name: "switchyard" });
    expect(client.getServerCapabilities()?.tools).toEqual({ listChanged: true });
    expect(client.getInstructions()).toMatch(/find_tools/);
    expect(transport.sessionId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    await client.close();
  });

  it("lists one catalogue: route, find_tools, each specialist, and the example MCP server's tools as ops__<tool>", async () => {
    const { client } = await connectMcp(server.url);
    const names = (await allTools(client)).tools.map((t) => t.name);
    for (const n of ["route", "find_tools", "units", "arithmetic", "ops__get_weather", "ops__convert_units", "ops__delete_ticket"]) expect(names).toContain(n);
    expect(names).not.toContain("ops"); // an MCP server is its tools, not a tool
    expect([...names].sort()).toEqual(names); // in name order, the order pages follow
    await client.close();
  });

  it("calls a specialist tool, the route tool (an ordinary routed hop), and a tool of the example server through its binding", async () => {
    const { client } = await connectMcp(server.url);
    const units = await client.callTool({ name: "units", arguments: { input: "convert 5 km to miles" } });
    expect(textOf(units)).toBe("5 kilometers = 3.10686 miles");
    expect(units._meta?.["switchyard/specialist"]).toBe("units");
    const routed = await client.callTool({ name: "route", arguments: { input: "what is 12 times 7" } });
    expect(textOf(routed)).toBe("12 * 7 = 84");
    expect(routed._meta?.["switchyard/specialist"]).toBe("arithmetic");
    const weather = await client.callTool({ name: "ops__get_weather", arguments: { city: "Lisbon" } });
    expect(weather.isError).toBeFalsy();
    expect(textOf(weather)).toMatch(/Lisbon/);
    const bad = await client.callTool({ name: "units", arguments: { text: "no input" } });
    expect(bad.isError).toBe(true);
    expect(textOf(bad)).toMatch(/input/);
    await expect(client.callTool({ name: "nope", arguments: {} })).rejects.toThrow(/Unknown tool: nope/);
    await client.close();
  });

  it("find_tools ranks the catalogue for a task description and answers with schemas", async () => {
    const { client } = await connectMcp(server.url);
    const r = await client.callTool({ name: "find_tools", arguments: { query: "what's the weather like in Paris right now", k: 3 } });
    const found = (r.structuredContent as { tools: { name: string; inputSchema: unknown; score: number }[] }).tools;
    expect(found).toHaveLength(3);
    expect(found.map((t) => t.name)).toContain("ops__get_weather");
    expect(found[0]!.inputSchema).toMatchObject({ type: "object" });
    expect(found[0]!.score).toBeGreaterThanOrEqual(found[2]!.score);
    const tooMany = await client.callTool({ name: "find_tools", arguments: { query: "x", k: 500 } });
    expect(tooMany.isError).toBe(true);
    await client.close();
  });

  it("scopes a session by its URL: ?tools= globs, and ?query= for the k tools that fit a task", async () => {
    const scoped = await connectMcp(server.url, { query: "tools=route,ops__get_*" });
    expect((await allTools(scoped.client)).tools.map((t) => t.name)).toEqual(["ops__get_weather", "route"]);
    await expect(scoped.client.callTool({ name: "units", arguments: { input: "5 km in miles" } })).rejects.toThrow(/Unknown tool/);
    const ranked = await connectMcp(server.url, { query: `query=${encodeURIComponent("open a support ticket about a broken order")}&k=4` });
    const names = (await allTools(ranked.client)).tools.map((t) => t.name);
    expect(names).toHaveLength(4);
    expect(names).toContain("ops__create_ticket");
    for (const c of [scoped, ranked]) await c.client.close();
  });

  it("screens a tool's result with the bundled mode (flag): an order whose customer note carries an injection is flagged in _meta", async () => {
    const { client } = await connectMcp(server.url);
    const r = await client.callTool({ name: "ops__lookup_order", arguments: { orderId: "ORD-6666" } });
    expect(textOf(r)).toMatch(/IGNORE ALL PREVIOUS INSTRUCTIONS/);
    expect(r._meta?.["switchyard/screening"]).toMatchObject({ output: { flagged: true } });
    const clean = await client.callTool({ name: "ops__lookup_order", arguments: { orderId: "ORD-1234" } });
    expect(clean._meta?.["switchyard/screening"]).toBeUndefined();
    await client.close();
  });

  it("holds a tool a bundled policy gates (ops__delete_ticket) for approval and never runs it silently", async () => {
    const { client } = await connectMcp(server.url);
    const r = await client.callTool({ name: "ops__delete_ticket", arguments: { id: "T-1" } });
    expect(r.isError).toBe(true);
    expect(textOf(r)).toMatch(/deleting needs a human's approval/);
    const approval = r._meta?.["switchyard/approval"] as { task: string; links: { approve: string } };
    expect(approval.links.approve).toBe(`${server.url}/v1/tasks/${approval.task}/approve`);
    const task = (await (await fetch(`${server.url}/v1/tasks/${approval.task}`, { headers: auth })).json()) as { status: string };
    expect(task.status).toBe("awaiting_approval");
    await client.close();
  });

  it("keeps the session across requests and connections: a new client with its id goes on, and its audit chain has every call", async () => {
    const first = await connectMcp(server.url);
    const id = first.transport.sessionId!;
    await first.client.callTool({ name: "units", arguments: { input: "3 kg to lb" } });
    await first.client.close();
    const again = await connectMcp(server.url, { sessionId: id }); // no initialize: the same session
    expect(textOf(await again.client.callTool({ name: "arithmetic", arguments: { input: "2 + 2" } }))).toBe("2 + 2 = 4");
    const audit = (await (await fetch(`${server.url}/v1/mcp/sessions/${id}/audit`, { headers: auth })).json()) as { entries: { action: string; detail: Record<string, unknown> }[]; verification: { ok: boolean; anchoredAt?: number } };
    expect(audit.verification.ok).toBe(true);
    expect(audit.verification.anchoredAt).toBe(audit.entries.length);
    expect(audit.entries.map((e) => `${e.action} ${String(e.detail.tool)}`)).toEqual(["tool.call units", "tool.result units", "tool.call arithmetic", "tool.result arithmetic"]);
    expect(audit.entries[1]!.detail.result).toMatch(/^[0-9a-f]{64}$/);
    await again.transport.terminateSession(); // DELETE: the session ends
    const gone = await rpc({ jsonrpc: "2.0", id: 2, method: "tools/list" }, { "mcp-session-id": id, "mcp-protocol-version": "2025-11-25" });
    expect(gone.status).toBe(404);
    // the client ended its session, not its trail: the chain stays readable (mcp.auditRetentionDays)
    const kept = (await (await fetch(`${server.url}/v1/mcp/sessions/${id}/audit`, { headers: auth })).json()) as typeof audit;
    expect(kept.entries).toEqual(audit.entries);
    expect(kept.verification.ok).toBe(true);
  });

  it("refuses a request id already in use on the session rather than crossing answers, and lets a new GET stream replace a dropped one", async () => {
    const { client, transport } = await connectMcp(server.url);
    const sid = transport.sessionId!;
    const headers = { "mcp-session-id": sid, "mcp-protocol-version": "2025-11-25" };
    const call = (city: string) => rpc({ jsonrpc: "2.0", id: 77, method: "tools/call", params: { name: "ops__get_weather", arguments: { city } } }, headers);
    const answers = await Promise.all([call("Oslo"), call("Rome"), call("Lima")]);
    const texts = await Promise.all(answers.map((r) => r.text()));
    const ok = answers.filter((r) => r.status === 200);
    expect(ok.length).toBeGreaterThanOrEqual(1);
    for (const [i, r] of answers.entries()) {
      if (r.status === 200) expect(texts[i]).toMatch(/"id":77/);
      else expect(JSON.parse(texts[i]!).error).toMatchObject({ code: -32600, message: expect.stringMatching(/request id 77 is already in use/) });
    }
    expect((await call("Oslo")).status).toBe(200); // free again once answered
    const batch = await rpc([{ jsonrpc: "2.0", id: 5, method: "tools/list" }, { jsonrpc: "2.0", id: 5, method: "tools/list" }], headers);
    expect(batch.status).toBe(400);
    for (let i = 0; i < 2; i++) {
      const ac = new AbortController();
      const get = await fetch(`${server.url}/mcp`, { headers: { ...auth, ...headers, accept: "text/event-stream" }, signal: ac.signal });
      expect(get.status, `GET ${i}`).toBe(200);
      ac.abort(); // dropped without a word: the next GET takes its place at once
    }
    await client.close();
  });

  it("answers sessions it never gave with 404, a request needing a session without one with 400, and keeps nothing for a non-initialize", async () => {
    for (const sid of [crypto.randomUUID(), "not-a-session", "../../etc"]) {
      const r = await rpc({ jsonrpc: "2.0", id: 2, method: "tools/list" }, { "mcp-session-id": sid });
      expect(r.status, sid).toBe(404);
      expect(((await r.json()) as { error: { code: number } }).error.code).toBe(-32001);
    }
    const get = await fetch(`${server.url}/mcp`, { headers: { ...auth, accept: "text/event-stream" } });
    expect(get.status).toBe(400);
    const notInit = await rpc({ jsonrpc: "2.0", id: 3, method: "tools/list" });
    expect(notInit.status).toBe(400);
    expect(notInit.headers.get("mcp-session-id")).toBeNull();
    const garbage = await fetch(`${server.url}/mcp`, { method: "POST", headers: { ...auth, accept: "application/json, text/event-stream", "content-type": "application/json" }, body: "{not json" });
    expect(garbage.status).toBe(400);
    expect(((await garbage.json()) as { error: { code: number } }).error.code).toBe(-32700);
    const deep = await rpc({ jsonrpc: "2.0", id: 4, method: "initialize", params: { protocolVersion: "2025-11-25", capabilities: {}, clientInfo: { name: "x", version: "1" }, nested: JSON.parse("[".repeat(200) + "]".repeat(200)) } });
    expect(deep.status).toBe(400);
    expect(((await deep.json()) as { error: { code: number; message: string } }).error).toMatchObject({ code: -32600, message: expect.stringMatching(/nested deeper than 64/) });
  });

  it("takes the router's keys only, refuses a foreign Origin and bad scope parameters, before any session", async () => {
    expect((await rpc(initialize, { authorization: "" })).status).toBe(401);
    expect((await rpc(initialize, { authorization: "Bearer wrong" })).status).toBe(401);
    const foreign = await rpc(initialize, { origin: "https://evil.example" });
    expect(foreign.status).toBe(403);
    expect(((await foreign.json()) as { detail: string }).detail).toMatch(/evil\.example/);
    const own = await rpc(initialize, { origin: server.url });
    expect(own.status).toBe(200);
    // DNS rebinding: the attacker's name resolves to this machine, so its page sends its own Host and Origin
    const u = new URL(server.url);
    const rebound = await new Promise<number>((resolve, reject) => {
      const body = JSON.stringify(initialize);
      const r = httpRequest({ host: "127.0.0.1", port: u.port, path: "/mcp", method: "POST", headers: { host: `evil.example:${u.port}`, origin: `http://evil.example:${u.port}`, ...auth, accept: "application/json, text/event-stream", "content-type": "application/json", "content-length": Buffer.byteLength(body) } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      r.on("error", reject);
      r.end(body);
    });
    expect(rebound).toBe(403);
    for (const q of ["?k=0", "?k=many", `?query=${"x".repeat(2001)}`]) {
      const r = await rpc(initialize, {}, q);
      expect(r.status, q).toBe(400);
      expect(r.headers.get("content-type")).toMatch(/application\/problem\+json/);
    }
  });
});
