/**
 * Workers AI text generation through the Worker's `AI` binding (the `workers-ai`
 * endpoint type): OpenAI-format requests translated to `env.AI.run(model, { messages,
 * tools?, stream? })` and the answer back (docs/protocols/workers-ai.md).
 */
import type { Protocol } from "../types.ts";

export const workersAi: Protocol = {
  name: "workers-ai",
  spec: "Workers AI text generation (https://developers.cloudflare.com/workers-ai/models/), AiTextGenerationInput/Output of @cloudflare/workers-types 5.20261117.1, streamed as server-sent events ending in [DONE]",
  endpointType: "workers-ai",
};
