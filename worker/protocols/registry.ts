/**
 * The protocol registry: every wire protocol the router speaks, one folder each
 * (`worker/protocols/<name>/index.ts`: its name, spec version, adapter and front
 * door). Adding a protocol is adding a folder, a line in `PROTOCOLS`, and, when it
 * calls specialists, its endpoint type in the config schema and a line in
 * `adapters.ts` (the typecheck and test/unit/layout.test.ts say what is missing).
 */
import { a2a } from "./a2a/index.ts";
import { anthropic } from "./anthropic/index.ts";
import { gemini } from "./gemini/index.ts";
import { http } from "./http/index.ts";
import { mcp } from "./mcp/index.ts";
import { openai } from "./openai/index.ts";
import { service } from "./service/index.ts";
import { workersAi } from "./workers-ai/index.ts";
import type { FrontDoor, Protocol } from "./types.ts";

export const PROTOCOLS: readonly Protocol[] = [service, http, openai, anthropic, gemini, workersAi, a2a, mcp];

/** The front doors, in mounting order. */
export const FRONT_DOORS: readonly FrontDoor[] = PROTOCOLS.flatMap((p) => (p.frontDoor ? [p.frontDoor] : []));

export { callEndpoint, callSpecialist } from "./adapters.ts";
