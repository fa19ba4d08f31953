/**
 * Agent2Agent (A2A, https://a2a-protocol.org/latest/specification/): the `a2a`
 * endpoint type (calling A2A agents, 1.x and 0.3) and the front door (agent card at
 * `/.well-known/agent-card.json`, JSON-RPC at `/a2a` and at `POST /`, the base URL).
 */
import type { Protocol } from "../types.ts";
import { a2aRoutes } from "./routes.ts";

export const a2a: Protocol = {
  name: "a2a",
  spec: "A2A 1.0 JSON-RPC binding, and 0.3 (https://a2a-protocol.org/latest/specification/)",
  endpointType: "a2a",
  frontDoor: { routes: a2aRoutes, guardedPaths: ["/a2a", { method: "POST", path: "/" }] },
};
