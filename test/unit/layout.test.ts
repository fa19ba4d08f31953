import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { Endpoint } from "../../worker/config/schema.ts";
import { ADAPTERS } from "../../worker/protocols/adapters.ts";
import { PROTOCOLS } from "../../worker/protocols/registry.ts";
import { importsOf, ROOT, runtimeCycles, sourceFiles } from "../support/imports.ts";

const NEUTRAL = ["worker/routing", "worker/pools", "worker/policy", "worker/intent", "worker/tasks", "worker/observe"];

/**
 * OpenAI Chat Completions is the router's canonical chat format (worker/protocols/translation.ts):
 * translating protocols (anthropic, gemini, workers-ai) read and write it with these modules.
 */
const CANONICAL_CHAT = new Set(["wire", "sse", "chat", "stream", "stream-parts", "stream-native", "stream-rewrite"].map((m) => `worker/protocols/openai/${m}.ts`));

describe("source layout (DESIGN §6)", () => {
  it("protocol-neutral modules import no protocol folder, not even for types", () => {
    const offenders = NEUTRAL.flatMap((d) => sourceFiles(d)).flatMap((f) => importsOf(f, false).filter((t) => t.startsWith("worker/protocols/")).map((t) => `${f} → ${t}`));
    expect(offenders).toEqual([]);
  });

  it("every folder under worker/protocols/ is a registered protocol with an index.ts", () => {
    const folders = readdirSync(join(ROOT, "worker/protocols")).filter((n) => statSync(join(ROOT, "worker/protocols", n)).isDirectory());
    expect(folders.filter((f) => !existsSync(join(ROOT, "worker/protocols", f, "index.ts")))).toEqual([]);
    expect(PROTOCOLS.map((p) => p.name).sort()).toEqual([...folders].sort());
    for (const p of PROTOCOLS) expect(p.spec, p.name).toMatch(/\S/);
  });

  it("every endpoint type of the config schema has one adapter, of the type it is listed under, and one protocol folder", () => {
    const types = Endpoint.unwrap().options.map((o) => o.unwrap().shape.type.value).sort();
    expect(Object.keys(ADAPTERS).sort()).toEqual(types);
    for (const [type, adapter] of Object.entries(ADAPTERS)) expect(adapter.type).toBe(type);
    expect(PROTOCOLS.flatMap((p) => (p.endpointType ? [p.endpointType] : [])).sort()).toEqual(types);
  });

  it("the task engine's Durable Objects load no front door (only the adapters)", () => {
    const seen = new Set<string>();
    const visit = (f: string) => {
      if (seen.has(f) || !/\.tsx?$/.test(f)) return;
      seen.add(f);
      importsOf(f, true).forEach(visit);
    };
    // the MCP session is a front door's own object: its tool calls go through the whole app in process (worker/protocols/mcp/session-tools.ts)
    const doorObjects = new Set(["durable-objects/mcp-session.ts"]);
    sourceFiles("durable-objects")
      .filter((f) => !doorObjects.has(f))
      .forEach(visit);
    expect(seen.has("durable-objects/mcp-session.ts")).toBe(false);
    expect([...seen].filter((f) => /^worker\/protocols\/([^/]+\/(routes|serve|index)\.ts|registry\.ts)$/.test(f) || f.startsWith("worker/routes/"))).toEqual([]);
  });

  it("sees dynamic imports and inline import types", () => {
    const probe = "test/support/import-probe.ts";
    expect(importsOf(probe, false)).toEqual(["worker/protocols/registry.ts", "worker/protocols/types.ts", "worker/routing/hop.ts"]);
    expect(importsOf(probe, true)).toEqual(["worker/protocols/registry.ts"]);
  });

  it("a protocol folder imports no other protocol folder, except the canonical chat format's modules", () => {
    const offenders = sourceFiles("worker/protocols").flatMap((f) => {
      const own = f.split("/")[2];
      return importsOf(f, false)
        .filter((t) => t.startsWith("worker/protocols/") && t.split("/").length > 3 && t.split("/")[2] !== own && f.split("/").length > 3)
        .filter((t) => !CANONICAL_CHAT.has(t))
        .map((t) => `${f} → ${t}`);
    });
    expect(offenders).toEqual([]);
  });

  it("the canonical chat modules are themselves free of front doors and adapters", () => {
    for (const f of CANONICAL_CHAT) expect(f).not.toMatch(/\/(routes|serve|adapter|index)\.ts$/);
  });

  it("there is no runtime import cycle among worker/ and durable-objects/", () => {
    expect(runtimeCycles([...sourceFiles("worker"), ...sourceFiles("durable-objects")])).toEqual([]);
  });
});
