import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { Endpoint } from "../../worker/config/schema.ts";
import { PROTOCOLS } from "../../worker/protocols/registry.ts";
import { importsOf, ROOT, runtimeCycles, sourceFiles } from "../support/imports.ts";

const NEUTRAL = ["worker/routing", "worker/pools", "worker/policy", "worker/intent", "worker/tasks", "worker/observe"];

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

  it("every endpoint type of the config schema has exactly one adapter", () => {
    const types = Endpoint.options.map((o) => o.shape.type.value).sort();
    const spoken = PROTOCOLS.flatMap((p) => (p.adapter ? [p.adapter.type] : [])).sort();
    expect(spoken).toEqual(types);
  });

  it("a protocol folder imports no other protocol folder", () => {
    const offenders = sourceFiles("worker/protocols").flatMap((f) => {
      const own = f.split("/")[2];
      return importsOf(f, false)
        .filter((t) => t.startsWith("worker/protocols/") && t.split("/").length > 3 && t.split("/")[2] !== own && f.split("/").length > 3)
        .map((t) => `${f} → ${t}`);
    });
    expect(offenders).toEqual([]);
  });

  it("there is no runtime import cycle among worker/ and durable-objects/", () => {
    expect(runtimeCycles([...sourceFiles("worker"), ...sourceFiles("durable-objects")])).toEqual([]);
  });
});
