import { describe, expect, it } from "vitest";
import { call, callWith, configWith, problem } from "./helpers.ts";
import { tenantScopedKey } from "../../worker/routing/serve-hop.ts";

const pinned = (specialist: string) => call("/v1/route", { json: { input: "hello", specialist } });

describe("POST /v1/route: bad input", () => {
  it("400s with the path of each bad field", async () => {
    const cases: [unknown, string][] = [
      [{}, "send 'input'"],
      [{ input: 5 }, "input"],
      [{ input: "x", intent: "nope" }, "intent"],
      [{ input: "x", specialist: "Bad Id" }, "specialist"],
      [{ input: "x", context: "not an object" }, "context"],
      [{ input: "x", surprise: 1 }, ""],
    ];
    for (const [json, path] of cases) {
      const res = await call("/v1/route", { json });
      expect(res.status, JSON.stringify(json)).toBe(400);
      const p = await problem(res);
      if (path.startsWith("send")) expect(p.detail).toContain(path);
      else expect(p.errors?.map((e) => e.path)).toContain(path);
    }
    const header = await call("/v1/route", { json: { input: "x" }, headers: { "x-intent-id": "garbage" } });
    expect(header.status).toBe(400);
  });

  it("404s an unknown intent id and an unknown pinned specialist", async () => {
    const a = await call("/v1/route", { json: { intent: `in_${"e".repeat(32)}` } });
    expect(a.status).toBe(404);
    expect((await problem(a)).detail).toMatch(/send 'input' instead/);
    const b = await pinned("nobody");
    expect(b.status).toBe(404);
    expect((await problem(b)).type).toBe("urn:switchyard:problem:unknown-specialist");
  });
});

describe("POST /v1/route: every way a specialist fails", () => {
  it("502 on a 5xx, naming what was tried", async () => {
    const res = await pinned("fault-error");
    expect(res.status).toBe(502);
    const p = await problem(res);
    expect(p.detail).toMatch(/fault-error: specialist answered 500/);
    expect(p.tried).toEqual([{ specialist: "fault-error", attempt: 0, failure: "http_error", status: 500 }]);
  });

  it("keeps the upstream's body out of the tenant's error and puts it in the hop's trace", async () => {
    const res = await callWith({}, "/v1/route", { json: { input: "x", specialist: "fault-error" } });
    const p = await problem(res);
    expect(JSON.stringify(p)).not.toContain("injected failure"); // the fault upstream's problem detail
    const trace = (await (await callWith({}, `/v1/hops/${p.hop as string}/trace`)).json()) as { spans: { name: string; status: { message?: string } }[] };
    expect(trace.spans.find((sp) => sp.name === "specialist.call")!.status.message).toMatch(/specialist answered 500: .*injected failure/);
  });

  it("429 with Retry-After when the specialist rate-limits", async () => {
    const res = await pinned("fault-rate-limit");
    expect(res.status).toBe(429);
    expect(res.headers.get("retry-after")).toBe("1");
  });

  it("504 when the specialist hangs or drips its body past the timeout", async () => {
    for (const s of ["fault-hang", "fault-slow-drip"]) {
      const res = await pinned(s);
      expect(res.status, s).toBe(504);
      expect((await problem(res)).type).toBe("urn:switchyard:problem:specialist-timeout");
    }
  });

  it("502 on a garbage body or a reply without output", async () => {
    for (const [s, detail] of [["fault-garbage", /not JSON/], ["fault-wrong-shape", /output/]] as const) {
      const res = await pinned(s);
      expect(res.status, s).toBe(502);
      expect((await problem(res)).detail).toMatch(detail);
    }
  });

  it("retries a flaky specialist with the same idempotency key", async () => {
    const SWITCHYARD_CONFIG = configWith((c) => {
      c.specialists.find((s) => s.id === "fault-flaky")!.retries = 2;
    });
    const res = await callWith({ SWITCHYARD_CONFIG }, "/v1/route", { json: { input: "again", specialist: "fault-flaky", idempotencyKey: "flaky-1" } });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { attempts: { ok: boolean; failure?: string }[]; output: { idempotencyKey: string } };
    expect(body.attempts.map((a) => a.ok)).toEqual([false, true]);
    expect(body.attempts[0]!.failure).toBe("http_error");
    expect(body.output.idempotencyKey).toBe(await tenantScopedKey("dev", "flaky-1"));
  });

  it("serves from a configured fallback when the specialist fails", async () => {
    const SWITCHYARD_CONFIG = configWith((c) => {
      c.specialists.find((s) => s.id === "fault-hang")!.fallbacks = ["fault-ok"];
    });
    const res = await callWith({ SWITCHYARD_CONFIG }, "/v1/route", { json: { input: "fallback please", specialist: "fault-hang" } });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { decision: { specialist: string; reason: string }; attempts: { specialist: string; failure?: string }[] };
    expect(body.decision.specialist).toBe("fault-ok");
    expect(body.decision.reason).toMatch(/'fault-hang' failed, served by fallback 'fault-ok'/);
    expect(body.attempts.map((a) => [a.specialist, a.failure])).toEqual([["fault-hang", "timeout"], ["fault-ok", undefined]]);
  });

  it("502 when a service binding named in config is missing, or the upstream is unreachable", async () => {
    const SWITCHYARD_CONFIG = configWith((c) => {
      c.specialists.push({ id: "ghost", endpoint: { type: "service", binding: "NOT_BOUND", path: "/" } });
      c.specialists.push({ id: "closed", endpoint: { type: "http", url: "http://127.0.0.1:9/" } });
    });
    const a = await callWith({ SWITCHYARD_CONFIG }, "/v1/route", { json: { input: "x", specialist: "ghost" } });
    expect(a.status).toBe(502);
    expect((await problem(a)).detail).toMatch(/NOT_BOUND is not bound/);
    const b = await callWith({ SWITCHYARD_CONFIG }, "/v1/route", { json: { input: "x", specialist: "closed" } });
    expect(b.status).toBe(502);
    expect((await problem(b)).tried).toEqual([expect.objectContaining({ failure: "unreachable" })]);
  });

  it("503 naming the bad fields when the config override does not validate", async () => {
    const res = await callWith({ SWITCHYARD_CONFIG: JSON.stringify({ specialists: [{ id: "x", endpoint: { type: "http", url: "nope" } }] }) }, "/v1/route", {
      json: { input: "x" },
    });
    expect(res.status).toBe(503);
    const p = await problem(res);
    expect(p.errors?.map((e) => e.path)).toContain("specialists.0.endpoint.url");
  });
});
