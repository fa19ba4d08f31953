import { env } from "cloudflare:workers";
import { describe, expect, it, vi } from "vitest";
import type { Env } from "../../worker/env.ts";
import { getRuntime } from "../../worker/runtime.ts";
import { tenantScopedKey } from "../../worker/routing/serve-hop.ts";
import { call, callWith, configWith, timingNames } from "./helpers.ts";
import bundled from "../../switchyard.config.json" with { type: "json" };

/** The bundled config's threshold as the decision reason prints it, dot escaped for a RegExp. */
const MIN_CONFIDENCE = String(bundled.router.minConfidence).replace(".", "\\.");

type RouteBody = {
  id: string;
  decision: { specialist: string; intent: { id: string; label: string; confidence: number } | null; reason: string; alternatives: { specialist: string }[] };
  output: any;
  usage: { specialist: string; costUsd: number; attempts: number; units?: number };
  attempts: { specialist: string; ok: boolean; failure?: string }[];
  timings: { intentMs: number; routeMs: number; specialistMs: number; totalMs: number };
};

describe("POST /v1/route", () => {
  it("classifies, routes to the example specialist over the service binding, and reports the decision", async () => {
    const res = await call("/v1/route", { json: { input: "what is 12 * (3 + 4)?" } });
    expect(res.status).toBe(200);
    const body = (await res.json()) as RouteBody;
    expect(body.decision.specialist).toBe("arithmetic");
    expect(body.decision.reason).toMatch(new RegExp(`^intent 'math\\.[a-z_]+' at \\d\\.\\d\\d ≥ ${MIN_CONFIDENCE}; allowed: no policy rule matched$`));
    expect(body.output.value).toBe(84);
    expect(body.id).toMatch(/^hop_/);
    expect(body.usage).toMatchObject({ specialist: "arithmetic", attempts: 1 });
    expect(res.headers.get("x-intent-id")).toBe(body.decision.intent!.id);
    expect(res.headers.get("x-switchyard-specialist")).toBe("arithmetic");
    expect(timingNames(res)).toEqual(expect.arrayContaining(["intent", "route", "specialist", "total"]));
    expect(body.timings.totalMs).toBeGreaterThanOrEqual(body.timings.specialistMs);
  });

  it("routes a later hop by intent id alone, without classifying, with the stored input", async () => {
    const first = (await (await call("/v1/route", { json: { input: "convert 10 km to miles" } })).json()) as RouteBody;
    const rt = await getRuntime(env as unknown as Env);
    const classify = vi.spyOn(rt.intents.model, "classify");
    const encode = vi.spyOn(rt.intents.model.encoder, "encode");
    const encodeOne = vi.spyOn(rt.intents.model.encoder as unknown as { encodeOne(t: string): unknown }, "encodeOne");
    const res = await call("/v1/route", { json: { intent: first.decision.intent!.id } });
    expect(res.status).toBe(200);
    const body = (await res.json()) as RouteBody;
    expect(body.decision.specialist).toBe("units");
    expect(body.decision.intent!.id).toBe(first.decision.intent!.id);
    expect(JSON.stringify(body.output)).toMatch(/6\.21/);
    const viaHeader = await call("/v1/route", { json: { input: "convert 10 km to miles" }, headers: { "x-intent-id": first.decision.intent!.id } });
    expect(((await viaHeader.json()) as RouteBody).decision.specialist).toBe("units");
    expect(classify).not.toHaveBeenCalled();
    expect(encode).not.toHaveBeenCalled();
    expect(encodeOne).not.toHaveBeenCalled();
    await call("/v1/route", { json: { input: `convert ${Math.random().toFixed(6)} km to miles` } });
    expect(classify).toHaveBeenCalledTimes(1); // the spies watch the router's own model: new text is classified
    classify.mockRestore();
    encode.mockRestore();
    encodeOne.mockRestore();
  });

  it("sends input below minConfidence to the fallback and says why", async () => {
    const SWITCHYARD_CONFIG = configWith((c) => {
      c.router = { ...c.router, minConfidence: 0.999 };
    });
    const res = await callWith({ SWITCHYARD_CONFIG }, "/v1/route", { json: { input: "convert 5 km to miles" } });
    const body = (await res.json()) as RouteBody;
    expect(body.decision.specialist).toBe("general");
    expect(body.decision.reason).toMatch(/^intent 'units\.[a-z-]+' at 0\.\d\d < 0\.999: out of scope, fallback 'general'; allowed: no policy rule matched$/);
    expect(body.decision.alternatives.map((a) => a.specialist)).toContain("units");
  });

  it("pins a specialist, passing intent, idempotency key, context and trace to it", async () => {
    const traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
    const res = await call("/v1/route", {
      json: { input: "echo me", specialist: "fault-ok", idempotencyKey: "order-42", context: { user: "u1" } },
      headers: { traceparent: `00-${traceId}-00f067aa0ba902b7-01` },
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as RouteBody;
    expect(body.decision).toMatchObject({ specialist: "fault-ok", reason: "pinned by the request; allowed: no policy rule matched", intent: null });
    expect(body.output).toMatchObject({ echo: "echo me", idempotencyKey: await tenantScopedKey("dev", "order-42") }); // namespaced by tenant
    expect(body.output.traceparent).toMatch(new RegExp(`^00-${traceId}-[0-9a-f]{16}-01$`));
    expect(body.usage.units).toBe(1);
  });

  it("uses the hop id as the idempotency key when none is given", async () => {
    const body = (await (await call("/v1/route", { json: { input: "x", specialist: "fault-ok" } })).json()) as RouteBody;
    expect(body.output.idempotencyKey).toBe(body.id);
  });

  it("adds the specialist's cost per call to usage", async () => {
    const body = (await (await call("/v1/route", { json: { input: "what is 2 + 2" } })).json()) as RouteBody;
    const rt = await getRuntime(env as unknown as Env);
    expect(body.usage.costUsd).toBe(rt.registry.get("arithmetic")!.costPerCall);
  });
});
