import type { ServiceEndpoint } from "../../config/schema.ts";
import type { z } from "zod";
import { buildRequest, callJson } from "../json-protocol.ts";
import type { Adapter } from "../../routing/hop.ts";

type Service = z.infer<typeof ServiceEndpoint>;

function isFetcher(v: unknown): v is Fetcher {
  return typeof v === "object" && v !== null && typeof (v as Fetcher).fetch === "function";
}

/**
 * A Worker behind a service binding: same JSON contract as `http`, no public
 * network hop. The host name in the URL is ignored by service bindings.
 */
export const serviceAdapter: Adapter<Service> = {
  type: "service",
  async call(endpoint, request, ctx) {
    const fetcher = ctx.binding(endpoint.binding);
    if (!isFetcher(fetcher))
      return { ok: false, failure: { kind: "misconfigured", detail: `service binding ${endpoint.binding} is not bound in this Worker` } };
    const req = buildRequest(`https://${endpoint.binding.toLowerCase()}.internal${endpoint.path}`, request, {}, ctx.signal);
    return callJson((r) => fetcher.fetch(r), req, ctx.signal);
  },
};
