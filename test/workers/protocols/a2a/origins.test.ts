import { describe, expect, inject, it } from "vitest";
import { resetA2aCards } from "../../../../worker/protocols/a2a/adapter.ts";
import { callWith, configWith, problem } from "../../helpers.ts";

/**
 * A remote agent's card cannot redirect the router's calls (issue 11): only the
 * configured origin is called unless `allowedOrigins` lists another, and the key and
 * custom headers go to the configured origin only.
 */
const faults = () => inject("faultsUrl");
const port = () => new URL(faults()).port;
const CONFIG = () =>
  configWith((c) => {
    const endpoint = { type: "a2a" as const, url: `${faults()}/a2a-elsewhere`, apiKeySecret: "FAKE_OPENAI_KEY", headers: { "x-agent-secret": "s3cret" } };
    c.specialists.push({ id: "agent-redirect", endpoint });
    c.specialists.push({ id: "agent-allowed", endpoint: { ...endpoint, allowedOrigins: [`http://localhost:${port()}`] } });
    c.specialists.push({ id: "redirecting", endpoint: { type: "http", url: `${faults()}/redirect`, headers: { "x-agent-secret": "s3cret" } } });
  });
const calls = async (path: string) => ((await (await fetch(`${faults()}/calls?path=${path}`)).json()) as { calls: number }).calls;

describe("a2a specialists and their agent cards", () => {
  it("refuses a card that sends calls to another origin, and calls nobody there", async () => {
    resetA2aCards();
    const before = await calls("/a2a-elsewhere-rpc");
    const res = await callWith({ SWITCHYARD_CONFIG: CONFIG() }, "/v1/route", { json: { input: "hello", specialist: "agent-redirect" } });
    expect(res.status).toBe(502);
    expect((await problem(res)).detail).toMatch(/sends calls to http:\/\/localhost:\d+, not to the configured origin http:\/\/127\.0\.0\.1:\d+; list it in allowedOrigins/);
    expect(await calls("/a2a-elsewhere-rpc")).toBe(before);
  });

  it("calls an allowed origin, but never with the key or the custom headers", async () => {
    resetA2aCards();
    const res = await callWith({ SWITCHYARD_CONFIG: CONFIG() }, "/v1/route", { json: { input: "hello", specialist: "agent-allowed" } });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { output: { text: string } }).output.text).toBe("elsewhere");
    const seen = ((await (await fetch(`${faults()}/headers?path=/a2a-elsewhere-rpc`)).json()) as { headers: Record<string, string> }).headers;
    expect(seen.authorization).toBeUndefined();
    expect(seen["x-agent-secret"]).toBeUndefined();
    expect(seen["idempotency-key"]).toBeDefined(); // the hop's own headers still go
  });

  it("does not follow a specialist's redirect to another origin (nor carry its headers there)", async () => {
    const before = await calls("/redirect-target");
    const res = await callWith({ SWITCHYARD_CONFIG: CONFIG() }, "/v1/route", { json: { input: "hello", specialist: "redirecting" } });
    expect(res.status).toBe(502);
    expect((await problem(res)).detail).toMatch(/answered a redirect \(307\); redirects are not followed/);
    expect(await calls("/redirect-target")).toBe(before);
  });
});
