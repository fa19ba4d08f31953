/**
 * Sessions with remote MCP servers (`mcp` endpoints), through the official SDK's
 * client over Streamable HTTP (MCP 2025-11-25, "Transports"): open one, list its
 * tools (every page), call one tool with progress and cancellation, and say what a
 * failure was. The SDK is imported on first use, so Workers that never call an MCP
 * server never load it (issue 13: cold start).
 */
import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import type { Endpoint } from "../../config/schema.ts";
import type { SpecialistFailure } from "../../routing/hop.ts";
import pkg from "../../../package.json";

export type McpEndpoint = Extract<Endpoint, { type: "mcp" }>;
export type { Client as McpClient };

/** A tool as a server lists it (MCP 2025-11-25 `Tool`): its members as sent. */
export interface UpstreamTool {
  name: string;
  title?: string;
  description?: string;
  inputSchema: Record<string, unknown>;
  outputSchema?: Record<string, unknown>;
  annotations?: Record<string, unknown>;
  _meta?: Record<string, unknown>;
  [member: string]: unknown;
}

/** How many pages of `tools/list` are followed, and how many tools kept, before a server's list counts as too long. */
export const MAX_TOOL_PAGES = 100;
export const MAX_SERVER_TOOLS = 2000;

/** The key a session with this endpoint is kept under (its URL, binding, headers and secret's name: a changed config opens a new one). */
export function upstreamKey(endpoint: McpEndpoint): string {
  return `mcp ${JSON.stringify([endpoint.url, endpoint.binding ?? null, endpoint.apiKeySecret ?? null, Object.entries(endpoint.headers).sort()])}`;
}

/** Thrown when an endpoint cannot be called as configured (a secret or binding not set). */
export class UpstreamConfigError extends Error {}

/**
 * Opens a session with the server: `initialize`, then `notifications/initialized`
 * (the SDK client's `connect`). `onToolsChanged` is told of the server's
 * `notifications/tools/list_changed`.
 *
 * @throws {UpstreamConfigError} the `apiKeySecret` or `binding` is not set; any error of `connect` (see {@link upstreamFailure}).
 */
export async function openUpstream(endpoint: McpEndpoint, binding: (name: string) => unknown, signal: AbortSignal | undefined, onToolsChanged?: () => void): Promise<Client> {
  const [{ Client }, { StreamableHTTPClientTransport }, { ToolListChangedNotificationSchema }, { CfWorkerJsonSchemaValidator }] = await Promise.all([
    import("@modelcontextprotocol/sdk/client/index.js"),
    import("@modelcontextprotocol/sdk/client/streamableHttp.js"),
    import("@modelcontextprotocol/sdk/types.js"),
    import("@modelcontextprotocol/sdk/validation/cfworker"),
  ]);
  const headers: Record<string, string> = { ...endpoint.headers };
  if (endpoint.apiKeySecret !== undefined) {
    const key = binding(endpoint.apiKeySecret);
    if (typeof key !== "string" || key === "") throw new UpstreamConfigError(`secret ${endpoint.apiKeySecret} is not set`);
    headers.authorization = `Bearer ${key}`;
  }
  let fetcher: typeof fetch = (input, init) => fetch(input, init);
  if (endpoint.binding !== undefined) {
    const b = binding(endpoint.binding) as Fetcher | undefined;
    if (!b || typeof b.fetch !== "function") throw new UpstreamConfigError(`binding ${endpoint.binding} is not bound (wrangler.toml)`);
    fetcher = (input, init) => b.fetch(input, init);
  }
  const transport = new StreamableHTTPClientTransport(new URL(endpoint.url), { requestInit: { headers }, fetch: fetcher });
  // the SDK's default validator (Ajv) compiles schemas into code, which Workers forbid; this one interprets them
  const client = new Client({ name: "switchyard", version: pkg.version }, { capabilities: {}, jsonSchemaValidator: new CfWorkerJsonSchemaValidator() });
  if (onToolsChanged) client.setNotificationHandler(ToolListChangedNotificationSchema, () => onToolsChanged());
  await client.connect(transport, signal ? { signal } : undefined);
  return client;
}

