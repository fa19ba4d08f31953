import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startDevServer, type DevServer } from "../support/dev-server.ts";

let server: DevServer;
const auth = { authorization: "Bearer dev-key", "content-type": "application/json" };

beforeAll(async () => {
  server = await startDevServer();
});
afterAll(async () => {
  await server?.stop();
});

describe("wrangler dev, over real HTTP", () => {
  it("serves /healthz on 127.0.0.1", async () => {
    const res = await fetch(`${server.url}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ ok: true });
  });

  it("routes one hop to each example specialist through the service binding", async () => {
    const cases: [string, string][] = [
      ["what is 15% of 80", "arithmetic"],
      ["convert 3 kg to pounds", "units"],
      ["how many days between 2026-01-01 and 2026-03-01", "datetime"],
      ["hello there, what can you do?", "general"],
    ];
    for (const [input, specialist] of cases) {
      const res = await fetch(`${server.url}/v1/route`, { method: "POST", headers: auth, body: JSON.stringify({ input }) });
      expect(res.status, input).toBe(200);
      const body = (await res.json()) as { decision: { specialist: string }; output: { text?: string } };
      expect(body.decision.specialist, input).toBe(specialist);
      expect(typeof body.output.text).toBe("string");
      expect(res.headers.get("server-timing")).toMatch(/specialist/);
    }
  });

  it("routes a second hop by intent id and serves the intent from the cache", async () => {
    const first = await fetch(`${server.url}/v1/intents`, { method: "POST", headers: auth, body: JSON.stringify({ input: "convert 100 fahrenheit to celsius" }) });
    const id = first.headers.get("x-intent-id")!;
    expect(id).toMatch(/^in_[0-9a-f]{32}$/);
    const hop = await fetch(`${server.url}/v1/route`, { method: "POST", headers: { ...auth, "x-intent-id": id }, body: JSON.stringify({}) });
    expect(hop.status).toBe(200);
    const body = (await hop.json()) as { decision: { specialist: string; intent: { id: string } } };
    expect(body.decision).toMatchObject({ specialist: "units", intent: { id } });
    const got = await fetch(`${server.url}/v1/intents/${id}`, { headers: auth });
    expect(got.status).toBe(200);
  });

  it("answers bad input with problem+json", async () => {
    const res = await fetch(`${server.url}/v1/route`, { method: "POST", headers: auth, body: "{oops" });
    expect(res.status).toBe(400);
    expect(res.headers.get("content-type")).toMatch(/application\/problem\+json/);
    const unauth = await fetch(`${server.url}/v1/specialists`);
    expect(unauth.status).toBe(401);
  });
});
