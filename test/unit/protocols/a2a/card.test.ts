import { describe, expect, it } from "vitest";
import { buildAgentCard, cardUrlOf, pickInterface } from "../../../../worker/protocols/a2a/card.ts";
import { loadConfig } from "../../../../worker/config/load.ts";
import bundled from "../../../../switchyard.config.json" with { type: "json" };

describe("the router's agent card", () => {
  const config = loadConfig(bundled);
  const card = buildAgentCard({ config, baseUrl: "https://router.example", version: "0.1.0", tasks: true }) as any;

  it("points at the JSON-RPC endpoint in protocol 1.0 (and 0.3), with streaming and the bearer scheme", () => {
    expect(card.supportedInterfaces).toEqual([
      { url: "https://router.example/a2a", protocolBinding: "JSONRPC", protocolVersion: "1.0" },
      { url: "https://router.example/a2a", protocolBinding: "JSONRPC", protocolVersion: "0.3" },
    ]);
    expect(card).toMatchObject({ name: "Switchyard", version: "0.1.0", url: "https://router.example/a2a", protocolVersion: "1.0", capabilities: { streaming: true, pushNotifications: false } });
    expect(card.securitySchemes.bearer.httpAuthSecurityScheme.scheme).toBe("Bearer");
    expect(card.securityRequirements).toEqual([{ schemes: { bearer: { list: [] } } }]);
    expect(card.defaultInputModes).toContain("text/plain");
  });

  it("has one skill per specialist with intents (labels as tags, examples from each intent) and a tasks skill", () => {
    const ids = card.skills.map((s: { id: string }) => s.id);
    expect(ids).toEqual([...config.specialists.filter((s) => s.intents.length).map((s) => s.id), "tasks"]);
    const units = card.skills.find((s: { id: string }) => s.id === "units");
    expect(units).toMatchObject({ name: "Units", tags: ["units.convert", "units.temperature", "units.data"] });
    expect(units.examples).toContain(config.specialists.find((s) => s.id === "units")!.intents[1]!.examples[0]);
    expect(units.examples.length).toBeLessThanOrEqual(6);
    expect(card.skills.at(-1).tags).toContain("workflow:checked-conversion");
    expect(buildAgentCard({ config, baseUrl: "https://r", version: "1", tasks: false }).skills).not.toContainEqual(expect.objectContaining({ id: "tasks" }));
  });
});

describe("reading a remote agent's card", () => {
  it("finds the card at the well-known path of the base URL (or takes a .json URL as is)", () => {
    expect(cardUrlOf("https://a.example/agents/x")).toBe("https://a.example/agents/x/.well-known/agent-card.json");
    expect(cardUrlOf("https://a.example/")).toBe("https://a.example/.well-known/agent-card.json");
    expect(cardUrlOf("https://a.example/card.json")).toBe("https://a.example/card.json");
  });

  it("prefers a 1.x JSON-RPC interface, then a 0.x one, then a 0.3 card's url", () => {
    const at = "https://a.example/.well-known/agent-card.json";
    const both = { supportedInterfaces: [{ url: "/rpc03", protocolBinding: "JSONRPC", protocolVersion: "0.3" }, { url: "https://a.example/rpc", protocolBinding: "jsonrpc", protocolVersion: "1.0" }, { url: "https://a.example/rest", protocolBinding: "HTTP+JSON", protocolVersion: "1.0" }] };
    expect(pickInterface(both, at)).toEqual({ ok: true, url: "https://a.example/rpc", wire: "1.0" });
    expect(pickInterface({ supportedInterfaces: [both.supportedInterfaces[0]] }, at)).toEqual({ ok: true, url: "https://a.example/rpc03", wire: "0.3" });
    expect(pickInterface({ url: "https://a.example/legacy", protocolVersion: "0.3.0" }, at)).toEqual({ ok: true, url: "https://a.example/legacy", wire: "0.3" });
    expect(pickInterface({ url: "https://a.example/grpc", preferredTransport: "GRPC", additionalInterfaces: [{ url: "https://a.example/j", transport: "JSONRPC" }] }, at)).toEqual({ ok: true, url: "https://a.example/j", wire: "0.3" });
  });

  it("refuses cards without a JSON-RPC interface", () => {
    expect(pickInterface({ supportedInterfaces: [{ url: "x", protocolBinding: "GRPC", protocolVersion: "1.0" }] }, "https://a/c.json")).toMatchObject({ ok: false });
    expect(pickInterface([], "https://a/c.json")).toMatchObject({ ok: false, detail: expect.stringMatching(/not a JSON object/) });
    expect(pickInterface({ url: "https://a/x", preferredTransport: "GRPC" }, "https://a/c.json")).toMatchObject({ ok: false });
  });
});
