/**
 * The protocol registry: every wire protocol the router speaks, one folder each
 * (`worker/protocols/<name>/index.ts`). Adding a protocol is adding a folder and a
 * line in `PROTOCOLS`; a new endpoint type in the config schema does not compile
 * until a protocol here speaks it.
 */
import type { Endpoint, Specialist } from "../config/schema.ts";
import type { Adapter, AdapterContext, EndpointCaller, SpecialistOutcome, SpecialistRequest } from "../routing/hop.ts";
import { a2a } from "./a2a/index.ts";
import { http } from "./http/index.ts";
import { openai } from "./openai/index.ts";
import { service } from "./service/index.ts";
import type { FrontDoor, Protocol } from "./types.ts";

export const PROTOCOLS = [service, http, openai, a2a] as const;

type Spoken = NonNullable<(typeof PROTOCOLS)[number]["adapter"]>["type"];
/** Compile-time check: every endpoint type of the config schema has an adapter. */
const everyEndpointTypeSpoken: [Exclude<Endpoint["type"], Spoken>] extends [never] ? true : never = true;
void everyEndpointTypeSpoken;

const ADAPTERS = new Map<string, Adapter>(
  (PROTOCOLS as readonly Protocol[]).flatMap((p) => (p.adapter ? [[p.adapter.type, p.adapter as Adapter] as const] : [])),
);

/** The front doors, in mounting order. */
export const FRONT_DOORS: readonly FrontDoor[] = (PROTOCOLS as readonly Protocol[]).flatMap((p) => (p.frontDoor ? [p.frontDoor] : []));

/**
 * Calls `endpoint` with the adapter of its type. Throws only for a type no protocol
 * speaks, which the config schema and the check above rule out.
 */
export function callEndpoint(endpoint: Endpoint, request: SpecialistRequest, ctx: AdapterContext): Promise<SpecialistOutcome> {
  const adapter = ADAPTERS.get(endpoint.type);
  if (!adapter) throw new Error(`no adapter for endpoint type '${endpoint.type}'`);
  return adapter.call(endpoint, request, ctx);
}

/** `callEndpoint` for a specialist: what front doors and the task engine pass to routing. */
export const callSpecialist: EndpointCaller = (s: Specialist, request, ctx) => callEndpoint(s.endpoint, request, ctx);

export type { AdapterContext, SpecialistOutcome, SpecialistRequest } from "../routing/hop.ts";
