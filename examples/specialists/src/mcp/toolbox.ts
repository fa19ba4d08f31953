/**
 * The demo "ops" toolbox: an MCP server (the official SDK's `McpServer`) with five
 * tools whose answers are deterministic fakes (ops.ts), for trying the router's MCP
 * gateway under `npm run dev` with no account and no network. Nothing is stored:
 * `create_ticket` and `delete_ticket` only say what they would have done.
 */
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { AjvJsonSchemaValidator } from "@modelcontextprotocol/sdk/validation/ajv";
import { z } from "zod";
import { convert } from "../skills/units.ts";
import { findUnit } from "../skills/units-table.ts";
import { fakeOrder, fakeTicketId, fakeWeather, TICKET_ID } from "./ops.ts";

/** The server's name and version in `initialize`. */
export const TOOLBOX_INFO = { name: "switchyard-example-ops", version: "1.0.0" } as const;

// one validator for every per-request server: the SDK only compiles schemas with it for elicitation, which these tools never ask for
const validator = new AjvJsonSchemaValidator();

const text = (value: string): CallToolResult["content"] => [{ type: "text", text: value }];
const refuse = (reason: string): CallToolResult => ({ content: text(reason), isError: true });

/**
 * A fresh toolbox server (one per request: the endpoint is stateless).
 *
 * @example
 * const server = createToolbox();
 * await server.connect(new WebStandardStreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true }));
 */
export function createToolbox(): McpServer {
  const server = new McpServer(TOOLBOX_INFO, {
    jsonSchemaValidator: validator,
    instructions: "A demo ops toolbox bundled with Switchyard's example specialists. Every answer is a deterministic fake; nothing is stored.",
  });

  server.registerTool(
    "get_weather",
    {
      title: "Current weather (fake)",
      description: "Current weather for a city. Demo data: made up, but the same city always gets the same weather.",
      inputSchema: { city: z.string().min(1).max(100).describe("City name, e.g. Paris") },
      outputSchema: { city: z.string(), condition: z.string(), temperatureC: z.number(), humidityPercent: z.number() },
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    ({ city }) => {
      const w = fakeWeather(city);
      return { content: text(`${w.city}: ${w.condition}, ${w.temperatureC} °C, humidity ${w.humidityPercent}%`), structuredContent: { ...w } };
    },
  );

  server.registerTool(
    "convert_units",
    {
      title: "Convert units",
      description: "Converts a value between units of the same kind (length, mass, temperature, time, data, volume, speed, area), e.g. 5 km to mi. Real conversions.",
      inputSchema: { value: z.number().finite(), from: z.string().min(1).max(40).describe("unit, e.g. km"), to: z.string().min(1).max(40).describe("unit, e.g. mi") },
      outputSchema: { value: z.number(), from: z.string(), to: z.string() },
      annotations: { readOnlyHint: true, idempotentHint: true, openWorldHint: false },
    },
    ({ value, from, to }) => {
      const a = findUnit(from);
      const b = findUnit(to);
      if (a === undefined || b === undefined) return refuse(`Unknown unit "${a === undefined ? from : to}"`);
      const r = convert(value, a, b);
      if (!r.ok) return refuse(r.reason);
      return { content: text(`${value} ${a.symbol} = ${r.value} ${b.symbol}`), structuredContent: { value: r.value, from: a.symbol, to: b.symbol } };
    },
  );

  server.registerTool(
    "lookup_order",
    {
      title: "Look up an order (fake)",
      description: "Status of an order by id (ORD-<digits>), with the customer's note if any. Demo data: ids ending in 0 do not exist; others get a made-up but stable status; ORD-6666's note carries a prompt injection.",
      inputSchema: { orderId: z.string().min(1).max(40).describe("e.g. ORD-1234") },
      outputSchema: { orderId: z.string(), status: z.enum(["processing", "shipped", "delivered"]), items: z.number().int(), totalUsd: z.number(), customerNote: z.string().optional() },
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    ({ orderId }) => {
      const r = fakeOrder(orderId);
      if (!r.ok) return refuse(r.reason);
      const o = r.order;
      const note = o.customerNote ? `; customer note: "${o.customerNote}"` : "";
      return { content: text(`${o.orderId}: ${o.status}, ${o.items} item(s), $${o.totalUsd.toFixed(2)}${note}`), structuredContent: { ...o } };
    },
  );

  server.registerTool(
    "create_ticket",
    {
      title: "Create a support ticket (fake)",
      description: "Opens a support ticket and returns its id. Demo: nothing is stored; the id is derived from the title and body.",
      inputSchema: { title: z.string().min(1).max(200), body: z.string().max(5_000) },
      outputSchema: { id: z.string(), title: z.string() },
      annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: false },
    },
    ({ title, body }) => {
      const id = fakeTicketId(title, body);
      return { content: text(`created ticket ${id}: ${title}`), structuredContent: { id, title } };
    },
  );

  server.registerTool(
    "delete_ticket",
    {
      title: "Delete a support ticket (fake)",
      description: "Deletes a support ticket by id (TCK-<4 digits>). Demo: nothing is stored, so nothing is really deleted.",
      inputSchema: { id: z.string().min(1).max(20).describe("e.g. TCK-0042") },
      annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: false },
    },
    ({ id }) => (TICKET_ID.test(id) ? { content: text(`deleted ticket ${id}`) } : refuse(`"${id}" is not a ticket id (expected TCK-<4 digits>)`)),
  );

  return server;
}
