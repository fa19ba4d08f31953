import { ToolListChangedNotificationSchema } from "@modelcontextprotocol/sdk/types.js";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { startDevServer, type DevServer } from "../../support/dev-server.ts";
import { PROMPT_INJECTION, startFakeMcpServer, type FakeMcpServer } from "../../support/fake-mcp-server.ts";
import { allTools, connectMcp, FAKE_MCP_TOKEN, mcpConfig, textOf } from "../../support/mcp-client.ts";

let fake: FakeMcpServer;
let server: DevServer;
const auth = { authorization: "Bearer dev-key" };
const admin = { authorization: "Bearer dev-admin-key", "content-type": "application/json" };

beforeAll(async () => {
  fake = await startFakeMcpServer({ token: FAKE_MCP_TOKEN, requiredHeaders: { "x-team": "platform" }, tools: 12, pageSize: 5, maxLifetimeMs: 5 * 60_000 });
  server = await startDevServer({ vars: { SWITCHYARD_CONFIG: JSON.stringify(mcpConfig(fake.url)), FAKE_MCP_TOKEN } });
});
afterAll(async () => {
  await server?.stop();
  await fake?.close();
});
afterEach(() => fake.setFault(null));

/** The calls of one tool the fake received. */
const callsOf = (tool: string) => fake.calls.filter((c) => c.method === "tools/call" && c.tool === tool);

