import { describe, expect, it } from "vitest";
import config from "../../../switchyard.config.json" with { type: "json" };
import { app } from "../../../examples/specialists/src/index.ts";
import { CATALOG } from "../../../examples/specialists/src/skills/catalog.ts";

interface IntentFile {
  specialist: string;
  description: string;
  path: string;
  intents: Array<{ label: string; description?: string; examples: string[] }>;
}
/** The example specialists as the bundled router config declares them. */
const file: IntentFile[] = config.specialists
  .flatMap((s) =>
    s.endpoint.type === "service" && s.endpoint.binding === "SPECIALISTS" && s.intents !== undefined && s.endpoint.path !== undefined
      ? [{ specialist: s.id, description: s.description, path: s.endpoint.path, intents: s.intents ?? [] }]
      : [],
  );

describe("the example specialists' intents in switchyard.config.json", () => {
  it("covers every specialist of the worker, with its path", () => {
    expect(file.map((s) => [s.specialist, s.path])).toEqual(CATALOG.map((s) => [s.name, s.path]));
  });

  it("has 2-4 intents per specialist and 15-25 distinct examples per intent", () => {
    for (const s of file) {
      expect(s.description.length).toBeGreaterThan(20);
      expect(s.intents.length).toBeGreaterThanOrEqual(2);
      expect(s.intents.length).toBeLessThanOrEqual(4);
      for (const i of s.intents) {
        expect(i.examples.length, i.label).toBeGreaterThanOrEqual(15);
        expect(i.examples.length, i.label).toBeLessThanOrEqual(25);
        expect(new Set(i.examples.map((e) => e.toLowerCase())).size, i.label).toBe(i.examples.length);
      }
    }
  });

  it("uses unique labels valid for the router config", () => {
    const labels = file.flatMap((s) => s.intents.map((i) => i.label));
    expect(new Set(labels).size).toBe(labels.length);
    for (const l of labels) expect(l).toMatch(/^[a-z0-9][a-z0-9_.-]{0,127}$/);
    for (const s of file) expect(s.specialist).toMatch(/^[a-z][a-z0-9_-]{0,63}$/);
  });

  it("never repeats an example across intents", () => {
    const all = file.flatMap((s) => s.intents.flatMap((i) => i.examples.map((e) => e.toLowerCase())));
    expect(new Set(all).size).toBe(all.length);
  });

  it("has examples that the owning specialist actually answers", async () => {
    const failures: string[] = [];
    for (const s of file)
      for (const i of s.intents)
        for (const input of i.examples) {
          const res = await app.request(s.path, { method: "POST", body: JSON.stringify({ input, context: { now: "2026-03-01T12:00:00Z" } }) });
          if (res.status !== 200) failures.push(`${s.path} ${res.status} ${input}`);
        }
    expect(failures).toEqual([]);
  });
});
