import { describe, expect, it } from "vitest";
import { loadConfig, parseConfig } from "../../../worker/config/load.ts";

function issuesOf(raw: unknown) {
  const r = parseConfig(raw);
  if (r.ok) throw new Error("expected the config to be refused");
  return r.issues;
}

/** One routed specialist, one chat model of each kind, and an MCP server; `escalation` as router.escalation. */
const config = (escalation?: Record<string, unknown>) => ({
  router: escalation ? { escalation } : {},
  specialists: [
    { id: "a", endpoint: { type: "http", url: "https://a.example/run" }, intents: [{ label: "a.x", examples: ["do a"] }] },
    { id: "gpt", endpoint: { type: "openai-chat", url: "https://api.openai.com/v1", model: "gpt-4o-mini" } },
    { id: "claude", endpoint: { type: "anthropic", model: "claude-haiku" } },
    { id: "gem", endpoint: { type: "gemini", model: "gemini-2.5-flash" } },
    { id: "llama", endpoint: { type: "workers-ai", model: "@cf/meta/llama-3.1-8b-instruct" } },
    { id: "svc", endpoint: { type: "service", binding: "SPECIALISTS" } },
    { id: "github", endpoint: { type: "mcp", url: "https://mcp.example.com/mcp" } },
  ],
});

describe("router.escalation", () => {
  it("is off by default", () => {
    expect(loadConfig(config()).router.escalation).toBeUndefined();
  });

  it("takes a chat specialist and a threshold, with defaults for the rest", () => {
    expect(loadConfig(config({ specialist: "llama", below: 0.5 })).router.escalation).toEqual({ specialist: "llama", below: 0.5, timeoutMs: 3000, maxTokens: 256, maxInputChars: 2000, propose: false });
    for (const id of ["gpt", "claude", "gem"]) expect(parseConfig(config({ specialist: id, below: 0.4, maxCandidates: 10, timeoutMs: 800 })).ok, id).toBe(true);
  });

  it("names a registered specialist", () => {
    expect(issuesOf(config({ specialist: "nobody", below: 0.5 }))).toEqual([{ path: "router.escalation.specialist", message: "unknown specialist 'nobody'" }]);
  });

  it.each(["a", "svc", "github"])("refuses '%s', which is no chat model", (id) => {
    expect(issuesOf(config({ specialist: id, below: 0.5 }))).toEqual([
      { path: "router.escalation.specialist", message: expect.stringMatching(new RegExp(`^'${id}' is a '[a-z-]+' specialist; escalation asks a chat model \\(openai-chat, anthropic, gemini, workers-ai\\)$`)) },
    ]);
  });

  it("checks its fields", () => {
    expect(issuesOf(config({ specialist: "gpt" })).map((i) => i.path)).toEqual(["router.escalation.below"]);
    expect(issuesOf(config({ specialist: "gpt", below: 1.5, timeoutMs: 10, maxCandidates: 1, extra: true })).map((i) => i.path).sort()).toEqual([
      "router.escalation",
      "router.escalation.below",
      "router.escalation.maxCandidates",
      "router.escalation.timeoutMs",
    ]);
  });
});
