import { createRoute, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { buildAgentCard, cardBase, RPC_PATH } from "./card.ts";
import { cardFor } from "./card-v03.ts";
import { rpcErrorFor } from "./errors.ts";
import { METHODS, parseCall } from "./jsonrpc.ts";
import { pushSupported } from "./push.ts";
import { serveCall, toRpcError } from "./serve.ts";
import { errorWire, parseVersion, requestedVersion, versionRefusal } from "./versions.ts";
import type { AppEnv } from "../../env.ts";
import { noneMatchHit, strongEtag } from "../../http/etag.ts";
import { routeGroup } from "../../http/openapi-app.ts";
import { ProblemError } from "../../http/problem.ts";
import { problemResponse } from "../../http/schemas.ts";
import { getRuntime } from "../../runtime.ts";
import pkg from "../../../package.json";

const Modes = z.array(z.string());
const Skill = z.object({ id: z.string(), name: z.string(), description: z.string(), tags: z.array(z.string()), examples: z.array(z.string()), inputModes: Modes, outputModes: Modes });
const Interface = z.object({ url: z.string(), protocolBinding: z.string(), protocolVersion: z.string() });
const Provider = z.object({ organization: z.string(), url: z.string() });
const AgentCard = z
  .object({
    name: z.string(),
    description: z.string(),
    supportedInterfaces: z.array(Interface),
    provider: Provider,
    version: z.string(),
    documentationUrl: z.string(),
    capabilities: z.object({ streaming: z.boolean(), pushNotifications: z.boolean(), extendedAgentCard: z.boolean() }),
    securitySchemes: z.record(z.string(), z.object({ httpAuthSecurityScheme: z.object({ scheme: z.string(), description: z.string() }) })),
    securityRequirements: z.array(z.object({ schemes: z.record(z.string(), z.object({ list: z.array(z.string()) })) })),
    defaultInputModes: Modes,
    defaultOutputModes: Modes,
    skills: z.array(Skill),
  })
  .openapi("AgentCard", { description: "A2A 1.0 AgentCard (a2a.proto v1.0.0): for `A2A-Version: 1.0` (or any version but 0.3)" });
const AgentCardV03 = z
  .object({
    protocolVersion: z.string(),
    name: z.string(),
    description: z.string(),
    url: z.string(),
    preferredTransport: z.string(),
    provider: Provider,
    version: z.string(),
    documentationUrl: z.string(),
    capabilities: z.object({ streaming: z.boolean(), pushNotifications: z.boolean() }),
    securitySchemes: z.record(z.string(), z.object({ type: z.literal("http"), scheme: z.string(), description: z.string() })),
    security: z.array(z.record(z.string(), z.array(z.string()))),
    defaultInputModes: Modes,
    defaultOutputModes: Modes,
    skills: z.array(Skill),
    supportsAuthenticatedExtendedCard: z.boolean(),
    supportedInterfaces: z.array(Interface).optional().openapi({ description: "only without A2A-Version: the 1.0 interfaces, for 1.x clients that send no version" }),
  })
  .openapi("AgentCardV03", { description: "A2A 0.3 AgentCard (0.3.0 JSON schema): for `A2A-Version: 0.3`, or no version (A2A §3.6.2)" });

const JsonRpcRequest = z
  .object({
    jsonrpc: z.literal("2.0"),
    id: z.union([z.string(), z.number()]),
    method: z.enum(Object.keys(METHODS) as [string, ...string[]]),
    params: z.record(z.string(), z.unknown()).optional(),
  })
  .openapi("A2ARequest");

const JsonRpcResponse = z
  .object({
    jsonrpc: z.literal("2.0"),
    id: z.union([z.string(), z.number(), z.null()]),
    result: z.unknown().optional(),
    error: z.object({ code: z.number().int(), message: z.string(), data: z.unknown().optional() }).optional(),
  })
  .openapi("A2AResponse");

const VersionHeader = z.object({ "a2a-version": z.string().optional().openapi({ description: "A2A-Version: 1.0 or 0.3 (a patch is ignored); also as the A2A-Version query parameter" }) });

const card = createRoute({
  method: "get",
  path: "/.well-known/agent-card.json",
  summary: "A2A agent card: the JSON-RPC endpoint, protocol versions, skills (one per specialist) and the bearer scheme; 1.0 or 0.3 by A2A-Version",
  security: [],
  request: { headers: VersionHeader },
  responses: {
    200: { description: "The agent card, with a strong ETag (Vary: A2A-Version)", content: { "application/json": { schema: z.union([AgentCard, AgentCardV03]) } } },
    304: { description: "If-None-Match named the card's ETag" },
    503: problemResponse("router.publicUrl is not set (a deployed router does not name URLs from the request's Host)"),
  },
});

const rpcRoute = (path: string) =>
  createRoute({
    method: "post",
    path,
    summary: `A2A JSON-RPC 2.0${path === "/" ? " (the same endpoint as /a2a, at the base URL)" : ""}: SendMessage, SendStreamingMessage, GetTask, ListTasks, CancelTask, SubscribeToTask, Create/Get/List/DeleteTaskPushNotificationConfig(s) (and the 0.3 names message/send, message/stream, tasks/get, tasks/cancel, tasks/resubscribe, tasks/pushNotificationConfig/set, /get, /list, /delete)`,
    security: [{ bearer: [] }],
    request: { headers: VersionHeader, body: { required: true, content: { "application/json": { schema: JsonRpcRequest } } } },
    responses: {
      200: {
        description:
          "A JSON-RPC response (errors included: -32700, -32600, -32601, -32602, -32603, -32001 task not found, -32002 not cancelable, -32003 push notifications, -32004 unsupported operation, -32005 content type not supported, -32009 version not supported; 1.x calls get `data` as typed details), or for the streaming methods Server-Sent Events, each a JSON-RPC response",
        content: { "application/json": { schema: JsonRpcResponse }, "text/event-stream": { schema: z.string() } },
      },
      401: problemResponse("Missing or unknown API key"),
      413: problemResponse("Body too large"),
    },
  });

/** The version a request asked for: `A2A-Version` header, else query parameter. */
const asked = (c: Context<AppEnv>) => parseVersion(requestedVersion(c.req.header("a2a-version"), c.req.query("A2A-Version")));

/**
 * The A2A front door: the agent card at the well-known path (public) and the
 * JSON-RPC endpoint (bearer key) at `/a2a` and at `/` (the base URL: clients and the
 * compatibility kit post there). Only the envelope is handled here; `serveCall` does the work.
 */
export const a2aRoutes = routeGroup().openapi(card, async (c) => {
  const rt = await getRuntime(c.env);
  // absolute URLs from config, not from the Host a client (or a cache) sent: the request's origin only under DEV_MODE
  const base = cardBase(rt.config.router.publicUrl, c.env.DEV_MODE === "true", c.req.url);
  if (!base.ok) throw new ProblemError({ status: 503, slug: "public-url-unset", title: "Router misconfigured", detail: base.detail });
  const body = JSON.stringify(cardFor(buildAgentCard({ config: rt.config, baseUrl: base.baseUrl, version: pkg.version, tasks: c.env.TASK_AGENT !== undefined, push: pushSupported(c.env) }), asked(c)));
  const etag = await strongEtag(body);
  const headers = {
    etag,
    // a card built from the request's origin (DEV_MODE) is not kept by shared caches
    "cache-control": base.pinned ? "public, max-age=60" : "no-store",
    vary: base.pinned ? "A2A-Version" : "A2A-Version, Host",
  };
  if (noneMatchHit(c.req.header("if-none-match"), etag)) return c.body(null, 304, headers);
  return c.body(body, 200, { ...headers, "content-type": "application/json" });
});

/** One JSON-RPC call: the envelope, the requested version, then the work; every error is a JSON-RPC error in the call's version. */
async function serveRpc(c: Context<AppEnv>): Promise<Response> {
  const requested = asked(c);
  const parsed = parseCall(await c.req.text());
  if (!parsed.ok) return c.json(rpcErrorFor(parsed.id, parsed.error, parsed.wire ?? errorWire(requested)), 200);
  const { call } = parsed;
  const refused = versionRefusal(requested, call);
  if (refused) return c.json(rpcErrorFor(call.id, refused, call.wire), 200);
  try {
    return await serveCall(c, call);
  } catch (e) {
    return c.json(rpcErrorFor(call.id, toRpcError(e, c.req.path), call.wire), 200);
  }
}

// Documented, but not validated by the OpenAPI layer: malformed calls must get JSON-RPC errors, not 400 problems.
a2aRoutes.openAPIRegistry.registerPath(rpcRoute(RPC_PATH));
a2aRoutes.openAPIRegistry.registerPath(rpcRoute("/"));
a2aRoutes.post(RPC_PATH, serveRpc);
a2aRoutes.post("/", serveRpc);
