import { describe, expect, it } from "vitest";
import { buildAgentCard, type AgentCardDoc } from "../../../../worker/protocols/a2a/card.ts";
import { cardFor, toV03Card } from "../../../../worker/protocols/a2a/card-v03.ts";
import { loadConfig } from "../../../../worker/config/load.ts";
import bundled from "../../../../switchyard.config.json" with { type: "json" };

const config = loadConfig(bundled);
const card = (push = false): AgentCardDoc => buildAgentCard({ config, baseUrl: "https://router.example", version: "0.1.0", tasks: true, push });

describe("toV03Card", () => {
  it("takes url and transport from the 0.x interface, wherever it is listed", () => {
    const c = card();
    const split: AgentCardDoc = {
      ...c,
      supportedInterfaces: [
        { url: "https://router.example/a2a/v1", protocolBinding: "JSONRPC", protocolVersion: "1.0" },
        { url: "https://router.example/a2a/v03", protocolBinding: "JSONRPC+v03", protocolVersion: "0.3" },
      ],
    };
    expect(toV03Card(split, { embedInterfaces: false })).toMatchObject({ url: "https://router.example/a2a/v03", preferredTransport: "JSONRPC+v03" });
  });

  it("carries the capabilities it has in 0.3, as the card says them", () => {
    expect(toV03Card(card(true), { embedInterfaces: false }).capabilities).toEqual({ streaming: true, pushNotifications: true });
    expect(toV03Card(card(false), { embedInterfaces: false }).capabilities).toEqual({ streaming: true, pushNotifications: false });
    expect(cardFor(card(true), "0.3")).toMatchObject({ capabilities: { streaming: true, pushNotifications: true } });
  });
});
