import { createRoute, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import type { AppEnv } from "../../env.ts";
import { routeGroup } from "../../http/openapi-app.ts";
import { badRequest, notFound, ProblemError } from "../../http/problem.ts";
import { commonProblems, problemResponse } from "../../http/schemas.ts";
import { getRuntime } from "../../runtime.ts";
import { DOOR_HEADER, type DoorCall } from "./door.ts";

/** The path of the MCP door. */
export const MCP_PATH = "/mcp";

/** Session ids the door gives (UUIDs); any other is no session of ours. */
const SESSION_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** The query parameters that scope a new session (read on its `initialize` request only). */
const SessionQuery = z.object({
  tools: z
    .string()
    .max(4000)
    .optional()
    .openapi({ description: "Comma-separated globs (`github__*,route`): the session lists and calls only the tools they match" }),
  query: z.string().min(1).max(2000).optional().openapi({ description: "A task description: `tools/list` answers the k tools that fit it best (find_tools' ranking)" }),
  k: z.coerce.number().int().min(1).max(50).optional().openapi({ description: "How many tools `query` keeps (default mcp.findTools.defaultK, at most mcp.findTools.maxK)" }),
});

const McpHeaders = z.object({
  "mcp-session-id": z.string().optional().openapi({ description: "The session (from the initialize answer's Mcp-Session-Id); absent on initialize" }),
  "mcp-protocol-version": z.string().optional().openapi({ description: "The negotiated MCP version, e.g. 2025-11-25" }),
});

const JsonRpc = z.record(z.string(), z.unknown()).openapi("McpMessage", { description: "A JSON-RPC 2.0 message of MCP 2025-11-25" });

const mcpAnswers = {
  200: { description: "The JSON-RPC answer, as JSON or a text/event-stream of messages (Streamable HTTP)", content: { "application/json": { schema: JsonRpc }, "text/event-stream": { schema: z.string() } } },
  202: { description: "A notification or response was accepted" },
  404: { description: "No such session (ended, expired, or another tenant's): initialize a new one", content: { "application/json": { schema: JsonRpc } } },
  ...commonProblems,
};

const post = createRoute({
  method: "post",
  path: MCP_PATH,
  summary: "MCP Streamable HTTP: send JSON-RPC messages (initialize, tools/list, tools/call, answers to elicitation)",
  description: "The body is one JSON-RPC 2.0 message of MCP 2025-11-25 (or a batch), validated by the MCP SDK, whose errors answer in JSON-RPC's shape; it is passed to the session as sent.",
  request: { query: SessionQuery, headers: McpHeaders },
  responses: mcpAnswers,
});
const get = createRoute({
  method: "get",
  path: MCP_PATH,
  summary: "MCP Streamable HTTP: open the session's stream of server messages (e.g. notifications/tools/list_changed)",
  request: { headers: McpHeaders },
  responses: mcpAnswers,
});
const del = createRoute({
  method: "delete",
  path: MCP_PATH,
  summary: "MCP Streamable HTTP: end the session",
  request: { headers: McpHeaders },
  responses: mcpAnswers,
});
const audit = createRoute({
  method: "get",
  path: "/v1/mcp/sessions/{id}/audit",
  summary: "An MCP session's audit chain: every tool call and its result's hash, and whether the chain verifies",
  request: { params: z.object({ id: z.string().max(64) }) },
  responses: {
    200: { description: "The chain", content: { "application/json": { schema: z.object({ entries: z.array(z.record(z.string(), z.unknown())), verification: z.record(z.string(), z.unknown()) }).openapi("McpSessionAudit") } } },
    ...commonProblems,
    404: problemResponse("No such session of the caller's tenant"),
  },
});

/** The error of a request without a session that needs one (the SDK's own words and code). */
const sessionRequired = () => Response.json({ jsonrpc: "2.0", error: { code: -32000, message: "Bad Request: Mcp-Session-Id header is required" }, id: null }, { status: 400 });

/**
 * Hands a request to its session's Durable Object: a `POST` without `Mcp-Session-Id`
 * starts a session (a new id; the object keeps it only if the request is an
 * `initialize`); any other request names one (404 for an id the door never gave, as
 * for an ended one: MCP 2025-11-25, "Session Management"). The caller and the session's
 * scope go in {@link DOOR_HEADER}, replacing whatever a client sent under that name.
 */
async function toSession(c: Context<AppEnv>): Promise<Response> {
  const ns = c.env.MCP_SESSION;
  if (!ns) throw new ProblemError({ status: 503, slug: "misconfigured", title: "Router misconfigured", detail: "the MCP_SESSION Durable Object binding is missing (wrangler.toml)" });
  const rt = await getRuntime(c.env);
  refuseForeignOrigin(c, rt.config.router.publicUrl);
  const sid = c.req.header("mcp-session-id");
  const create = sid === undefined;
  if (create && c.req.method !== "POST") return sessionRequired();
  if (!create && !SESSION_ID.test(sid)) return Response.json({ jsonrpc: "2.0", error: { code: -32001, message: "Session not found" }, id: null }, { status: 404 });
  const q = SessionQuery.safeParse(c.req.query());
  if (!q.success) throw badRequest(`invalid query: ${q.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`);
  const globs = q.data.tools?.split(",").map((g) => g.trim()).filter(Boolean);
  if (globs && globs.some((g) => g.length > 200)) throw badRequest("tools: each glob is at most 200 characters", [{ path: "tools", message: "glob too long" }]);
  const maxK = rt.config.mcp.findTools.maxK;
  if (q.data.k !== undefined && q.data.k > maxK) throw badRequest(`k: at most ${maxK} (mcp.findTools.maxK)`, [{ path: "k", message: `greater than ${maxK}` }]);
  const id = sid ?? crypto.randomUUID();
  const principal = c.get("principal");
  const door: DoorCall = {
    scope: {
      id,
      tenant: principal.tenant,
      admin: principal.admin,
      ...(globs?.length ? { tools: globs } : {}),
      ...(q.data.query ? { query: q.data.query } : {}),
      ...(q.data.k ? { k: q.data.k } : {}),
      base: (rt.config.router.publicUrl ?? new URL(c.req.url).origin).replace(/\/+$/, ""),
    },
    create,
  };
  const headers = new Headers(c.req.raw.headers);
  headers.set(DOOR_HEADER, JSON.stringify(door));
  // this request's span: the session's tool calls are its children (their hops' traces)
  headers.set("traceparent", c.get("traceparent"));
  const res = await ns.get(ns.idFromName(id)).fetch(new Request(c.req.raw, { headers }));
  return new Response(res.body, res); // its headers mutable again: the app's middleware adds its own

}

/** Host names that are this machine: a page served from one of them is local. */
const LOOPBACK = new Set(["localhost", "127.0.0.1", "[::1]"]);

/**
 * Refuses a browser page of another site (MCP 2025-11-25, "Security Warning": servers
 * MUST validate `Origin`, against DNS rebinding). The `Host` a request names proves
 * nothing (a rebound name sends the attacker's), so an `Origin` must be
 * `router.publicUrl`'s, or, for a router reached on this machine (`npm run dev`), a
 * page of this machine; a request with no `Origin` (no browser) passes.
 */
function refuseForeignOrigin(c: Context<AppEnv>, publicUrl: string | undefined): void {
  const origin = c.req.header("origin");
  if (origin === undefined) return;
  let host: string | undefined;
  try {
    host = new URL(origin).hostname;
  } catch {
    host = undefined;
  }
  const local = host !== undefined && LOOPBACK.has(host) && LOOPBACK.has(new URL(c.req.url).hostname);
  if (local || (publicUrl !== undefined && new URL(publicUrl).origin === origin)) return;
  throw new ProblemError({
    status: 403,
    slug: "forbidden-origin",
    title: "Forbidden origin",
    detail: `requests from origin '${origin}' are not accepted on ${MCP_PATH}${publicUrl === undefined ? " (set router.publicUrl to accept a browser page of the router's own origin)" : ""}`,
  });
}

/** `/mcp` (POST, GET, DELETE) and a session's audit chain. */
export const mcpRoutes = routeGroup()
  .openapi(post, (c) => toSession(c) as never)
  .openapi(get, (c) => toSession(c) as never)
  .openapi(del, (c) => toSession(c) as never)
  .openapi(audit, async (c) => {
    const ns = c.env.MCP_SESSION;
    const { id } = c.req.valid("param");
    if (!ns || !SESSION_ID.test(id)) throw notFound(`no MCP session '${id}'`);
    const chain = await ns.get(ns.idFromName(id)).audit(c.get("principal").tenant);
    if (!chain) throw notFound(`no MCP session '${id}' of this tenant`);
    return c.json(chain as never, 200);
  });
