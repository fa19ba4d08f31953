/**
 * OpenAI Chat Completions (https://platform.openai.com/docs/api-reference/chat):
 * the `openai-chat` endpoint type (any OpenAI-compatible server) and the front
 * door `POST /v1/chat/completions`, `GET /v1/models` with OpenAI's error shape.
 */
import type { Protocol } from "../types.ts";
import { openAIErrorShape } from "./errors.ts";
import { openaiRoutes } from "./routes.ts";

export const openai: Protocol = {
  name: "openai",
  spec: "OpenAI Chat Completions API (https://platform.openai.com/docs/api-reference/chat) as the openai 7.57.0 SDK sends and reads it, streaming as server-sent events",
  endpointType: "openai-chat",
  frontDoor: { routes: openaiRoutes, errorShape: { paths: ["/v1/chat/*", "/v1/models/*"], middleware: openAIErrorShape } },
};
