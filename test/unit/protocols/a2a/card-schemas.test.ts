import { readFileSync } from "node:fs";
import Ajv from "ajv";
import { describe, expect, it } from "vitest";
import { buildAgentCard, cardBase } from "../../../../worker/protocols/a2a/card.ts";
import { cardFor, toV03Card, V03_PROTOCOL_VERSION } from "../../../../worker/protocols/a2a/card-v03.ts";
import { loadConfig } from "../../../../worker/config/load.ts";
import bundled from "../../../../switchyard.config.json" with { type: "json" };
import { protoJsonSchema } from "../../../support/proto-json-schema.ts";

// the schemas of test/fixtures/a2a/README.md: 1.0 derived from a2a.proto v1.0.0, 0.3 as published
const fixture = (f: string) => readFileSync(new URL(`../../../fixtures/a2a/${f}`, import.meta.url), "utf8");
const ajv = new Ajv({ strict: false, allErrors: true });
ajv.addSchema(protoJsonSchema(fixture("a2a-v1.0.0.proto")), "v1");
ajv.addSchema(JSON.parse(fixture("a2a-v0.3.0.schema.json")), "v03");
const v03Schema = JSON.parse(fixture("a2a-v0.3.0.schema.json")) as { definitions: { AgentCard: { properties: Record<string, unknown> } } };

/** Validation errors of `value` against a definition (`v1#/definitions/AgentCard`), as readable lines. */
function errorsOf(ref: string, value: unknown): string[] {
  const validate = ajv.getSchema(ref);
  if (!validate) throw new Error(`no schema ${ref}`);
  return validate(value) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath || "/"} ${e.message} ${JSON.stringify(e.params)}`);
}

const config = loadConfig(bundled);
const card = () => buildAgentCard({ config, baseUrl: "https://router.example", version: "0.1.0", tasks: true });
const v03Members = Object.keys(v03Schema.definitions.AgentCard.properties);

describe("the 1.0 card against A2A 1.0 (a2a.proto v1.0.0, as strict ProtoJSON)", () => {
  it("validates, with no member the proto does not define (at any depth)", () => {
    expect(errorsOf("v1#/definitions/AgentCard", card())).toEqual([]);
    expect(errorsOf("v1#/definitions/AgentCard", buildAgentCard({ config, baseUrl: "http://localhost:8787", version: "1", tasks: false }))).toEqual([]);
  });

  it("the derived schema is strict: it refuses what the old card had on top, and a missing required field", () => {
    expect(errorsOf("v1#/definitions/AgentCard", { ...card(), url: "https://router.example/a2a", protocolVersion: "1.0" }).join("\n")).toMatch(/additionalProperty.*url/);
    const { supportedInterfaces: _gone, ...noInterfaces } = card();
    expect(errorsOf("v1#/definitions/AgentCard", noInterfaces).join("\n")).toMatch(/supportedInterfaces/);
    expect(errorsOf("v1#/definitions/AgentCard", { ...card(), supportedInterfaces: [] }).join("\n")).toMatch(/fewer than 1/);
    expect(errorsOf("v1#/definitions/SecurityScheme", { httpAuthSecurityScheme: { scheme: "Bearer" }, apiKeySecurityScheme: { location: "header", name: "k" } })).not.toEqual([]);
  });
});

describe("the 0.3 card against A2A 0.3 (specification/json/a2a.json v0.3.0)", () => {
  it("asked for with A2A-Version 0.3: validates, and has only members the 0.3 AgentCard defines", () => {
    const c = cardFor(card(), "0.3");
    expect(errorsOf("v03#/definitions/AgentCard", c)).toEqual([]);
    expect(Object.keys(c).filter((k) => !v03Members.includes(k))).toEqual([]);
    expect(c).toMatchObject({ protocolVersion: V03_PROTOCOL_VERSION, url: "https://router.example/a2a", preferredTransport: "JSONRPC", security: [{ bearer: [] }], supportsAuthenticatedExtendedCard: false });
    expect(c.securitySchemes).toEqual({ bearer: { type: "http", scheme: "Bearer", description: "The router's API key: Authorization: Bearer <key>" } });
  });

  it("asked for with no version: the 0.3 card plus the 1.0 interfaces, each a valid 1.0 AgentInterface", () => {
    const c = cardFor(card(), "unstated");
    expect(errorsOf("v03#/definitions/AgentCard", c)).toEqual([]);
    expect(Object.keys(c).filter((k) => !v03Members.includes(k))).toEqual(["supportedInterfaces"]);
    expect(c.supportedInterfaces).toEqual(card().supportedInterfaces);
    for (const i of c.supportedInterfaces ?? []) expect(errorsOf("v1#/definitions/AgentInterface", i)).toEqual([]);
  });

  it("1.0 asked for (or any version but 0.3): the 1.0 card itself", () => {
    expect(cardFor(card(), "1.0")).toEqual(card());
    expect(cardFor(card(), { unsupported: "2.0" })).toEqual(card());
    expect(toV03Card(card(), { embedInterfaces: false })).not.toHaveProperty("supportedInterfaces");
  });
});

describe("where the card's URLs point", () => {
  it("router.publicUrl when set (a path prefix kept, a trailing slash not); the request's origin only under DEV_MODE; else nothing", () => {
    expect(cardBase("https://router.example.com/", false, "http://evil.example/x")).toEqual({ ok: true, baseUrl: "https://router.example.com", pinned: true });
    expect(cardBase("https://example.com/switchyard/", true, "http://evil.example/x")).toEqual({ ok: true, baseUrl: "https://example.com/switchyard", pinned: true });
    expect(cardBase(undefined, true, "http://localhost:8787/.well-known/agent-card.json")).toEqual({ ok: true, baseUrl: "http://localhost:8787", pinned: false });
    expect(cardBase(undefined, false, "https://router.example/.well-known/agent-card.json")).toMatchObject({ ok: false, detail: expect.stringMatching(/router\.publicUrl is not set/) });
  });
});
