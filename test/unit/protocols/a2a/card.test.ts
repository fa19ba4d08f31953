import { beforeEach, describe, expect, it } from "vitest";
import { buildAgentCard, cardUrlOf, pickInterface } from "../../../../worker/protocols/a2a/card.ts";
import { loadConfig } from "../../../../worker/config/load.ts";
import bundled from "../../../../switchyard.config.json" with { type: "json" };

describe("the router's agent card", () => {
  const config = loadConfig(bundled);
  // built inside each test: Stryker switches a mutant on per test, after describe bodies ran
  let card: any;
  beforeEach(() => {
    card = buildAgentCard({ config, baseUrl: "https://router.example", version: "0.1.0", tasks: true });
  });

  it("points at the JSON-RPC endpoint in protocol 1.0 (and 0.3), with streaming and the bearer scheme", () => {
    expect(card.supportedInterfaces).toEqual([
      { url: "https://router.example/a2a", protocolBinding: "JSONRPC", protocolVersion: "1.0" },
      { url: "https://router.example/a2a", protocolBinding: "JSONRPC", protocolVersion: "0.3" },
    ]);
    expect(card).toMatchObject({ name: "Switchyard", version: "0.1.0", capabilities: { streaming: true, pushNotifications: false } });
    // nothing of 0.3 at the top of the 1.0 card (card-v03.ts makes the 0.3 one)
    for (const legacy of ["url", "protocolVersion", "preferredTransport", "security", "supportsAuthenticatedExtendedCard"]) expect(card).not.toHaveProperty(legacy);
    expect(card.securitySchemes.bearer.httpAuthSecurityScheme.scheme).toBe("Bearer");
    expect(card.securityRequirements).toEqual([{ schemes: { bearer: { list: [] } } }]);
    expect(card.defaultInputModes).toContain("text/plain");
  });

  it("declares push notifications only when the deployment sends them (TaskAgent and the webhooks queue)", () => {
    expect(buildAgentCard({ config, baseUrl: "https://r", version: "1", tasks: true, push: true }).capabilities.pushNotifications).toBe(true);
    expect(buildAgentCard({ config, baseUrl: "https://r", version: "1", tasks: true, push: false }).capabilities.pushNotifications).toBe(false);
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

describe("the agent card, whole", () => {
  const small = loadConfig({
    specialists: [
      {
        id: "unit_convert-x",
        endpoint: { type: "http", url: "https://u.example/" },
        intents: [
          { label: "units.length", examples: ["5 km in miles", "3 feet in metres", "1 mile in km", "2 m in ft"] },
          { label: "units.mass", examples: ["3 kg in pounds", "1 lb in grams", "2 oz in grams", "4 g in oz"], description: "Mass." },
        ],
      },
      { id: "no-intents", endpoint: { type: "http", url: "https://n.example/" } },
      { id: "described", description: "Does things.", endpoint: { type: "http", url: "https://d.example/" }, intents: [{ label: "d", examples: ["do a thing"], description: "Ignored: the specialist says it." }] },
      { id: "plain", endpoint: { type: "http", url: "https://p.example/" }, intents: [{ label: "p.one", examples: ["one"] }, { label: "p.two", examples: ["two"] }] },
    ],
  });

  it("is exactly this for a small config (wire document: every field is read by clients)", () => {
    expect(buildAgentCard({ config: small, baseUrl: "https://r.example", version: "2.3.4", tasks: false })).toStrictEqual({
      name: "Switchyard",
      description:
        "An edge router for multi-agent systems: each message goes to the specialist that handles its intent (classified, cached and shared by id), and multi-step goals run as durable tasks.",
      supportedInterfaces: [
        { url: "https://r.example/a2a", protocolBinding: "JSONRPC", protocolVersion: "1.0" },
        { url: "https://r.example/a2a", protocolBinding: "JSONRPC", protocolVersion: "0.3" },
      ],
      provider: { organization: "Switchyard", url: "https://r.example" },
      version: "2.3.4",
      documentationUrl: "https://r.example/openapi.json",
      capabilities: { streaming: true, pushNotifications: false, extendedAgentCard: false },
      securitySchemes: { bearer: { httpAuthSecurityScheme: { scheme: "Bearer", description: "The router's API key: Authorization: Bearer <key>" } } },
      securityRequirements: [{ schemes: { bearer: { list: [] } } }],
      defaultInputModes: ["text/plain", "application/json"],
      defaultOutputModes: ["text/plain", "application/json"],
      skills: [
        {
          id: "unit_convert-x",
          name: "Unit Convert X",
          description: "Mass.",
          tags: ["units.length", "units.mass"],
          examples: ["5 km in miles", "3 feet in metres", "1 mile in km", "3 kg in pounds", "1 lb in grams", "2 oz in grams"],
          inputModes: ["text/plain", "application/json"],
          outputModes: ["text/plain", "application/json"],
        },
        { id: "described", name: "Described", description: "Does things.", tags: ["d"], examples: ["do a thing"], inputModes: ["text/plain", "application/json"], outputModes: ["text/plain", "application/json"] },
        { id: "plain", name: "Plain", description: "intents: p.one, p.two", tags: ["p.one", "p.two"], examples: ["one", "two"], inputModes: ["text/plain", "application/json"], outputModes: ["text/plain", "application/json"] },
      ],
    });
  });

  it("takes at least one example of each intent, at most six in all", () => {
    const many = loadConfig({
      specialists: [{ id: "m", endpoint: { type: "http", url: "https://m.example/" }, intents: Array.from({ length: 8 }, (_, i) => ({ label: `l${i}`, examples: [`a${i}`, `b${i}`] })) }],
    });
    const [skill] = buildAgentCard({ config: many, baseUrl: "https://r", version: "1", tasks: false }).skills as { examples: string[] }[];
    expect(skill!.examples).toEqual(["a0", "a1", "a2", "a3", "a4", "a5"]);
  });

  it("a tasks skill when tasks are available, tagged with the workflows", () => {
    const skills = buildAgentCard({ config: small, baseUrl: "https://r", version: "1", tasks: true }).skills as { id: string; tags: string[] }[];
    expect(skills.at(-1)).toMatchObject({ id: "tasks", name: "Multi-step tasks", tags: ["tasks"], examples: ["convert 5 km to miles, then what is the result times 3"] });
  });
});

describe("reading a remote agent's card: every path", () => {
  const at = "https://a.example/.well-known/agent-card.json";

  it("skips interfaces that are not objects, have no string url, or another binding", () => {
    const card = { supportedInterfaces: [null, [], "x", { url: 5, protocolBinding: "JSONRPC", protocolVersion: "1.0" }, { url: "/grpc", protocolBinding: "GRPC", protocolVersion: "1.0" }, { url: "/v0", protocolVersion: "0.3", transport: "jsonrpc" }] };
    expect(pickInterface(card, at)).toEqual({ ok: true, url: "https://a.example/v0", wire: "0.3" });
    expect(pickInterface({ supportedInterfaces: [{ url: "/nov", protocolBinding: "JSONRPC" }] }, at)).toEqual({ ok: true, url: "https://a.example/nov", wire: "0.3" });
    expect(pickInterface({ supportedInterfaces: [{ url: "/v2", protocolBinding: "JSONRPC", protocolVersion: "2.0" }] }, at)).toEqual({ ok: false, detail: "the agent card declares no JSON-RPC interface" });
    expect(pickInterface({ supportedInterfaces: [{ url: "/bare" }] }, at)).toEqual({ ok: false, detail: "the agent card declares no JSON-RPC interface" });
  });

  it("a 0.3 card's url counts unless its preferred transport is another; additional interfaces only when JSON-RPC", () => {
    expect(pickInterface({ url: "/rpc", preferredTransport: "jsonrpc" }, at)).toEqual({ ok: true, url: "https://a.example/rpc", wire: "0.3" });
    expect(pickInterface({ url: "/grpc", preferredTransport: "GRPC", additionalInterfaces: [{ url: "/h", transport: "HTTP+JSON" }] }, at)).toEqual({ ok: false, detail: "the agent card declares no JSON-RPC interface" });
    expect(pickInterface({ additionalInterfaces: "x" }, at)).toEqual({ ok: false, detail: "the agent card declares no JSON-RPC interface" });
  });

  it("says so when a URL in the card is invalid", () => {
    expect(pickInterface({ url: "http://[bad" }, "not a url")).toEqual({ ok: false, detail: expect.stringMatching(/^the agent card has an invalid URL: /) });
    expect(pickInterface(null, at)).toEqual({ ok: false, detail: "the agent card is not a JSON object" });
  });
});
