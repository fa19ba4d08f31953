/**
 * What the MCP door's Worker route tells a session's Durable Object about a request
 * (pure: both sides import it): who calls, the session's scope, whether it may start.
 */
import { z } from "zod";

/**
 * The header the MCP door passes a request's caller and session in (set by the Worker
 * on its way there, never taken from a client: routes.ts).
 */
export const DOOR_HEADER = "x-switchyard-mcp-door";

/** What the door says of a request: the session's scope, and whether the request may start it. */
export const DoorCall = z.strictObject({
  scope: z.strictObject({
    id: z.string(),
    tenant: z.string(),
    admin: z.boolean(),
    tools: z.array(z.string()).optional(),
    query: z.string().optional(),
    k: z.number().int().optional(),
    base: z.string(),
  }),
  create: z.boolean(),
});
export type DoorCall = z.infer<typeof DoorCall>;

