/**
 * Agent cards: the router's own in A2A 1.0 (served at `/.well-known/agent-card.json`;
 * its 0.3 form is card-v03.ts), where its URLs come from, and reading a remote agent's
 * card to find its JSON-RPC endpoint and protocol version (for the `a2a` adapter). Pure.
 */
import type { Config } from "../../config/schema.ts";
import { DEFAULT_INPUT_MODES, inputModesOf } from "../../config/input-modes.ts";
import type { Wire } from "./jsonrpc.ts";

/** The protocol version the current `@a2a-js/sdk` client speaks by default. */
export const A2A_PROTOCOL_VERSION = "1.0";

/** Path of the router's JSON-RPC endpoint (named in the card; `POST /` takes the same calls). */
export const RPC_PATH = "/a2a";

/** Well-known path of an agent card (relative to the agent's base URL). */
export const CARD_PATH = ".well-known/agent-card.json";

const EXAMPLES_PER_SKILL = 6;
const OUTPUT_MODES = ["text/plain", "application/json"];

/** One skill of the router's agent card (A2A 1.0 `AgentSkill`). */
export interface AgentSkill {
  id: string;
  name: string;
  description: string;
  tags: string[];
  examples: string[];
  inputModes: string[];
  outputModes: string[];
}

/** An A2A 1.0 `AgentInterface`. */
export interface AgentInterface {
  url: string;
  protocolBinding: string;
  protocolVersion: string;
}

/**
 * The router's agent card as A2A 1.0 defines it (`AgentCard` in a2a.proto, v1.0.0): every
 * member is a proto field, none is 0.3's (those are in card-v03.ts).
 */
export interface AgentCardDoc {
  name: string;
  description: string;
  supportedInterfaces: AgentInterface[];
  provider: { organization: string; url: string };
  version: string;
  documentationUrl: string;
  capabilities: { streaming: boolean; pushNotifications: boolean; extendedAgentCard: boolean };
  securitySchemes: Record<string, { httpAuthSecurityScheme: { scheme: string; description: string } }>;
  securityRequirements: { schemes: Record<string, { list: string[] }> }[];
  defaultInputModes: string[];
  defaultOutputModes: string[];
  skills: AgentSkill[];
}

const title = (id: string) => id.split(/[-_]/).map((w) => (w ? w[0]!.toUpperCase() + w.slice(1) : w)).join(" ");

/** Every mode of `lists`, once, in first-seen order. */
const union = (lists: readonly (readonly string[])[]): string[] => [...new Set(lists.flat())];

/**
 * The router's agent card in A2A 1.0: one skill per specialist that declares intents
 * (its intent labels as tags, examples from each intent, its input modes), and a
 * `tasks` skill for multi-step goals when tasks are available. `defaultInputModes` is
 * every mode some specialist takes (routing picks one that takes the message's parts).
 */
export function buildAgentCard(a: { config: Config; baseUrl: string; version: string; tasks: boolean; push?: boolean }): AgentCardDoc {
  const url = `${a.baseUrl}${RPC_PATH}`;
  const skills: AgentSkill[] = a.config.specialists
    .filter((s) => s.intents.length > 0)
    .map((s) => {
      const perIntent = Math.max(1, Math.floor(EXAMPLES_PER_SKILL / s.intents.length));
      const described = s.intents.map((i) => i.description).filter(Boolean);
      return {
        id: s.id,
        name: title(s.id),
        description: s.description || described.join(" ") || `intents: ${s.intents.map((i) => i.label).join(", ")}`,
        tags: s.intents.map((i) => i.label),
        examples: s.intents.flatMap((i) => i.examples.slice(0, perIntent)).slice(0, EXAMPLES_PER_SKILL),
        inputModes: [...inputModesOf(s)],
        outputModes: [...OUTPUT_MODES],
      };
    });
  if (a.tasks)
    skills.push({
      id: "tasks",
      name: "Multi-step tasks",
      description:
        "Goals of several requests in a row ('…, then …') run as a task: planned, routed step by step, verified and audited; follow it with GetTask or a stream, stop it with CancelTask. Set metadata.switchyard.workflow to run a named workflow.",
      tags: ["tasks", ...a.config.workflows.map((w) => `workflow:${w.id}`)],
      examples: ["convert 5 km to miles, then what is the result times 3"],
      inputModes: [...DEFAULT_INPUT_MODES],
      outputModes: [...OUTPUT_MODES],
    });
  return {
    name: "Switchyard",
    description:
      "An edge router for multi-agent systems: each message goes to the specialist that handles its intent (classified, cached and shared by id), and multi-step goals run as durable tasks.",
    supportedInterfaces: [
      { url, protocolBinding: "JSONRPC", protocolVersion: A2A_PROTOCOL_VERSION },
      { url, protocolBinding: "JSONRPC", protocolVersion: "0.3" },
    ],
    provider: { organization: "Switchyard", url: a.baseUrl },
    version: a.version,
    documentationUrl: `${a.baseUrl}/openapi.json`,
    capabilities: { streaming: true, pushNotifications: a.push === true, extendedAgentCard: false },
    securitySchemes: { bearer: { httpAuthSecurityScheme: { scheme: "Bearer", description: "The router's API key: Authorization: Bearer <key>" } } },
    securityRequirements: [{ schemes: { bearer: { list: [] } } }],
    defaultInputModes: union([DEFAULT_INPUT_MODES, ...a.config.specialists.map((s) => inputModesOf(s))]),
    defaultOutputModes: [...OUTPUT_MODES],
    skills,
  };
}

