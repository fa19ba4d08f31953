import { describe, expect, it } from "vitest";
import { call, problem } from "./helpers.ts";

describe("GET /healthz", () => {
  it("answers without auth, with version, encoder and a traceparent", async () => {
    const res = await call("/healthz", { headers: { authorization: "" } });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { ok: boolean; version: string; encoder: string; specialists: number };
    expect(body).toMatchObject({ ok: true, version: expect.stringMatching(/^\d+\.\d+\.\d+/), encoder: expect.stringMatching(/^builtin/) });
    expect(body.specialists).toBeGreaterThanOrEqual(5);
    expect(res.headers.get("traceparent")).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
    expect(res.headers.get("server-timing")).toMatch(/total/);
  });

  it("continues a caller's trace", async () => {
    const res = await call("/healthz", { headers: { traceparent: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01" } });
    expect(res.headers.get("traceparent")).toMatch(/^00-4bf92f3577b34da6a3ce929d0e0e4736-(?!00f067aa0ba902b7)[0-9a-f]{16}-01$/);
  });
});

describe("unknown routes and the OpenAPI document", () => {
  it("404s as problem+json", async () => {
    const res = await call("/v1/nothing-here");
    expect(res.status).toBe(404);
    expect((await problem(res)).detail).toMatch(/no route for GET \/v1\/nothing-here/);
  });

  it("serves /openapi.json describing the routes", async () => {
    const res = await call("/openapi.json");
    expect(res.status).toBe(200);
    const doc = (await res.json()) as { openapi: string; paths: Record<string, unknown> };
    expect(doc.openapi).toBe("3.1.0");
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(["/healthz", "/v1/intents", "/v1/intents/{id}", "/v1/route", "/v1/specialists"]));
  });
});
