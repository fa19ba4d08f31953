import { createRoute, z } from "@hono/zod-openapi";
import { buildAgentCard, RPC_PATH } from "./card.ts";
import { METHODS, parseCall, RPC, rpcError, versionSupported } from "./jsonrpc.ts";
import { pushSupported } from "./push.ts";
import { serveCall, toRpcError } from "./serve.ts";
import { routeGroup } from "../../http/openapi-app.ts";
import { problemResponse } from "../../http/schemas.ts";
import { getRuntime } from "../../runtime.ts";
import pkg from "../../../package.json";

const Modes = z.array(z.string());
const AgentCard = z
  .object({
    name: z.string(),
    description: z.string(),
    supportedInterfaces: z.array(z.object({ url: z.string(), protocolBinding: z.string(), protocolVersion: z.string() })),
    provider: z.object({ organization: z.string(), url: z.string() }),
    version: z.string(),
    documentationUrl: z.string(),
    capabilities: z.object({ streaming: z.boolean(), pushNotifications: z.boolean(), extendedAgentCard: z.boolean() }),
    securitySchemes: z.record(z.string(), z.object({ httpAuthSecurityScheme: z.object({ scheme: z.string(), description: z.string() }) })),
    securityRequirements: z.array(z.object({ schemes: z.record(z.string(), z.object({ list: z.array(z.string()) })) })),
    defaultInputModes: Modes,
    defaultOutputModes: Modes,
    skills: z.array(z.object({ id: z.string(), name: z.string(), description: z.string(), tags: z.array(z.string()), examples: z.array(z.string()), inputModes: Modes, outputModes: Modes })),
    url: z.string().openapi({ description: "for A2A 0.3 clients: the JSON-RPC endpoint" }),
    protocolVersion: z.string().openapi({ description: "for A2A 0.3 clients" }),
    preferredTransport: z.string().openapi({ description: "for A2A 0.3 clients" }),
  })
  .openapi("AgentCard");

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

const card = createRoute({
  method: "get",
  path: "/.well-known/agent-card.json",
  summary: "A2A agent card: the JSON-RPC endpoint, protocol versions, skills (one per specialist) and the bearer scheme",
  security: [],
  responses: { 200: { description: "The agent card (A2A 1.0, with 0.3 fields)", content: { "application/json": { schema: AgentCard } } } },
});

const rpc = createRoute({
  method: "post",
  path: RPC_PATH,
  summary:
    "A2A JSON-RPC 2.0: SendMessage, SendStreamingMessage, GetTask, ListTasks, CancelTask, SubscribeToTask, Create/Get/List/DeleteTaskPushNotificationConfig(s) (and the 0.3 names message/send, message/stream, tasks/get, tasks/cancel, tasks/resubscribe, tasks/pushNotificationConfig/set, /get, /list, /delete)",
  security: [{ bearer: [] }],
  request: { body: { required: true, content: { "application/json": { schema: JsonRpcRequest } } } },
  responses: {
    200: {
      description: "A JSON-RPC response (errors included: -32700, -32600, -32601, -32602, -32603, -32001 task not found, -32002 not cancelable: the task ended other than cancelled), or for the streaming methods Server-Sent Events, each a JSON-RPC response",
      content: { "application/json": { schema: JsonRpcResponse }, "text/event-stream": { schema: z.string() } },
    },
    401: problemResponse("Missing or unknown API key"),
    413: problemResponse("Body too large"),
  },
});

/**
 * The A2A front door: the agent card at the well-known path (public) and the
 * JSON-RPC endpoint (bearer key). Only the envelope is handled here; `serveCall`
 * does the work.
 */
export const a2aRoutes = routeGroup().openapi(card, async (c) => {
  const rt = await getRuntime(c.env);
  // a card built from the request's Host must not be cached for other hosts: pin the URL with router.publicUrl to cache it
  const pinned = rt.config.router.publicUrl;
  const baseUrl = pinned ? new URL(pinned).origin : new URL(c.req.url).origin;
  c.header("cache-control", pinned ? "public, max-age=60" : "no-store");
  if (!pinned) c.header("vary", "host");
  return c.json(buildAgentCard({ config: rt.config, baseUrl, version: pkg.version, tasks: c.env.TASK_AGENT !== undefined, push: pushSupported(c.env) }), 200);
});
// Documented, but not validated by the OpenAPI layer: malformed calls must get JSON-RPC errors, not 400 problems.
a2aRoutes.openAPIRegistry.registerPath(rpc);
a2aRoutes.post(RPC_PATH, async (c) => {
  const parsed = parseCall(await c.req.text());
  if (!parsed.ok) return c.json(rpcError(parsed.id, parsed.error), 200);
  const { call } = parsed;
  const version = c.req.header("a2a-version");
  if (!versionSupported(version)) return c.json(rpcError(call.id, { code: RPC.VERSION_NOT_SUPPORTED, message: `A2A version ${version} is not supported (1.x and 0.3 are)` }), 200);
  try {
    return await serveCall(c, call);
  } catch (e) {
    return c.json(rpcError(call.id, toRpcError(e, c.req.path)), 200);
  }
});
