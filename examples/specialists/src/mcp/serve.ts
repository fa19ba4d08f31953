/**
 * The `/mcp` endpoint of the example specialists: MCP Streamable HTTP in stateless
 * mode (the SDK's `WebStandardStreamableHTTPServerTransport` with no session ids),
 * a fresh toolbox server and transport per request, answers as plain JSON. Loaded
 * with a dynamic `import()` by index.ts, so the SDK is read only when `/mcp` is hit.
 */
import { WebStandardStreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js";
import { createToolbox } from "./toolbox.ts";

/**
 * Answers one MCP `POST` (a JSON-RPC request, notification or batch).
 *
 * @example
 * app.post("/mcp", async (c) => (await import("./mcp/serve.ts")).serveMcp(c.req.raw));
 */
export async function serveMcp(request: Request): Promise<Response> {
  const server = createToolbox();
  const transport = new WebStandardStreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
  await server.connect(transport);
  try {
    return await transport.handleRequest(request);
  } finally {
    // with JSON answers the whole reply is built by now: nothing is left to send
    await server.close();
  }
}