/**
 * Every tool the server lists, following `nextCursor` (MCP 2025-11-25, "Pagination").
 *
 * @throws {RangeError} more than {@link MAX_TOOL_PAGES} pages or {@link MAX_SERVER_TOOLS} tools; any error of the SDK's `listTools`.
 */
export async function listUpstreamTools(client: Client, signal?: AbortSignal): Promise<UpstreamTool[]> {
  const tools: UpstreamTool[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < MAX_TOOL_PAGES; page++) {
    const r = await client.listTools(cursor === undefined ? {} : { cursor }, signal ? { signal } : undefined);
    tools.push(...(r.tools as UpstreamTool[]));
    if (tools.length > MAX_SERVER_TOOLS) throw new RangeError(`the server lists more than ${MAX_SERVER_TOOLS} tools`);
    cursor = r.nextCursor;
    if (cursor === undefined) return tools;
  }
  throw new RangeError(`the server's tool list goes on past ${MAX_TOOL_PAGES} pages`);
}

/** JSON-RPC error codes that say the call itself was wrong (JSON-RPC 2.0 §5.1): the server refused it, no server fault. */
const REFUSALS = new Set([-32600, -32601, -32602]);

/**
 * What an error of the SDK client was, as a specialist failure: the server's JSON-RPC
 * error (`refused` for an invalid request, method or params; `timeout` for the SDK's
 * request timeout; otherwise `http_error`), an HTTP status (429 `rate_limited`, other
 * 4xx/5xx `http_error` with the status), an abort (`timeout`: the caller's deadline or
 * its going away, told apart by the hop), a network error (`unreachable`), anything
 * else the server sent that is no MCP message (`bad_response`).
 */
export function upstreamFailure(e: unknown): SpecialistFailure {
  if (e instanceof UpstreamConfigError) return { kind: "misconfigured", detail: e.message };
  const err = e instanceof Error ? e : new Error(String(e));
  const name = err.name;
  const code = (err as { code?: unknown }).code;
  if (name === "AbortError" || name === "TimeoutError") return { kind: "timeout", detail: "the tool call did not finish in time" };
  if ((name === "McpError" || err.message.startsWith("MCP error ")) && typeof code === "number") {
    if (code === -32001) return { kind: "timeout", detail: `the server did not answer in time: ${err.message}` };
    if (REFUSALS.has(code)) return { kind: "refused", detail: err.message, upstream: { status: 400, message: err.message } };
    return { kind: "http_error", detail: `the server answered an error (${code}): ${err.message}` };
  }
  if (httpStatusError(err)) {
    if (code === 429) return { kind: "rate_limited", detail: "the MCP server is rate-limiting the router (429)", status: 429 };
    return { kind: "http_error", detail: err.message, ...(typeof code === "number" && code > 0 ? { status: code } : {}) };
  }
  if (name === "TypeError" && /fetch|network|connect/i.test(err.message)) return { kind: "unreachable", detail: err.message };
  if (name === "RangeError") return { kind: "bad_response", detail: err.message };
  return { kind: "bad_response", detail: `the server's answer is no MCP message: ${err.message}`.slice(0, 500) };
}

/** Whether a failure says the server no longer knows the session (a 404 to a request with its `Mcp-Session-Id`: open a new one). */
export function sessionGone(e: unknown): boolean {
  return e instanceof Error && httpStatusError(e) && (e as { code?: unknown }).code === 404;
}

/** The SDK's `StreamableHTTPError` (an HTTP status as `code`; the class sets no `name` of its own, so it is known by its message). */
function httpStatusError(e: Error): boolean {
  return typeof (e as { code?: unknown }).code === "number" && e.message.startsWith("Streamable HTTP error:");
}
