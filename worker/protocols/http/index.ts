/**
 * Switchyard's own JSON protocol over HTTPS (the `http` endpoint type): POST
 * `{ input, intent?, context? }`, reply `{ output, usage? }` (docs/protocols/http.md).
 */
import type { Protocol } from "../types.ts";

export const http: Protocol = {
  name: "http",
  spec: "Switchyard's JSON specialist protocol (docs/protocols/http.md)",
  endpointType: "http",
};
