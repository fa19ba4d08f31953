import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { ElicitRequestSchema, type ElicitResult, type Tool } from "@modelcontextprotocol/sdk/types.js";
import bundled from "../../switchyard.config.json" with { type: "json" };
import type { ConfigInput } from "../../worker/config/schema.ts";

/** The secret the MCP e2e tests' fake server requires as its bearer token (a `--var` of the dev server). */
export const FAKE_MCP_TOKEN = "fake-mcp-token";

/**
 * The bundled config plus remote MCP servers on the fake (test/support/fake-mcp-server.ts):
 * `fake` (its token from the `FAKE_MCP_TOKEN` secret, an `x-team` header); `gated`,
 * the same server behind an approval policy; `faulty`, the same without a circuit
 * breaker (for failure tests that would open `fake`'s); `metered`, the same with a pool
 * of 2 requests a minute; `fake__delete_repo` is denied. Screening denies (the bundled
 * config flags: the door's own e2e tests see that mode). Spans are
 * all sampled (hop traces are kept), tools/list pages hold 7 tools.
 */
export function mcpConfig(fakeUrl: string, patch: (c: ConfigInput) => void = () => {}): ConfigInput {
  const config = structuredClone(bundled) as ConfigInput;
  config.router = { ...config.router, allowPrivateNetworks: true };
  config.secrets = ["FAKE_MCP_TOKEN"];
  const server = (id: string) => ({ id, description: `the fake MCP server (${id})`, endpoint: { type: "mcp" as const, url: fakeUrl, apiKeySecret: "FAKE_MCP_TOKEN", headers: { "x-team": "platform" } }, timeoutMs: 2000 });
  config.specialists.push(server("fake"), server("gated"), { ...server("faulty"), breaker: false }, { ...server("metered"), limits: { rpm: 2 } });
  config.screening = { mode: "deny" };
  config.policies = [
    { id: "no-deletes", match: { tool: "fake__delete_*" }, effect: "deny", reason: "deleting is not for agents" },
    { id: "gated-tools", match: { tool: "gated__*" }, require: "approval", reason: "a human looks first" },
  ];
  config.mcp = { pageSize: 7 };
  config.observability = { ...config.observability, sampleRatio: 1 };
  patch(config);
  return config;
}

/** An unmodified SDK client connected to `/mcp` with the dev key (or `key`); with `elicit`, it declares elicitation and answers with it. */
export async function connectMcp(base: string, o: { key?: string; elicit?: (message: string) => ElicitResult | Promise<ElicitResult>; sessionId?: string; query?: string } = {}) {
  const url = new URL(`${base}/mcp${o.query ? `?${o.query}` : ""}`);
  const transport = new StreamableHTTPClientTransport(url, { requestInit: { headers: { authorization: `Bearer ${o.key ?? "dev-key"}` } }, ...(o.sessionId ? { sessionId: o.sessionId } : {}) });
  const client = new Client({ name: "switchyard-e2e", version: "1.0.0" }, { capabilities: o.elicit ? { elicitation: { form: {} } } : {} });
  const elicit = o.elicit;
  if (elicit) client.setRequestHandler(ElicitRequestSchema, async (r) => elicit(r.params.message));
  await client.connect(transport); // with a session id, the SDK client reconnects to that session: no initialize

  return { client, transport };
}

/** Every tool of the session, following nextCursor; with the number of pages. */
export async function allTools(client: Client): Promise<{ tools: Tool[]; pages: number }> {
  const tools: Tool[] = [];
  let cursor: string | undefined;
  let pages = 0;
  do {
    const r = await client.listTools(cursor ? { cursor } : {});
    tools.push(...r.tools);
    cursor = r.nextCursor;
    pages++;
  } while (cursor && pages < 100);
  return { tools, pages };
}

/** The text parts of a tool result, joined. */
export function textOf(r: unknown): string {
  const content = (r as { content?: { type: string; text?: string }[] }).content ?? [];
  return content.map((p) => (p.type === "text" ? (p.text ?? "") : "")).join("");
}
