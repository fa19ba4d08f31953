/**
 * The Gemini API (https://ai.google.dev/api/generate-content): for now its pure
 * translation to and from OpenAI Chat Completions (translate.ts, stream-translate.ts,
 * docs/protocols/gemini.md). The `gemini` endpoint type and its adapter come next,
 * and will be declared here.
 */
import type { Protocol } from "../types.ts";

export const gemini: Protocol = {
  name: "gemini",
  endpointType: "gemini",
  spec: "Gemini API v1beta generateContent / streamGenerateContent (https://ai.google.dev/api/generate-content), function calling and thought signatures as documented at https://ai.google.dev/gemini-api/docs",
};
