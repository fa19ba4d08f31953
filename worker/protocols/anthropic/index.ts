/**
 * Anthropic's Messages API (https://docs.anthropic.com/en/api/messages): its wire
 * shapes (wire.ts) and the translation to and from OpenAI Chat Completions, requests,
 * replies and streams (translate.ts, stream-translate.ts). The `anthropic` endpoint
 * type and the `POST /v1/messages` front door build on these; until they land, the
 * folder registers the protocol with neither.
 */
import type { Protocol } from "../types.ts";

export const anthropic: Protocol = {
  name: "anthropic",
  endpointType: "anthropic",
  spec: "Anthropic Messages API (https://docs.anthropic.com/en/api/messages) as the @anthropic-ai/sdk 1.14.0 types describe it, API versions 2023-06-01 and 2026-10-21, streaming as server-sent events",
};