describe("MCP door: remote MCP servers' tools, proxied (official SDK client → wrangler dev → fake SDK server)", () => {
  it("lists every page of the remote server's tools, namespaced, with the router's credentials and headers", async () => {
    const { client } = await connectMcp(server.url);
    const { tools, pages } = await allTools(client);
    const names = tools.map((t) => t.name);
    expect(new Set(names).size).toBe(names.length);
    for (const n of ["fake__echo", "fake__add", "fake__count", "fake__filler_012", "gated__echo", "route", "find_tools", "units"]) expect(names).toContain(n);
    expect(pages).toBeGreaterThan(5); // 7 tools a page
    const add = tools.find((t) => t.name === "fake__add")!;
    expect(add.outputSchema).toMatchObject({ type: "object", properties: { sum: { type: "number" } } }); // members as the server sent them
    const listed = fake.calls.filter((c) => c.method === "tools/list");
    expect(listed.length).toBeGreaterThanOrEqual(4); // the fake's own pages were followed
    for (const c of fake.calls) expect(c.refused).toBeUndefined();
    expect(listed.every((c) => c.headers.authorization === `Bearer ${FAKE_MCP_TOKEN}` && c.headers["x-team"] === "platform")).toBe(true);
    await client.close();
  });

  it("calls a proxied tool: the server's result as sent, with the hop in _meta, on one upstream session reused across calls", async () => {
    const { client } = await connectMcp(server.url);
    const before = fake.sessions().length;
    const r = await client.callTool({ name: "fake__add", arguments: { a: 2, b: 40 } });
    expect(r.structuredContent).toEqual({ sum: 42 });
    expect(textOf(r)).toBe("42");
    expect(r._meta?.["switchyard/specialist"]).toBe("fake");
    expect(String(r._meta?.["switchyard/hop"])).toMatch(/^hop_/);
    const e = await client.callTool({ name: "fake__echo", arguments: { text: "hello" } });
    expect(textOf(e)).toBe("hello");
    expect(callsOf("add").at(-1)?.args).toEqual({ a: 2, b: 40 });
    expect(fake.sessions().length - before).toBe(1); // listing and both calls: one upstream session
    await client.close();
  });

  it("passes progress through as it comes, and a client's cancellation on to the server", async () => {
    const { client } = await connectMcp(server.url);
    const progress: { progress: number; total?: number }[] = [];
    const r = await client.callTool({ name: "fake__count", arguments: { to: 3, delayMs: 50 } }, undefined, { onprogress: (p) => progress.push(p) });
    expect(textOf(r)).toBe("counted to 3");
    expect(progress.map((p) => p.progress)).toEqual([1, 2, 3]);
    expect(progress[0]?.total).toBe(3);
    const ac = new AbortController();
    const cancelled = client.callTool({ name: "fake__count", arguments: { to: 100, delayMs: 100 } }, undefined, { signal: ac.signal, onprogress: () => {} });
    await new Promise((res) => setTimeout(res, 400));
    ac.abort("changed my mind");
    await expect(cancelled).rejects.toThrow();
    const count = callsOf("count").at(-1)!;
    for (let i = 0; i < 50 && !fake.calls.some((c) => c.method === "notifications/cancelled" && c.cancels === count.id); i++) await new Promise((res) => setTimeout(res, 100));
    expect(fake.calls.some((c) => c.method === "notifications/cancelled" && c.cancels === count.id)).toBe(true);
    expect(count.progress ?? 0).toBeLessThan(100);
    await client.close();
  });

  it("refreshes the catalogue when the server says its tool list changed, and tells the client", async () => {
    const { client } = await connectMcp(server.url);
    await allTools(client); // opens the upstream session (and its stream of server messages)
    let told = 0;
    client.setNotificationHandler(ToolListChangedNotificationSchema, async () => void told++);
    await fake.addTool("brand_new");
    for (let i = 0; i < 50 && told === 0; i++) await new Promise((res) => setTimeout(res, 100));
    expect(told).toBeGreaterThan(0);
    expect((await allTools(client)).tools.map((t) => t.name)).toContain("fake__brand_new");
    expect(textOf(await client.callTool({ name: "fake__brand_new", arguments: {} }))).toBe("brand_new called");
    await fake.removeTool("brand_new");
    await client.close();
  });

  it("answers a tool's own failure as the server said it, and every way the server can fail as a tool error, never a hang", async () => {
    const { client } = await connectMcp(server.url);
    const failed = await client.callTool({ name: "faulty__fail", arguments: {} });
    expect(failed.isError).toBe(true);
    expect(textOf(failed)).toBe("the tool failed (on purpose)");
    const threw = await client.callTool({ name: "faulty__throw", arguments: {} });
    expect(threw.isError).toBe(true);
    expect(textOf(threw)).toMatch(/the tool threw \(on purpose\)/);
    const hung = await client.callTool({ name: "faulty__hang", arguments: {} });
    expect(hung.isError).toBe(true);
    expect((hung._meta?.["switchyard/problem"] as { status?: number }).status).toBe(504);
    const hangId = callsOf("hang").at(-1)!.id;
    for (let i = 0; i < 30 && !fake.calls.some((c) => c.method === "notifications/cancelled" && c.cancels === hangId); i++) await new Promise((res) => setTimeout(res, 100));
    expect(fake.calls.some((c) => c.method === "notifications/cancelled" && c.cancels === hangId)).toBe(true); // the deadline cancels it upstream
    for (const [fault, status] of [["500", 502], ["garbage", 502], ["hang-http", 504]] as const) {
      fake.setFault(fault);
      const r = await client.callTool({ name: "faulty__echo", arguments: { text: "x" } });
      expect(r.isError, fault).toBe(true);
      expect((r._meta?.["switchyard/problem"] as { status?: number }).status, fault).toBe(status);
    }
    fake.setFault(null);
    expect(textOf(await client.callTool({ name: "faulty__echo", arguments: { text: "back" } }))).toBe("back");
    await client.close();
  });

  it("names a server it cannot list in tools/list's _meta and lists the rest", async () => {
    await fake.dropSessions();
    fake.setFault("500");
    const { client } = await connectMcp(server.url);
    const r = await client.listTools();
    const unavailable = r._meta?.["switchyard/unavailable"] as { server: string }[];
    expect(unavailable.map((u) => u.server).sort()).toEqual(["fake", "faulty", "gated", "metered"]);
    expect((await allTools(client)).tools.map((t) => t.name)).toContain("route");
    await client.close();
  });

  it("refuses a tool a policy denies, without calling the server", async () => {
    const { client } = await connectMcp(server.url);
    const before = callsOf("delete_repo").length;
    const r = await client.callTool({ name: "fake__delete_repo", arguments: { repo: "acme/app" } });
    expect(r.isError).toBe(true);
    expect(textOf(r)).toMatch(/denied by policy 'no-deletes': deleting is not for agents/);
    expect(callsOf("delete_repo").length).toBe(before);
    await client.close();
  });

  it("holds a tool behind approval: the client's user approves it (elicitation), or a reviewer does at the link", async () => {
    const asked: string[] = [];
    const yes = await connectMcp(server.url, { elicit: (m) => (asked.push(m), { action: "accept", content: { approve: true, reason: "fine" } }) });
    expect(textOf(await yes.client.callTool({ name: "gated__echo", arguments: { text: "approved" } }))).toBe("approved");
    expect(asked[0]).toMatch(/gated__echo.*a human looks first/s);
    const no = await connectMcp(server.url, { elicit: () => ({ action: "decline" }) });
    const declined = await no.client.callTool({ name: "gated__echo", arguments: { text: "never" } });
    expect(declined.isError).toBe(true);
    expect(callsOf("echo").some((c) => c.args?.text === "never")).toBe(false);

    const { client } = await connectMcp(server.url); // no elicitation: the link
    const held = await client.callTool({ name: "gated__echo", arguments: { text: "later" } });
    expect(held.isError).toBe(true);
    const approval = held._meta?.["switchyard/approval"] as { task: string; links: { approve: string; task: string } };
    expect(textOf(held)).toContain(approval.links.approve);
    expect(callsOf("echo").some((c) => c.args?.text === "later")).toBe(false); // never runs silently
    const ok = await fetch(approval.links.approve, { method: "POST", headers: admin, body: JSON.stringify({ by: "reviewer", reason: "checked" }) });
    expect(ok.status).toBe(200);
    let task: { status?: string; result?: unknown } = {};
    for (let i = 0; i < 50 && task.status !== "succeeded"; i++) {
      await new Promise((res) => setTimeout(res, 200));
      task = (await (await fetch(approval.links.task, { headers: auth })).json()) as typeof task;
    }
    expect(task.status).toBe("succeeded");
    expect(textOf(task.result)).toBe("later");
    for (const c of [yes, no]) await c.client.close();
    await client.close();
  });

  it("an approval answered wrongly (off the form, an error) is no approval: an error result and an audited outcome, never a hang", async () => {
    const bad = await connectMcp(server.url, { elicit: () => ({ action: "accept", content: { approve: "yes", reason: "x".repeat(600) } }) });
    const r1 = await bad.client.callTool({ name: "gated__echo", arguments: { text: "off-form" } });
    expect(r1.isError).toBe(true);
    expect(textOf(r1)).toMatch(/the approval was not answered/);
    const thrower = await connectMcp(server.url, {
      elicit: () => {
        throw new Error("user closed the dialog");
      },
    });
    const r2 = await thrower.client.callTool({ name: "gated__echo", arguments: { text: "thrown" } });
    expect(r2.isError).toBe(true);
    expect(callsOf("echo").some((c) => c.args?.text === "off-form" || c.args?.text === "thrown")).toBe(false);
    const audit = (await (await fetch(`${server.url}/v1/mcp/sessions/${bad.transport.sessionId}/audit`, { headers: auth })).json()) as { entries: { action: string; detail: Record<string, unknown> }[] };
    expect(audit.entries.map((e) => e.action)).toEqual(["tool.call", "tool.approval_requested", "tool.rejected", "tool.result"]);
    expect(audit.entries[2]!.detail.action).toBe("error");
    let asked = "";
    const long = await connectMcp(server.url, { elicit: (m) => ((asked = m), { action: "decline" }) });
    await long.client.callTool({ name: "gated__echo", arguments: { text: "a".repeat(3000), zzz: "the last key" } });
    expect(asked).toMatch(/Arguments \(\d+ characters; only the first 2000 shown, the call runs with all of them\)/);
    for (const c of [bad, thrower, long]) await c.client.close();
  });

  it("screens a tool's result (mode deny): a fetched page carrying an injection never reaches the client", async () => {
    const { client } = await connectMcp(server.url);
    const r = await client.callTool({ name: "fake__fetch_page", arguments: { url: "https://example.com" } });
    expect(r.isError).toBe(true);
    expect(textOf(r)).not.toContain(PROMPT_INJECTION);
    expect(textOf(r)).toMatch(/specialist's output looks like a prompt injection .*refused by screening/);
    expect(callsOf("fetch_page").length).toBeGreaterThan(0); // the tool ran: its result is what was withheld
    await client.close();
  });

  it("limits calls per MCP server with its pool: over its rpm, a call is refused with the wait, never sent", async () => {
    const { client } = await connectMcp(server.url);
    const texts = [];
    for (let i = 0; i < 3; i++) texts.push(await client.callTool({ name: "metered__echo", arguments: { text: `m${i}` } }));
    expect(texts.slice(0, 2).map(textOf)).toEqual(["m0", "m1"]);
    expect(texts[2]!.isError).toBe(true);
    const problem = texts[2]!._meta?.["switchyard/problem"] as { status: number; retryAfterSeconds?: number; type: string };
    expect(problem.status).toBe(429);
    expect(problem.type).toBe("urn:switchyard:problem:over-limit");
    expect(problem.retryAfterSeconds).toBeGreaterThan(0);
    expect(callsOf("echo").some((c) => c.args?.text === "m2")).toBe(false);
    await client.close();
  });

  it("a kill switch takes a server's tools off the list and refuses their calls", async () => {
    const off = await fetch(`${server.url}/v1/admin/specialists/fake/disable`, { method: "POST", headers: admin, body: JSON.stringify({ reason: "incident 42" }) });
    expect(off.status).toBe(200);
    try {
      const { client } = await connectMcp(server.url);
      let names: string[] = [];
      for (let i = 0; i < 30; i++) {
        names = (await allTools(client)).tools.map((t) => t.name);
        if (!names.includes("fake__echo")) break;
        await new Promise((res) => setTimeout(res, 200)); // switches are cached for 2 s
      }
      expect(names).not.toContain("fake__echo");
      expect(names).toContain("gated__echo");
      const r = await client.callTool({ name: "fake__echo", arguments: { text: "x" } });
      expect(r.isError).toBe(true);
      expect(textOf(r)).toMatch(/disabled by a kill switch \(incident 42\)/);
      // a switched-off server's gated tool is refused at once, not held for a reviewer
      await fetch(`${server.url}/v1/admin/specialists/gated/disable`, { method: "POST", headers: admin, body: JSON.stringify({ reason: "incident 43" }) });
      let held: Awaited<ReturnType<typeof client.callTool>> | undefined;
      for (let i = 0; i < 30; i++) {
        held = await client.callTool({ name: "gated__echo", arguments: { text: "x" } });
        if (/incident 43/.test(textOf(held))) break;
        await new Promise((res) => setTimeout(res, 200));
      }
      expect(textOf(held)).toMatch(/gated__echo was not run: 'gated' is disabled by a kill switch \(incident 43\)/);
      await client.close();
    } finally {
      for (const id of ["fake", "gated"]) await fetch(`${server.url}/v1/admin/specialists/${id}/enable`, { method: "POST", headers: admin, body: JSON.stringify({ reason: "resolved" }) });
      const { client } = await connectMcp(server.url);
      for (let i = 0; i < 30 && !(await allTools(client)).tools.some((t) => t.name === "fake__echo"); i++) await new Promise((res) => setTimeout(res, 200)); // back for the next tests
      await client.close();
    }
  });

  it("a task step names an MCP tool with templated arguments, under the same policies", async () => {
    const plan = {
      steps: [
        { id: "sum", tool: "fake__add", arguments: { a: 20, b: 22 } },
        { id: "say", tool: "fake__echo", arguments: { text: "sum is {{steps.sum.output.structuredContent.sum}}" }, dependsOn: ["sum"] },
        { id: "nope", tool: "fake__delete_repo", arguments: { repo: "x" }, dependsOn: ["say"] },
      ],
      combine: { step: "say" },
    };
    const res = await fetch(`${server.url}/v1/tasks`, { method: "POST", headers: { ...auth, "content-type": "application/json" }, body: JSON.stringify({ goal: "add then echo", plan }) });
    expect(res.status).toBe(202);
    const { id } = (await res.json()) as { id: string };
    let task: { status?: string; steps?: { id: string; status: string; output?: unknown; error?: string }[] } = {};
    for (let i = 0; i < 50 && !["succeeded", "failed"].includes(task.status ?? ""); i++) {
      await new Promise((r) => setTimeout(r, 200));
      task = (await (await fetch(`${server.url}/v1/tasks/${id}`, { headers: auth })).json()) as typeof task;
    }
    expect(task.status).toBe("failed");
    const steps = new Map(task.steps!.map((s) => [s.id, s]));
    expect(textOf(steps.get("say")!.output)).toBe("sum is 42");
    expect(steps.get("nope")!.status).toBe("failed");
    expect(steps.get("nope")!.error).toMatch(/deleting is not for agents/);
  });

  it("counts tool calls per tool in the server's metrics, and keeps each call's hop trace with its tool", async () => {
    const { client } = await connectMcp(server.url);
    const r = await client.callTool({ name: "fake__echo", arguments: { text: "trace me" } });
    const hop = String(r._meta?.["switchyard/hop"]);
    await client.close();
    let metrics: { specialists: { id: string; tools?: Record<string, { calls: number; ok: number; errors: number }> }[] } = { specialists: [] };
    let echo: { calls: number; ok: number } | undefined;
    for (let i = 0; i < 30 && !echo; i++) {
      await new Promise((res) => setTimeout(res, 300)); // counters are flushed about once a second
      metrics = (await (await fetch(`${server.url}/v1/metrics`, { headers: admin })).json()) as typeof metrics;
      echo = metrics.specialists.find((s) => s.id === "fake")?.tools?.["fake__echo"];
    }
    expect(echo!.calls).toBeGreaterThan(0);
    expect(echo!.ok).toBeGreaterThan(0);
    const trace = (await (await fetch(`${server.url}/v1/hops/${hop}/trace`, { headers: auth })).json()) as { spans: { name: string; attributes: Record<string, unknown> }[] };
    expect(trace.spans.some((s) => s.name === "specialist.call" && s.attributes["gen_ai.tool.name"] === "fake__echo")).toBe(true);
  });
});
