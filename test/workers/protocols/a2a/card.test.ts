import { describe, expect, it } from "vitest";
import { buildAgentCard } from "../../../../worker/protocols/a2a/card.ts";
import { toV03Card } from "../../../../worker/protocols/a2a/card-v03.ts";
import { loadConfig } from "../../../../worker/config/load.ts";
import { call, callWith, configWith, problem } from "../../helpers.ts";
import pkg from "../../../../package.json";

const CARD = "/.well-known/agent-card.json";
const get = (init: RequestInit = {}, path = CARD) => call(path, { ...init, headers: { authorization: "", ...(init.headers as Record<string, string>) } });
const pinnedConfig = configWith((c) => void (c.router = { ...c.router, publicUrl: "https://router.example.com/" }));
const pinned = (headers: Record<string, string> = {}, env: Record<string, string> = {}) => callWith({ SWITCHYARD_CONFIG: pinnedConfig, ...env }, CARD, { headers: { authorization: "", ...headers } });

/** The card the pure builders make for the test config (card-schemas.test.ts validates those against the A2A schemas). */
const expected = (baseUrl: string, config = pinnedConfig) => buildAgentCard({ config: loadConfig(JSON.parse(config)), baseUrl, version: pkg.version, tasks: true, push: true });

describe("GET /.well-known/agent-card.json: one card per A2A version", () => {
  it("A2A-Version 1.0 (header or query parameter): exactly the 1.0 card", async () => {
    const res = await pinned({ "a2a-version": "1.0" });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^application\/json/);
    expect(await res.json()).toStrictEqual(expected("https://router.example.com"));
    const byQuery = await callWith({ SWITCHYARD_CONFIG: pinnedConfig }, `${CARD}?A2A-Version=1.0`, { headers: { authorization: "" } });
    expect(await byQuery.json()).toStrictEqual(expected("https://router.example.com"));
  });

  it("A2A-Version 0.3: exactly the 0.3 card; no version: the 0.3 card with the 1.0 interfaces (§3.6.2)", async () => {
    const card = expected("https://router.example.com");
    expect(await (await pinned({ "a2a-version": "0.3" })).json()).toStrictEqual(toV03Card(card, { embedInterfaces: false }));
    const unstated = (await (await pinned()).json()) as Record<string, unknown>;
    expect(unstated).toStrictEqual(toV03Card(card, { embedInterfaces: true }));
    expect(unstated).toMatchObject({ url: "https://router.example.com/a2a", protocolVersion: "0.3.0", preferredTransport: "JSONRPC", supportedInterfaces: card.supportedInterfaces });
  });

  it("another version gets the 1.0 card: its interfaces say which versions are spoken", async () => {
    expect(await (await pinned({ "a2a-version": "2.0" })).json()).toStrictEqual(expected("https://router.example.com"));
  });
});

describe("the card's ETag", () => {
  it("is strong, differs per version, and If-None-Match with it answers 304 (no body, same validators)", async () => {
    const v1 = await pinned({ "a2a-version": "1.0" });
    const etag = v1.headers.get("etag")!;
    expect(etag).toMatch(/^"[0-9a-f]{64}"$/);
    expect(v1.headers.get("vary")).toBe("A2A-Version");
    expect(v1.headers.get("cache-control")).toBe("public, max-age=60");
    expect((await pinned({ "a2a-version": "0.3" })).headers.get("etag")).not.toBe(etag);
    expect((await pinned({ "a2a-version": "1.0" })).headers.get("etag")).toBe(etag);
    const again = await pinned({ "a2a-version": "1.0", "if-none-match": `W/"other", ${etag}` });
    expect(again.status).toBe(304);
    expect(await again.text()).toBe("");
    expect(again.headers.get("etag")).toBe(etag);
    expect(again.headers.get("vary")).toBe("A2A-Version");
    expect((await pinned({ "a2a-version": "0.3", "if-none-match": etag })).status).toBe(200);
    expect((await pinned({ "if-none-match": "*" })).status).toBe(304);
  });
});

describe("where the card points (router.publicUrl, not the request's Host)", () => {
  it("publicUrl set: every URL from it, whatever Host says", async () => {
    const card = (await (await pinned({ "a2a-version": "1.0", host: "evil.example" })).json()) as { supportedInterfaces: { url: string }[]; provider: { url: string }; documentationUrl: string };
    expect(card.supportedInterfaces.map((i) => i.url)).toEqual(["https://router.example.com/a2a", "https://router.example.com/a2a"]);
    expect([card.provider.url, card.documentationUrl]).toEqual(["https://router.example.com", "https://router.example.com/openapi.json"]);
    expect(JSON.stringify(card)).not.toMatch(/evil\.example/);
  });

  it("unset under DEV_MODE (npm run dev, these tests): the origin it was asked at, never cached", async () => {
    const res = await get({ headers: { "a2a-version": "1.0" } });
    expect(res.headers.get("cache-control")).toBe("no-store");
    expect(res.headers.get("vary")).toBe("A2A-Version, Host");
    expect(((await res.json()) as { supportedInterfaces: { url: string }[] }).supportedInterfaces[0]!.url).toBe("https://router.test/a2a");
  });

  it("unset on a deployed router (no DEV_MODE): 503 naming router.publicUrl, not a card built from Host", async () => {
    const res = await callWith({ DEV_MODE: "false" }, CARD, { headers: { authorization: "" } });
    expect(res.status).toBe(503);
    expect(await problem(res)).toMatchObject({ type: "urn:switchyard:problem:public-url-unset", detail: expect.stringMatching(/set router\.publicUrl/) });
    expect((await pinned({}, { DEV_MODE: "false" })).status).toBe(200);
  });
});
