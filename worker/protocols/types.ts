/**
 * What a protocol folder (`worker/protocols/<name>/`) gives the router: the endpoint
 * type its adapter speaks (`adapters.ts` lists the adapters) and its front door (for
 * protocols clients call the router with). The registry (`registry.ts`) lists them.
 */
import type { OpenAPIHono } from "@hono/zod-openapi";
import type { MiddlewareHandler } from "hono";
import type { Endpoint } from "../config/schema.ts";
import type { AppEnv } from "../env.ts";

/** A protocol's front door: routes clients call, with the same auth and guards as `/v1/*`. */
export interface FrontDoor {
  /** Its routes, mounted at `/` (they name their own paths). */
  routes: OpenAPIHono<AppEnv>;
  /**
   * Paths outside `/v1/*` that take the same API keys, kill switches and body limit
   * as `/v1/*` (e.g. `/a2a`). Public paths (an agent card) are not listed.
   */
  guardedPaths?: readonly string[];
  /**
   * Errors on these paths answer in the protocol's own error shape (including the
   * auth and body-limit failures, so the middleware runs first).
   */
  errorShape?: { paths: readonly string[]; middleware: () => MiddlewareHandler<AppEnv> };
}

/** One wire protocol: its name, the spec version it follows, and what it serves. */
export interface Protocol {
  name: string;
  /** The specification (and version) the folder follows, with its address. */
  spec: string;
  /** The endpoint type of the specialists it calls (its adapter is listed in `adapters.ts`). */
  endpointType?: Endpoint["type"];
  frontDoor?: FrontDoor;
}
