/**
 * Anthropic's Messages API (https://docs.anthropic.com/en/api/messages): its wire
 * shapes (wire.ts), the translation to and from OpenAI Chat Completions, requests,
 * replies and streams (translate.ts, stream-translate.ts), the `anthropic` endpoint
 * type (adapter.ts), and the front door `POST /v1/messages` (routes.ts) with
 * Anthropic's error shape and its `x-api-key` header.
 */
import type { Protocol } from "../types.ts";
import { anthropicErrorShape } from "./errors.ts";
import { anthropicRoutes } from "./routes.ts";

export const anthropic: Protocol = {
  name: "anthropic",
  endpointType: "anthropic",
  spec: "Anthropic Messages API (https://docs.anthropic.com/en/api/messages) as the @anthropic-ai/sdk 1.14.0 types describe it, API versions 2023-06-01 and 2026-10-21, streaming as server-sent events",
  frontDoor: {
    routes: anthropicRoutes,
    errorShape: { paths: ["/v1/messages", "/v1/messages/*"], middleware: anthropicErrorShape },
    keyHeader: { header: "x-api-key", paths: ["/v1/messages", "/v1/messages/*"] },
  },
};
