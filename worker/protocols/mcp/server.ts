/**
 * The MCP door's server: the official SDK's low-level `Server` over its Web-standard
 * Streamable HTTP transport (MCP 2025-11-25, "Transports"), with `tools/list` and
 * `tools/call` answered by a session's handlers. The SDK is imported when a session
 * first needs it (cold start, issue 13).
 */
import type { Server } from "@modelcontextprotocol/sdk/server/index.js";
import type { WebStandardStreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import pkg from "../../../package.json";
import { InvalidCursor } from "./catalogue.ts";

/** What a session answers. */
export interface SessionHandlers {
  /** A page of the session's catalogue (`tools/list`, MCP "Pagination"); throws {@link InvalidCursor} for a cursor it did not give. */
  listTools(cursor: string | undefined, signal: AbortSignal): Promise<{ tools: Record<string, unknown>[]; nextCursor?: string; _meta?: Record<string, unknown> }>;
  /**
   * One `tools/call`: a result (a failure of the tool, or of the router's governance,
   * is a result with `isError: true`, MCP "Error Handling"); undefined for a tool the
   * session does not have (a protocol error, -32602).
   */
  callTool(name: string, args: Record<string, unknown>, call: ToolCallContext): Promise<CallToolResult | undefined>;
}

/** What a tool call may use of its request: its abort, its progress token, asking the client's user, and the HTTP request's headers. */
export interface ToolCallContext {
  /** The headers of the HTTP request that carried the call (names lower-cased), as the door passed them on. */
  headers: Record<string, string>;
  /** Aborted when the client cancels the request (`notifications/cancelled`) or goes away. */
  signal: AbortSignal;
  /** Sends `notifications/progress` for this request, when the client sent a `progressToken`. */
  progress?: ((p: { progress: number; total?: number; message?: string }) => void) | undefined;
  /**
   * Asks the client's user (`elicitation/create`, form mode, MCP "Elicitation"), when the
   * client declared elicitation: the action and, when accepted, the content.
   */
  elicit?: ((message: string, requestedSchema: Record<string, unknown>) => Promise<{ action: "accept" | "decline" | "cancel"; content?: Record<string, unknown> }>) | undefined;
}

/** A live session: the SDK server and its transport. */
export interface LiveSession {
  server: Server;
  transport: WebStandardStreamableHTTPServerTransport;
}

/**
 * Builds a session's server and transport. `sessionId` is the id the door gave it;
 * `initialized` is told once the client's `initialize` was answered (the session is
 * stored then), `closed` when the client ends it (`DELETE`).
 */
export async function createSession(sessionId: string, handlers: SessionHandlers, events: { initialized: () => Promise<void>; closed: () => Promise<void> }): Promise<LiveSession> {
  const [{ Server }, { WebStandardStreamableHTTPServerTransport }, types, { CfWorkerJsonSchemaValidator }] = await Promise.all([
    import("@modelcontextprotocol/sdk/server/index.js"),
    import("@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js"),
    import("@modelcontextprotocol/sdk/types.js"),
    import("@modelcontextprotocol/sdk/validation/cfworker"),
  ]);
  const { ListToolsRequestSchema, CallToolRequestSchema, McpError, ErrorCode } = types;
  const server = new Server(
    { name: "switchyard", title: "Switchyard", version: pkg.version },
    {
      capabilities: { tools: { listChanged: true } },
      // elicited answers are checked against their schema: by interpreting it (the default, Ajv, compiles code, which Workers forbid)
      jsonSchemaValidator: new CfWorkerJsonSchemaValidator(),
      instructions: "Switchyard routes requests to specialist agents and tools behind one set of policies, limits and audit. Call `find_tools` with a task description to find the right tool, or `route` to let the router choose.",
    },
  );
  // the transport is made before the handlers run (they close a cancelled call's stream on it)
  const transport: WebStandardStreamableHTTPServerTransport = new WebStandardStreamableHTTPServerTransport({
    sessionIdGenerator: () => sessionId,
    onsessioninitialized: () => events.initialized(),
    onsessionclosed: () => events.closed(),
  });
  server.setRequestHandler(ListToolsRequestSchema, async (request, extra) => {
    try {
      return await handlers.listTools(request.params?.cursor, extra.signal);
    } catch (e) {
      if (e instanceof InvalidCursor) throw new McpError(ErrorCode.InvalidParams, e.message);
      throw e;
    }
  });
  server.setRequestHandler(CallToolRequestSchema, async (request, extra) => {
    const token = request.params._meta?.progressToken;
    const elicitation = server.getClientCapabilities()?.elicitation;
    const ctx: ToolCallContext = {
      headers: (extra.requestInfo?.headers ?? {}) as Record<string, string>,
      signal: extra.signal,
      progress:
        token === undefined
          ? undefined
          : (p) => void extra.sendNotification({ method: "notifications/progress", params: { progressToken: token, ...p } }).catch(() => undefined),
      // a client declaring elicitation `{}` takes form mode (MCP 2025-11-25, "Elicitation": capabilities)
      // the SDK's elicitInput checks an accepted answer against requestedSchema; sent on this call's stream
      elicit:
        elicitation && (elicitation.form !== undefined || elicitation.url === undefined)
          ? async (message, requestedSchema) => {
              const r = await server.elicitInput({ mode: "form", message, requestedSchema: requestedSchema as never }, { relatedRequestId: extra.requestId, signal: extra.signal });
              return { action: r.action, ...(r.content ? { content: r.content as Record<string, unknown> } : {}) };
            }
          : undefined,
    };
    // a call the client cancelled gets no answer (MCP "Cancellation"): its stream is closed rather than left open
    extra.signal.addEventListener("abort", () => transport.closeSSEStream(extra.requestId), { once: true });
    const result = await handlers.callTool(request.params.name, request.params.arguments ?? {}, ctx);
    if (!result) throw new McpError(ErrorCode.InvalidParams, `Unknown tool: ${request.params.name} (tools/list names every tool of this session)`);
    return result;
  });
  await server.connect(transport);
  return { server, transport };
}
