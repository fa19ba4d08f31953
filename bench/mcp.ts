/**
 * The MCP gateway: what the router adds to a tool call. The same `tools/call` (the
 * fake MCP server's `echo`, test/support/fake-mcp-server.ts, in this process) is sent
 * straight to the fake (`mcp-direct`) and through the router's `/mcp` door
 * (`mcp-router`: the McpSession Durable Object, the governed hop through the app, the
 * upstream SDK client session, back), each on its own initialized session, interleaved
 * one at a time on one keep-alive connection each (paired.ts). Raw JSON-RPC over HTTP
 * on both sides (the SDK client would add the same cost to both). Reported as the
 * router's p50 minus the direct p50, and their ratio.
 */
import type { Latency, Target } from "./load.ts";
import { BENCH_MCP } from "./build.ts";
import { runPaired, type PairedResult } from "./paired.ts";

export const MCP_SCENARIOS = ["mcp-direct", "mcp-router"] as const;

export interface McpBench {
  rounds: number;
  direct: Latency;
  router: Latency;
  /** router p50 − direct p50, ms. */
  addedP50Ms: number;
  addedP90Ms: number;
  /** router p50 / direct p50. */
  ratioP50: number;
  unexpected: number;
  failed?: string;
}

const HEADERS = { accept: "application/json, text/event-stream", "content-type": "application/json", "mcp-protocol-version": "2025-11-25" };
const INIT = { jsonrpc: "2.0", id: 0, method: "initialize", params: { protocolVersion: "2025-11-25", capabilities: {}, clientInfo: { name: "switchyard-bench", version: "1" } } };

/** Initializes a session at `url` + `path` (with `headers`): its `Mcp-Session-Id`. */
async function session(url: string, path: string, headers: Record<string, string>): Promise<string> {
  const at = new URL(path, url);
  const r = await fetch(at, { method: "POST", headers: { ...HEADERS, ...headers }, body: JSON.stringify(INIT) });
  const text = await r.text();
  const id = r.headers.get("mcp-session-id");
  if (r.status !== 200 || !id) throw new Error(`initialize at ${at} → ${r.status}: ${text.slice(0, 300)}`);
  const note = await fetch(at, { method: "POST", headers: { ...HEADERS, ...headers, "mcp-session-id": id }, body: JSON.stringify({ jsonrpc: "2.0", method: "notifications/initialized" }) });
  await note.text();
  if (note.status !== 202) throw new Error(`notifications/initialized at ${at} → ${note.status}`);
  return id;
}

/** A `tools/call` of `tool` on the session, a fresh JSON-RPC id each time; its answer must be the echo. */
function callTarget(url: string, path: string, headers: Record<string, string>, sid: string, tool: string): Target {
  let n = 0;
  return {
    url,
    path,
    headers: { ...HEADERS, ...headers, "mcp-session-id": sid },
    body: () => JSON.stringify({ jsonrpc: "2.0", id: ++n, method: "tools/call", params: { name: tool, arguments: { text: "bench" } } }),
    dynamic: true,
    verify: (text) => text.includes('"result"') && text.includes('"text":"bench"') && !text.includes('"isError":true'),
  };
}

/** The paired loop of `mcp-direct` and `mcp-router`, for at most `maxMs`. */
export async function mcpSection(routerUrl: string, fakeMcpUrl: string, o: { maxMs: number; isStopped: () => boolean; log: (s?: string) => void; workerdPids?: readonly number[] }): Promise<McpBench | { failed: string }> {
  try {
    const fake = new URL(fakeMcpUrl);
    const direct = callTarget(fake.origin, fake.pathname, {}, await session(fake.origin, fake.pathname, {}), "echo");
    const auth = { authorization: "Bearer dev-key" };
    const router = callTarget(routerUrl, "/mcp", auth, await session(routerUrl, "/mcp", auth), `${BENCH_MCP}__echo`);
    o.log(`-- mcp: tools/call echo straight to the fake MCP server vs through the router's /mcp (${BENCH_MCP}__echo), interleaved, ≤ ${(o.maxMs / 1000).toFixed(1)} s`);
    const r: PairedResult = await runPaired(
      [
        { name: "mcp-direct", target: direct },
        { name: "mcp-router", target: router },
      ],
      { maxMs: o.maxMs, maxRounds: 5_000, warmupMs: Math.min(2_000, o.maxMs / 3), isStopped: o.isStopped, ...(o.workerdPids ? { workerdPids: o.workerdPids } : {}) },
    );
    const d = r.targets["mcp-direct"]!;
    const t = r.targets["mcp-router"]!;
    const out: McpBench = {
      rounds: r.rounds,
      direct: d.latency,
      router: t.latency,
      addedP50Ms: t.latency.p50 - d.latency.p50,
      addedP90Ms: t.latency.p90 - d.latency.p90,
      ratioP50: t.latency.p50 / d.latency.p50,
      unexpected: d.unexpected + d.errors + t.unexpected + t.errors,
    };
    if (out.unexpected) out.failed = `unexpected answers: ${[...d.samples, ...t.samples].join(" | ").slice(0, 500)}`;
    o.log(`   ${r.rounds} rounds: direct p50 ${d.latency.p50.toFixed(3)} ms, router p50 ${t.latency.p50.toFixed(3)} ms: the router adds ${out.addedP50Ms.toFixed(3)} ms at p50 (×${out.ratioP50.toFixed(2)}), ${out.addedP90Ms.toFixed(3)} ms at p90${out.failed ? ` !! ${out.failed}` : ""}`);
    return out;
  } catch (e) {
    const failed = (e as Error)?.message ?? String(e);
    o.log(`!! mcp: ${failed}`);
    return { failed };
  }
}

/** Its table, for the report. */
export function mcpTable(m: McpBench): string {
  const row = (name: string, l: Latency) => `| ${name} | ${l.p50.toFixed(3)} | ${l.p90.toFixed(3)} | ${l.p99.toFixed(3)} |`;
  return [
    "| MCP tools/call (paired) | p50 ms | p90 ms | p99 ms |",
    "| --- | --- | --- | --- |",
    row("mcp-direct (fake MCP server)", m.direct),
    row("mcp-router (/mcp → server)", m.router),
    `| **added by the router** | **${m.addedP50Ms.toFixed(3)}** | ${m.addedP90Ms.toFixed(3)} | |`,
    "",
    `${m.rounds} rounds; router/direct at p50 ×${m.ratioP50.toFixed(2)}.`,
  ].join("\n");
}
