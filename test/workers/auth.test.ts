import { describe, expect, it } from "vitest";
import { sha256Hex } from "../../worker/intent/record.ts";
import { call, callWith, problem } from "./helpers.ts";
import { MAX_FAILED_KEYS } from "../../worker/http/auth.ts";

describe("authentication", () => {
  it("refuses a missing or unknown key with 401 and WWW-Authenticate", async () => {
    for (const authorization of ["", "Bearer nope", "Basic dev-key"]) {
      const res = await call("/v1/specialists", { headers: { authorization } });
      expect(res.status).toBe(401);
      expect(res.headers.get("www-authenticate")).toBe("Bearer");
      expect((await problem(res)).type).toBe("urn:switchyard:problem:unauthorized");
    }
  });

  it("Authorization sent twice with one key is that key; with two different keys a 401", async () => {
    const twice = (a: string, b: string) => call("/v1/specialists", { headers: [["authorization", a], ["authorization", b]] });
    expect((await twice("Bearer dev-key", "Bearer dev-key")).status).toBe(200);
    const different = await twice("Bearer dev-key", "Bearer dev-admin-key");
    expect(different.status).toBe(401);
    expect((await problem(different)).detail).toMatch(/Authorization: Bearer <key>/);
  });

  it("accepts the dev keys only in DEV_MODE", async () => {
    expect((await call("/v1/specialists")).status).toBe(200);
    expect((await call("/v1/specialists", { headers: { authorization: "Bearer dev-admin-key" } })).status).toBe(200);
    const res = await callWith({ DEV_MODE: "false", API_KEYS: JSON.stringify({ [await sha256Hex("real-key")]: "acme" }) }, "/v1/specialists");
    expect(res.status).toBe(401);
  });

  it("accepts production keys stored as SHA-256 hashes", async () => {
    const API_KEYS = JSON.stringify({ [await sha256Hex("acme-secret-key")]: "acme" });
    const ok = await callWith({ DEV_MODE: "false", API_KEYS }, "/v1/specialists", { headers: { authorization: "Bearer acme-secret-key" } });
    expect(ok.status).toBe(200);
    const bad = await callWith({ DEV_MODE: "false", API_KEYS }, "/v1/specialists", { headers: { authorization: "Bearer acme-secret-kez" } });
    expect(bad.status).toBe(401);
    const admin = await callWith({ DEV_MODE: "false", ADMIN_KEY_SHA256: await sha256Hex("root") }, "/v1/specialists", { headers: { authorization: "Bearer root" } });
    expect(admin.status).toBe(200);
  });
});

describe("GET /v1/specialists", () => {
  it("lists the registry without secrets", async () => {
    const res = await call("/v1/specialists");
    const { specialists } = (await res.json()) as { specialists: { id: string; endpoint: { type: string; target: string }; intents: { label: string; examples: number }[]; isFallback: boolean }[] };
    const ids = specialists.map((s) => s.id);
    expect(ids).toEqual(expect.arrayContaining(["arithmetic", "units", "datetime", "general", "fault-ok"]));
    const general = specialists.find((s) => s.id === "general")!;
    expect(general.isFallback).toBe(true);
    expect(general.endpoint).toEqual({ type: "service", target: "SPECIALISTS/general" });
    const fault = specialists.find((s) => s.id === "fault-ok")!;
    expect(fault.endpoint.target).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(specialists.find((s) => s.id === "arithmetic")!.intents[0]!.examples).toBeGreaterThan(0);
    expect((general as unknown as { health: unknown }).health).toEqual({ pool: "specialist:general", breaker: "closed", limited: false });
  });
});

describe("no silent open mode", () => {
  it("a router without keys refuses every route, /healthz included", async () => {
    for (const path of ["/healthz", "/v1/specialists"]) {
      const res = await callWith({ DEV_MODE: "false", API_KEYS: undefined, ADMIN_KEY_SHA256: undefined }, path);
      expect(res.status, path).toBe(503);
      expect((await problem(res)).type).toBe("urn:switchyard:problem:no-keys");
    }
  });

  it("refuses JSON nested too deeply before parsing it", async () => {
    const res = await call("/v1/intents", { method: "POST", body: `{"input":"x","a":${"[".repeat(50_000)}`, headers: { "content-type": "application/json" } });
    expect(res.status).toBe(400);
    expect((await problem(res)).detail).toMatch(/nested deeper than 32/);
  });
});

describe("key hygiene", () => {
  it("an address that keeps sending unknown keys must wait (429 with Retry-After); other addresses are not affected", async () => {
    const guess = (ip: string, key = "wrong") => call("/v1/specialists", { headers: { authorization: `Bearer ${key}`, "cf-connecting-ip": ip } });
    for (let i = 0; i < MAX_FAILED_KEYS; i++) expect((await guess("203.0.113.7")).status).toBe(401);
    const blocked = await guess("203.0.113.7");
    expect(blocked.status).toBe(429);
    expect(Number(blocked.headers.get("retry-after"))).toBeGreaterThan(0);
    expect((await guess("203.0.113.7", "dev-key")).status).toBe(429); // no more tries from there, right or wrong, until the minute is over
    expect((await guess("198.51.100.1", "dev-key")).status).toBe(200);
  });

  it("API_KEYS naming an invalid tenant is a misconfiguration (503), not a tenant", async () => {
    const API_KEYS = JSON.stringify({ [await sha256Hex("k-bad")]: "../../etc" });
    const res = await callWith({ API_KEYS, DEV_MODE: "false" }, "/v1/specialists", { headers: { authorization: "Bearer k-bad" } });
    expect(res.status).toBe(503);
    expect(((await res.json()) as { detail: string }).detail).toMatch(/not a tenant name/);
  });

  it("a tenant key cannot share the admin key's tenant ('admin'): it would see every task the admin key started", async () => {
    const keys = { DEV_MODE: "false", ADMIN_KEY_SHA256: await sha256Hex("root-key"), API_KEYS: JSON.stringify({ [await sha256Hex("k-admin-named")]: "admin" }) };
    const started = await callWith(keys, "/v1/tasks", { json: { goal: "admin's own", input: "convert 5 km to miles" }, headers: { authorization: "Bearer root-key" } });
    expect(started.status).toBe(202);
    const { id } = (await started.json()) as { id: string };
    const res = await callWith(keys, `/v1/tasks/${id}`, { headers: { authorization: "Bearer k-admin-named" } });
    expect(res.status).toBe(503);
    expect((await problem(res)).detail).toMatch(/'admin' is the admin key's tenant/);
  });
});