/** Where the card's URLs point: the configured base, or the request's origin in development. */
export type CardBase = { ok: true; baseUrl: string; pinned: boolean } | { ok: false; detail: string };

/**
 * The base URL the card names. A2A needs absolute URLs (a2a.proto `AgentInterface.url`:
 * "a valid absolute HTTPS URL in production"), and a card taken from the request's
 * `Host` would name whatever host a client (or a cache in between) sent. So:
 * `router.publicUrl` when set (its path kept: a router behind a path prefix); else, only
 * under `DEV_MODE` (`npm run dev`, tests), the origin the card was requested at; else none.
 *
 * @example
 * cardBase("https://router.example.com/", false, "http://x/.well-known/agent-card.json") // { ok: true, baseUrl: "https://router.example.com", pinned: true }
 * cardBase(undefined, true, "http://localhost:8787/.well-known/agent-card.json")        // { ok: true, baseUrl: "http://localhost:8787", pinned: false }
 */
export function cardBase(publicUrl: string | undefined, devMode: boolean, requestUrl: string): CardBase {
  if (publicUrl !== undefined) {
    const u = new URL(publicUrl);
    return { ok: true, baseUrl: `${u.origin}${u.pathname.replace(/\/+$/, "")}`, pinned: true };
  }
  if (devMode) return { ok: true, baseUrl: new URL(requestUrl).origin, pinned: false };
  return { ok: false, detail: "router.publicUrl is not set: the agent card names absolute URLs, and a deployed router does not take them from the request's Host; set router.publicUrl (e.g. https://router.example.com) in the config" };
}

/** The card URL of an agent: `url` itself if it names a `.json` file, else its well-known card. */
export function cardUrlOf(agentUrl: string): string {
  if (/\.json$/i.test(new URL(agentUrl).pathname)) return agentUrl;
  return new URL(CARD_PATH, agentUrl.endsWith("/") ? agentUrl : `${agentUrl}/`).href;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
const major = (v: unknown) => (typeof v === "string" ? Number.parseInt(v, 10) : Number.NaN);

/**
 * Where and in which version to call a remote agent, from its card: a 1.x
 * JSON-RPC interface in `supportedInterfaces` wins, then a 0.x one there, then a
 * 0.3 card's `url` (when its transport is JSON-RPC) or a JSON-RPC entry of its
 * `additionalInterfaces`. Relative URLs are resolved against the card's URL.
 */
export function pickInterface(card: unknown, cardUrl: string): { ok: true; url: string; wire: Wire } | { ok: false; detail: string } {
  if (!isRecord(card)) return { ok: false, detail: "the agent card is not a JSON object" };
  const abs = (u: string) => new URL(u, cardUrl).href;
  const jsonRpc = (i: unknown): i is Record<string, unknown> & { url: string } =>
    isRecord(i) && typeof i.url === "string" && String(i.protocolBinding ?? i.transport ?? "").toUpperCase() === "JSONRPC";
  try {
    const supported = Array.isArray(card.supportedInterfaces) ? card.supportedInterfaces.filter(jsonRpc) : [];
    const v1 = supported.find((i) => major(i.protocolVersion) === 1);
    if (v1) return { ok: true, url: abs(v1.url), wire: "1.0" };
    const v0 = supported.find((i) => major(i.protocolVersion) === 0 || Number.isNaN(major(i.protocolVersion)));
    if (v0) return { ok: true, url: abs(v0.url), wire: "0.3" };
    const preferred = String(card.preferredTransport ?? "JSONRPC").toUpperCase();
    if (typeof card.url === "string" && preferred === "JSONRPC") return { ok: true, url: abs(card.url), wire: "0.3" };
    const extra = Array.isArray(card.additionalInterfaces) ? card.additionalInterfaces.find(jsonRpc) : undefined;
    if (extra) return { ok: true, url: abs(extra.url), wire: "0.3" };
  } catch (e) {
    return { ok: false, detail: `the agent card has an invalid URL: ${(e as Error).message}` };
  }
  return { ok: false, detail: "the agent card declares no JSON-RPC interface" };
}
