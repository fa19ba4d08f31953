import { describe, expect, it } from "vitest";
import { Hono } from "hono";
import type { AppEnv, Env } from "../../../worker/env.ts";
import { authenticate, oneKey, sameHex } from "../../../worker/http/auth.ts";

describe("sameHex", () => {
  it("compares digests fully", () => {
    expect(sameHex("ab12", "ab12")).toBe(true);
    expect(sameHex("ab12", "ab13")).toBe(false);
    expect(sameHex("ab12", "ab1")).toBe(false);
  });
});

describe("authenticate: Authorization sent twice", () => {
  const app = new Hono<AppEnv>().use("*", authenticate()).get("/", (c) => c.text(c.var.principal.tenant));
  app.onError((e, c) => c.text(e.message, 401));
  const env = { DEV_MODE: "true" } as Env;
  const get = (...values: string[]) => app.request("/", { headers: values.map((v) => ["authorization", v] as [string, string]) }, env);
  it("with one key is that key, as x-api-key is; with different keys a 401", async () => {
    expect(oneKey("Bearer dev-key, Bearer dev-key")).toBe("Bearer dev-key");
    const same = await get("Bearer dev-key", "Bearer dev-key");
    expect(same.status).toBe(200);
    expect(await same.text()).toBe("dev");
    const different = await get("Bearer dev-key", "Bearer dev-admin-key");
    expect(different.status).toBe(401);
    expect(await different.text()).toBe("send 'Authorization: Bearer <key>'");
  });
});
