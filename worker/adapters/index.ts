import type { Endpoint } from "../config/schema.ts";
import { a2aAdapter } from "./a2a.ts";
import { httpAdapter } from "./http.ts";
import { openaiChatAdapter } from "./openai-chat.ts";
import { serviceAdapter } from "./service.ts";
import type { AdapterContext, SpecialistOutcome, SpecialistRequest } from "./types.ts";

/**
 * Calls `endpoint` with the adapter for its type. The exhaustive switch makes a
 * new endpoint type in the config schema a compile error until it has an adapter.
 */
export function callEndpoint(endpoint: Endpoint, request: SpecialistRequest, ctx: AdapterContext): Promise<SpecialistOutcome> {
  switch (endpoint.type) {
    case "service":
      return serviceAdapter.call(endpoint, request, ctx);
    case "http":
      return httpAdapter.call(endpoint, request, ctx);
    case "openai-chat":
      return openaiChatAdapter.call(endpoint, request, ctx);
    case "a2a":
      return a2aAdapter.call(endpoint, request, ctx);
    default: {
      const never: never = endpoint;
      throw new Error(`no adapter for ${(never as Endpoint).type}`);
    }
  }
}

export type { AdapterContext, SpecialistOutcome, SpecialistRequest } from "./types.ts";
