import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { Env } from "../../worker/env.ts";

/**
 * The example specialists' `/mcp` toolbox inside workerd, as the router reaches it: through
 * the `SPECIALISTS` service binding, in the Worker bundled as deployed (global-setup.ts),
 * with its compatibility date and no `nodejs_compat`.
 */
describe("the example MCP toolbox in workerd (SPECIALISTS/mcp)", () => {
  it("serves the SDK client: initialize, tools/list, tools/call", async () => {
    const specialists = (env as unknown as Env).SPECIALISTS;
    if (specialists === undefined) throw new Error("the SPECIALISTS binding is missing");
    const client = new Client({ name: "workerd-test", version: "1.0.0" });
    await client.connect(new StreamableHTTPClientTransport(new URL("http://specialists/mcp"), { fetch: (url, init) => specialists.fetch(String(url), init) }));
    try {
      expect(client.getServerVersion()?.name).toBe("switchyard-example-ops");
      const { tools } = await client.listTools();
      expect(tools.map((t) => t.name)).toContain("delete_ticket");
      const res = await client.callTool({ name: "convert_units", arguments: { value: 100, from: "c", to: "f" } });
      expect(res.structuredContent).toEqual({ value: 212, from: "°C", to: "°F" });
      expect((await client.callTool({ name: "lookup_order", arguments: { orderId: "ORD-20" } })).isError).toBe(true);
    } finally {
      await client.close();
    }
  });
});
