import { z } from "@hono/zod-openapi";

/**
 * The OpenAPI description of a chat-like front door's 200 (`/v1/chat/completions`,
 * `/v1/responses`, `/v1/messages`): the reply as JSON (`schema`), or with
 * `stream: true` server-sent events, and the router's two answer headers —
 * `x-switchyard-specialist` and `x-switchyard-not-sent` (what this door's clients sent
 * that the answering model was not sent: `notSent`).
 */
export function doorAnswer(description: string, schema: z.ZodType, notSent: string) {
  return {
    description,
    content: { "application/json": { schema }, "text/event-stream": { schema: z.string() } },
    headers: {
      "x-switchyard-specialist": { description: "the specialist that answered", schema: { type: "string" as const } },
      "x-switchyard-not-sent": { description: notSent, schema: { type: "string" as const } },
    },
  };
}
