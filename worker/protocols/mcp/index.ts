/**
 * Model Context Protocol (MCP 2025-11-25, https://modelcontextprotocol.io/specification/2025-11-25):
 * the `mcp` endpoint type (remote MCP servers' tools, called through the SDK client)
 * and the front door `/mcp` (Streamable HTTP: the router as an MCP server of
 * specialists, `route`, `find_tools` and every remote server's tools, one session per
 * Durable Object: durable-objects/mcp-session.ts).
 */
import type { Protocol } from "../types.ts";
import { MCP_PATH, mcpRoutes } from "./routes.ts";

export const mcp: Protocol = {
  name: "mcp",
  spec: "MCP 2025-11-25, Streamable HTTP transport (https://modelcontextprotocol.io/specification/2025-11-25)",
  endpointType: "mcp",
  frontDoor: { routes: mcpRoutes, guardedPaths: [MCP_PATH] },
};
