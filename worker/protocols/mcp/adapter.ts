import type { Adapter, AdapterContext, SpecialistOutcome } from "../../routing/hop.ts";
import { openUpstream, sessionGone, upstreamFailure, upstreamKey, type McpClient, type McpEndpoint } from "./upstream.ts";

/** The SDK client's own request timeout, ms: the hop's deadline (`ctx.signal`) ends a call first; this only bounds a call with none. */
const SDK_TIMEOUT_MS = 600_000;

/**
 * A remote MCP server (`mcp`): the request's {@link SpecialistRequest.tool} is sent as
 * `tools/call` (MCP 2025-11-25, "Tools") through the SDK client, with a progress token:
 * the server's `notifications/progress` reach `ctx.progress` as they come, and an abort
 * of `ctx.signal` (deadline, client gone) sends `notifications/cancelled`
 * ("Cancellation"). The output is the `CallToolResult` as the server sent it (a result
 * with `isError: true` is the tool's own failure, answered as such, not a failed call).
 * The session is `ctx.connections`' (reused, and opened again once if the server
 * forgot it: a 404), or one opened for this call and closed after.
 */
export const mcpAdapter: Adapter<McpEndpoint> = {
  type: "mcp",
  async call(endpoint, request, ctx): Promise<SpecialistOutcome> {
    const tool = request.tool;
    if (!tool) return { ok: false, failure: { kind: "refused", detail: "an MCP server takes tool calls: call one of its tools (the MCP door's tools/call, or a task step's tool)", upstream: { status: 400, message: "no tool named" } } };
    const key = upstreamKey(endpoint);
    const open = () => openUpstream(endpoint, ctx.binding, ctx.signal);
    const call = async (client: McpClient) =>
      client.callTool({ name: tool.name, arguments: tool.arguments, _meta: { progressToken: crypto.randomUUID() } }, undefined, {
        signal: ctx.signal,
        timeout: SDK_TIMEOUT_MS,
        onprogress: (p) => ctx.progress?.({ kind: "progress", progress: p.progress, ...(p.total !== undefined ? { total: p.total } : {}), ...(p.message !== undefined ? { text: p.message } : {}) }),
      });
    try {
      const output = ctx.connections ? await pooled(ctx, key, open, call) : await once(open, call);
      return { ok: true, output, usage: { units: 1 } };
    } catch (e) {
      return { ok: false, failure: upstreamFailure(e) };
    }
  },
};

/** One call on a session opened for it, closed after. */
async function once<T>(open: () => Promise<McpClient>, call: (c: McpClient) => Promise<T>): Promise<T> {
  const client = await open();
  try {
    return await call(client);
  } finally {
    void client.close().catch(() => undefined);
  }
}

/** One call on the pool's session; a session the server no longer knows is dropped and opened again, once. */
async function pooled<T>(ctx: AdapterContext, key: string, open: () => Promise<McpClient>, call: (c: McpClient) => Promise<T>): Promise<T> {
  const pool = ctx.connections!;
  const close = (c: McpClient) => c.close();
  try {
    return await call(await pool.get(key, open, close));
  } catch (e) {
    if (!sessionGone(e)) throw e;
    await pool.drop(key);
    return call(await pool.get(key, open, close));
  }
}
