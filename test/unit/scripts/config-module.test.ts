import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import bundled from "../../../switchyard.config.json" with { type: "json" };
import { buildConfigModule } from "../../../scripts/lib/config-module.ts";
import { builtConfigFor, type BuiltConfig } from "../../../worker/config/built.ts";
import { ConfigError, loadConfig } from "../../../worker/config/load.ts";

const dir = mkdtempSync(join(tmpdir(), "switchyard-config-module-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The config recorded in a generated module's text. */
const recorded = (text: string) => JSON.parse(/= (\{.*\});/.exec(text)![1]!) as BuiltConfig;

function file(name: string, value: unknown): string {
  const f = join(dir, name);
  writeFileSync(f, JSON.stringify(value, null, 2));
  return f;
}

describe("the build step's config module (npm run build:model)", () => {
  it("records the config as the schema parses it (defaults applied) and the raw file's JSON", () => {
    const out = join(dir, "a", "bundled-config.ts");
    expect(buildConfigModule(file("a.json", bundled), out)).toEqual({ written: true });
    const m = recorded(readFileSync(out, "utf8"));
    expect(m.raw).toBe(JSON.stringify(bundled));
    expect(m.config).toEqual(loadConfig(bundled));
    expect(builtConfigFor(bundled, m)).toEqual(loadConfig(bundled));
  });

  it("leaves an up-to-date module untouched", () => {
    const out = join(dir, "b.ts");
    const f = file("b.json", bundled);
    buildConfigModule(f, out);
    const mtime = statSync(out).mtimeMs;
    expect(buildConfigModule(f, out).written).toBe(false);
    expect(statSync(out).mtimeMs).toBe(mtime);
  });

  it("refuses an invalid config with every bad field named, and writes nothing", () => {
    const bad = structuredClone(bundled) as { router: Record<string, unknown> };
    bad.router.topK = 0;
    const out = join(dir, "c.ts");
    expect(() => buildConfigModule(file("c.json", bad), out)).toThrow(ConfigError);
    expect(() => buildConfigModule(file("c.json", bad), out)).toThrow(/router\.topK/);
    expect(() => statSync(out)).toThrow();
  });
});

describe("builtConfigFor (the Worker's check of the generated config)", () => {
  const built: BuiltConfig = { raw: JSON.stringify(bundled), config: loadConfig(bundled) };

  it("trusts the module only for the file it was generated from", () => {
    expect(builtConfigFor(bundled, built)).toBe(built.config);
    const edited = structuredClone(bundled) as { router: Record<string, unknown> };
    edited.router.topK = 4;
    expect(builtConfigFor(edited, built)).toBeUndefined();
    expect(builtConfigFor(bundled, null)).toBeUndefined();
  });

  it("compares content, not the file's formatting", () => {
    const b: BuiltConfig = { raw: JSON.stringify({ a: 1, b: [1, 2] }), config: built.config };
    expect(builtConfigFor(JSON.parse('{ "a": 1,\n  "b": [ 1, 2 ] }'), b)).toBe(built.config);
    expect(builtConfigFor({ b: [1, 2], a: 1 }, b)).toBeUndefined();
    expect(builtConfigFor({ a: 1, b: [1, 3] }, b)).toBeUndefined();
  });
});

describe("BUNDLED_CONFIG", () => {
  it("is the build's validated config (no parse at start) and equals the file parsed", async () => {
    const { BUNDLED_CONFIG } = await import("../../../worker/config/base.ts");
    const { BUILT_CONFIG } = await import("../../../worker/generated/bundled-config.ts");
    expect(BUNDLED_CONFIG).toBe(BUILT_CONFIG!.config);
    expect(BUNDLED_CONFIG).toEqual(loadConfig(bundled));
  });
});
