import type { HttpEndpoint } from "../../config/schema.ts";
import type { z } from "zod";
import { buildRequest, callJson } from "../json-protocol.ts";
import type { Adapter } from "../../routing/hop.ts";

type Http = z.infer<typeof HttpEndpoint>;

/**
 * Any JSON-over-HTTP service. An `apiKeySecret` names a Worker secret whose value
 * is sent as `Authorization: Bearer …`; the key itself never appears in config.
 */
export const httpAdapter: Adapter<Http> = {
  type: "http",
  async call(endpoint, request, ctx) {
    const headers: Record<string, string> = { ...endpoint.headers };
    if (endpoint.apiKeySecret !== undefined) {
      const key = ctx.binding(endpoint.apiKeySecret);
      if (typeof key !== "string" || key === "")
        return { ok: false, failure: { kind: "misconfigured", detail: `secret ${endpoint.apiKeySecret} is not set` } };
      headers.authorization = `Bearer ${key}`;
    }
    return callJson((r) => fetch(r), buildRequest(endpoint.url, request, headers, ctx.signal), ctx.signal, true);
  },
};
