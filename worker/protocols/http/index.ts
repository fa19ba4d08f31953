/**
 * Switchyard's own JSON protocol over HTTPS (the `http` endpoint type): POST
 * `{ input, intent?, context? }`, reply `{ output, usage? }` (docs/protocols/http.md).
 */
import type { Protocol } from "../types.ts";
import { httpAdapter } from "./adapter.ts";

export const http: Protocol<"http"> = {
  name: "http",
  spec: "Switchyard specialist protocol v1 (docs/protocols/http.md)",
  adapter: httpAdapter,
};
