/**
 * OpenAI (https://platform.openai.com/docs/api-reference): the `openai-chat`
 * endpoint type (any OpenAI-compatible server) and the front doors
 * `POST /v1/chat/completions`, `GET /v1/models` and `POST /v1/responses` (the
 * Responses API, stateless, served through the chat models: responses-*.ts), with
 * OpenAI's error shape.
 */
import type { Protocol } from "../types.ts";
import { openAIErrorShape } from "./errors.ts";
import { responsesRoutes } from "./responses-routes.ts";
import { openaiRoutes } from "./routes.ts";

export const openai: Protocol = {
  name: "openai",
  spec: "OpenAI Chat Completions API (https://platform.openai.com/docs/api-reference/chat) and Responses API (https://platform.openai.com/docs/api-reference/responses, stateless) as the openai 7.57.0 SDK sends and reads them, streaming as server-sent events",
  endpointType: "openai-chat",
  frontDoor: {
    routes: openaiRoutes.route("/", responsesRoutes),
    errorShape: { paths: ["/v1/chat/*", "/v1/models/*", "/v1/responses", "/v1/responses/*"], middleware: openAIErrorShape },
  },
};
