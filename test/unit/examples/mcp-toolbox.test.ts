import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { afterEach, describe, expect, it } from "vitest";
import { app } from "../../../examples/specialists/src/index.ts";
import { fakeOrder, fakeTicketId, fakeWeather, stableHash } from "../../../examples/specialists/src/mcp/ops.ts";

const clients: Client[] = [];
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
});

/** The SDK's own client, its HTTP going to the example Worker's app in-process. */
async function connect(): Promise<Client> {
  const client = new Client({ name: "toolbox-test", version: "1.0.0" });
  clients.push(client);
  const transport = new StreamableHTTPClientTransport(new URL("http://specialists/mcp"), {
    fetch: async (url, init) => app.request(String(url), init),
  });
  await client.connect(transport);
  return client;
}

describe("the example ops toolbox at /mcp", () => {
  it("initializes statelessly (no session id) and lists its five tools with schemas and annotations", async () => {
    const client = await connect();
    expect(client.getServerVersion()).toEqual({ name: "switchyard-example-ops", version: "1.0.0" });
    expect(client.transport?.sessionId).toBeUndefined();
    const { tools, nextCursor } = await client.listTools();
    expect(nextCursor).toBeUndefined();
    expect(tools.map((t) => t.name)).toEqual(["get_weather", "convert_units", "lookup_order", "create_ticket", "delete_ticket"]);
    const weather = tools.find((t) => t.name === "get_weather")!;
    expect(weather.inputSchema).toMatchObject({ type: "object", properties: { city: { type: "string" } }, required: ["city"] });
    expect(weather.outputSchema).toMatchObject({ type: "object", required: expect.arrayContaining(["city", "temperatureC"]) });
    expect(tools.find((t) => t.name === "delete_ticket")!.annotations).toMatchObject({ destructiveHint: true, readOnlyHint: false });
    // each says whether its answers are made up (every one but the conversion is)
    for (const t of tools) expect(t.description, t.name).toMatch(t.name === "convert_units" ? /Real conversions/u : /Demo/u);
    for (const t of tools) expect(t.title, t.name).toBeTruthy();
  });

  it("answers each tool with deterministic fakes, structured where it has an output schema", async () => {
    const client = await connect();
    const weather = await client.callTool({ name: "get_weather", arguments: { city: "Paris" } });
    expect(weather.structuredContent).toEqual({ ...fakeWeather("Paris") });
    expect(await client.callTool({ name: "get_weather", arguments: { city: "Paris" } })).toEqual(weather);

    const units = await client.callTool({ name: "convert_units", arguments: { value: 5, from: "km", to: "mi" } });
    expect(units).toMatchObject({ content: [{ type: "text", text: "5 km = 3.10685596119 mi" }], structuredContent: { value: 3.10685596119, from: "km", to: "mi" } });

    const order = await client.callTool({ name: "lookup_order", arguments: { orderId: "ord-1234" } });
    const expected = fakeOrder("ORD-1234");
    expect(expected.ok && order.structuredContent).toEqual(expected.ok && { ...expected.order });

    const ticket = await client.callTool({ name: "create_ticket", arguments: { title: "Printer on fire", body: "Floor 3" } });
    expect(ticket.structuredContent).toEqual({ id: fakeTicketId("Printer on fire", "Floor 3"), title: "Printer on fire" });
    expect(ticket.structuredContent).toMatchObject({ id: expect.stringMatching(/^TCK-\d{4}$/u) });

    expect(await client.callTool({ name: "delete_ticket", arguments: { id: "TCK-0042" } })).toEqual({ content: [{ type: "text", text: "deleted ticket TCK-0042" }] });
  });

  it("answers what it cannot do as tool errors (isError), not protocol errors", async () => {
    const client = await connect();
    const cases: [string, Record<string, unknown>, RegExp][] = [
      ["convert_units", { value: 5, from: "km", to: "kg" }, /same kind of quantity/u],
      ["convert_units", { value: 5, from: "parsecs-ish", to: "km" }, /Unknown unit "parsecs-ish"/u],
      ["lookup_order", { orderId: "ORD-10" }, /no order ORD-10/u],
      ["lookup_order", { orderId: "12" }, /not an order id/u],
      ["delete_ticket", { id: "everything" }, /not a ticket id/u],
      ["get_weather", {}, /Input validation error/u],
      ["no_such_tool", {}, /not found/u],
    ];
    for (const [name, args, message] of cases) {
      const res = await client.callTool({ name, arguments: args });
      expect(res.isError, name).toBe(true);
      expect(res.content).toEqual([{ type: "text", text: expect.stringMatching(message) }]);
    }
  });

  it("refuses GET and DELETE with 405 Allow: POST (no stream, no session), which the SDK client accepts", async () => {
    for (const method of ["GET", "DELETE"]) {
      const res = await app.request("/mcp", { method, headers: { accept: "text/event-stream" } });
      expect(res.status).toBe(405);
      expect(res.headers.get("allow")).toBe("POST");
    }
    // connect() above opened no stream: the client took the 405 for "none" and works on
    const client = await connect();
    expect((await client.callTool({ name: "get_weather", arguments: { city: "Oslo" } })).isError).toBeUndefined();
  });

  it("answers a request that is not JSON-RPC with the SDK's parse error", async () => {
    const res = await app.request("/mcp", { method: "POST", headers: { "content-type": "application/json", accept: "application/json, text/event-stream" }, body: "{not json" });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ jsonrpc: "2.0", error: { code: -32700 } });
  });
});

describe("the toolbox's fakes (ops.ts)", () => {
  it("are stable functions of their arguments", () => {
    expect(stableHash("")).toBe(0x811c9dc5);
    expect(stableHash("abc")).toBe(stableHash("abc"));
    expect(stableHash("abc")).not.toBe(stableHash("abd"));
    expect(fakeWeather(" Paris ")).toEqual(fakeWeather("Paris"));
    expect(fakeWeather("paris").temperatureC).toBe(fakeWeather("PARIS").temperatureC);
    for (const city of ["Paris", "Tokyo", "Lagos", "Lima", "Oslo"]) {
      const w = fakeWeather(city);
      expect(w.temperatureC).toBeGreaterThanOrEqual(-5);
      expect(w.temperatureC).toBeLessThanOrEqual(30);
      expect(w.humidityPercent).toBeGreaterThanOrEqual(30);
      expect(w.humidityPercent).toBeLessThanOrEqual(90);
    }
    expect(fakeTicketId("a", "b")).toBe(fakeTicketId("a", "b"));
    expect(fakeTicketId("a", "b")).not.toBe(fakeTicketId("a\nb", ""));
  });

  it("find orders by ORD-<digits>, none for ids ending in 0", () => {
    const order = fakeOrder(" ord-77 ");
    expect(order).toMatchObject({ ok: true, order: { orderId: "ORD-77" } });
    if (order.ok) {
      expect(order.order.items).toBeGreaterThanOrEqual(1);
      expect(order.order.totalUsd).toBeLessThan(500);
    }
    expect(fakeOrder("ORD-120")).toEqual({ ok: false, reason: "no order ORD-120" });
    expect(fakeOrder("ORD-")).toMatchObject({ ok: false, reason: expect.stringMatching(/not an order id/u) });
  });
});
