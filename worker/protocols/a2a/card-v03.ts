/**
 * The router's agent card in A2A 0.3 (`AgentCard` of the 0.3.0 JSON schema,
 * specification/json/a2a.json at a2aproject/A2A v0.3.0), made from the 1.0 card, and
 * which of the two a request gets. Pure.
 */
import type { AgentCardDoc, AgentInterface, AgentSkill } from "./card.ts";
import type { Requested } from "./versions.ts";

/** The protocol version a 0.3 card names (the 0.3.0 schema's default). */
export const V03_PROTOCOL_VERSION = "0.3.0";

/** The router's card in A2A 0.3: where to call it (`url`, `preferredTransport`), OpenAPI-style security. */
export interface AgentCardV03 {
  protocolVersion: string;
  name: string;
  description: string;
  url: string;
  preferredTransport: string;
  provider: { organization: string; url: string };
  version: string;
  documentationUrl: string;
  capabilities: { streaming: boolean; pushNotifications: boolean };
  securitySchemes: Record<string, { type: "http"; scheme: string; description: string }>;
  security: Record<string, string[]>[];
  defaultInputModes: string[];
  defaultOutputModes: string[];
  skills: AgentSkill[];
  supportsAuthenticatedExtendedCard: boolean;
  /** Only in the card for requests without `A2A-Version` ({@link cardFor}). */
  supportedInterfaces?: AgentInterface[];
}

/**
 * The 0.3 form of a 1.0 card: its 0.3 JSON-RPC interface as `url`, its security schemes
 * and requirements in 0.3's (OpenAPI) shape, everything else as is. With `embedInterfaces`
 * it also keeps the 1.0 `supportedInterfaces`, so a 1.x client that sent no
 * `A2A-Version` still finds the 1.0 interface (what @a2a-js/sdk's server does:
 * `toCompatAgentCard(card, { embedV1Interfaces: true })`); the 0.3 schema allows it.
 */
export function toV03Card(card: AgentCardDoc, o: { embedInterfaces: boolean }): AgentCardV03 {
  // `!`: buildAgentCard always lists a 0.3 JSON-RPC interface
  const v03 = card.supportedInterfaces.find((i) => i.protocolVersion.startsWith("0."))!;
  return {
    protocolVersion: V03_PROTOCOL_VERSION,
    name: card.name,
    description: card.description,
    url: v03.url,
    preferredTransport: v03.protocolBinding,
    provider: card.provider,
    version: card.version,
    documentationUrl: card.documentationUrl,
    capabilities: { streaming: card.capabilities.streaming, pushNotifications: card.capabilities.pushNotifications },
    securitySchemes: Object.fromEntries(Object.entries(card.securitySchemes).map(([name, s]) => [name, { type: "http" as const, ...s.httpAuthSecurityScheme }])),
    security: card.securityRequirements.map((r) => Object.fromEntries(Object.entries(r.schemes).map(([name, scopes]) => [name, scopes.list]))),
    defaultInputModes: card.defaultInputModes,
    defaultOutputModes: card.defaultOutputModes,
    skills: card.skills,
    supportsAuthenticatedExtendedCard: card.capabilities.extendedAgentCard,
    ...(o.embedInterfaces ? { supportedInterfaces: card.supportedInterfaces } : {}),
  };
}

/**
 * The card for a request's `A2A-Version` (versions.ts `parseVersion`): 0.3 gets the 0.3
 * card; none gets the 0.3 card with the 1.0 interfaces (A2A §3.6.2: "Agents MUST
 * interpret empty value as 0.3 version", and 0.3 clients send none); any other version
 * gets the 1.0 card, whose `supportedInterfaces` say which versions are served.
 */
export function cardFor(card: AgentCardDoc, version: Requested): AgentCardDoc | AgentCardV03 {
  if (version === "0.3" || version === "unstated") return toV03Card(card, { embedInterfaces: version === "unstated" });
  return card;
}
