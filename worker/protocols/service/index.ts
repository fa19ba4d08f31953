/**
 * The same JSON protocol as `http`, over a Workers service binding (the `service`
 * endpoint type: https://developers.cloudflare.com/workers/runtime-apis/bindings/service-bindings/).
 */
import type { Protocol } from "../types.ts";

export const service: Protocol = {
  name: "service",
  spec: "Switchyard's JSON specialist protocol over a service binding (docs/protocols/http.md)",
  endpointType: "service",
};
