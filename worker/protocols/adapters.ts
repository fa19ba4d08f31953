/**
 * The specialist side of the protocol registry: endpoint type → adapter, one line
 * per protocol that calls specialists. The task engine (a Durable Object) imports
 * only this, not the front doors (`registry.ts`). A new endpoint type in the config
 * schema does not compile until it is listed here.
 */
import type { Endpoint, Specialist } from "../config/schema.ts";
import type { Adapter, AdapterContext, EndpointCaller, SpecialistOutcome, SpecialistRequest } from "../routing/hop.ts";
import { a2aAdapter } from "./a2a/adapter.ts";
import { anthropicAdapter } from "./anthropic/adapter.ts";
import { geminiAdapter } from "./gemini/adapter.ts";
import { httpAdapter } from "./http/adapter.ts";
import { mcpAdapter } from "./mcp/adapter.ts";
import { openaiChatAdapter } from "./openai/adapter.ts";
import { serviceAdapter } from "./service/adapter.ts";
import { workersAiAdapter } from "./workers-ai/adapter.ts";
import type { ChatModelAdapter, TextStreamAdapter } from "./types.ts";

/** Every endpoint type of the config schema, with the adapter that speaks it. */
export const ADAPTERS: { readonly [T in Endpoint["type"]]: Adapter<Extract<Endpoint, { type: T }>> } = {
  service: serviceAdapter,
  http: httpAdapter,
  "openai-chat": openaiChatAdapter,
  anthropic: anthropicAdapter,
  gemini: geminiAdapter,
  "workers-ai": workersAiAdapter,
  a2a: a2aAdapter,
  mcp: mcpAdapter,
};

/** The adapter of a chat model's endpoint (its output is a `ChatOutput`, and it streams), or undefined for other types. */
export function chatModelAdapter(endpoint: Endpoint): ChatModelAdapter | undefined {
  const a = ADAPTERS[endpoint.type] as Adapter | ChatModelAdapter;
  return "chatModel" in a ? (a as ChatModelAdapter) : undefined;
}

/** The adapter of an endpoint that is no chat model but can stream its answer's text, or undefined for other types. */
export function textStreamAdapter(endpoint: Endpoint): TextStreamAdapter | undefined {
  const a = ADAPTERS[endpoint.type] as Adapter | TextStreamAdapter;
  return "streamText" in a ? (a as TextStreamAdapter) : undefined;
}

/** Calls `endpoint` with the adapter of its type. */
export function callEndpoint(endpoint: Endpoint, request: SpecialistRequest, ctx: AdapterContext): Promise<SpecialistOutcome> {
  return (ADAPTERS[endpoint.type] as Adapter).call(endpoint, request, ctx);
}

/** `callEndpoint` for a specialist: what front doors and the task engine hand to routing. */
export const callSpecialist: EndpointCaller = (s: Specialist, request, ctx) => callEndpoint(s.endpoint, request, ctx);
