/**
 * The same JSON protocol as `http`, over a Workers service binding (the `service`
 * endpoint type: https://developers.cloudflare.com/workers/runtime-apis/bindings/service-bindings/).
 */
import type { Protocol } from "../types.ts";
import { serviceAdapter } from "./adapter.ts";

export const service: Protocol<"service"> = {
  name: "service",
  spec: "Switchyard specialist protocol v1 over a service binding (docs/protocols/http.md)",
  adapter: serviceAdapter,
};
