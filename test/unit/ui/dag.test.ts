import { describe, expect, it } from "vitest";
import { layers, layoutDag } from "../../../worker/ui/dag.ts";

const step = (id: string, dependsOn: string[] = []) => ({ id, dependsOn });

describe("step DAG layout", () => {
  it("puts each step one layer after its deepest dependency, in declaration order", () => {
    const steps = [step("a"), step("b"), step("c", ["a"]), step("d", ["a", "c"]), step("e", ["b"])];
    expect(layers(steps).map((l) => l.map((s) => s.id))).toEqual([["a", "b"], ["c", "e"], ["d"]]);
  });

  it("ignores unknown dependencies and survives a cycle", () => {
    expect(layers([step("a", ["ghost"])]).map((l) => l.map((s) => s.id))).toEqual([["a"]]);
    expect(layers([step("a", ["b"]), step("b", ["a"])]).flat().map((s) => s.id).sort()).toEqual(["a", "b"]);
  });

  it("places layers as columns and draws one edge per dependency, left to right", () => {
    const g = layoutDag([step("a"), step("b", ["a"]), step("c", ["a"])], { w: 100, h: 40, gapX: 50, gapY: 10, pad: 0 });
    const at = Object.fromEntries(g.nodes.map((n) => [n.id, n]));
    expect([at.a!.x, at.b!.x, at.c!.x]).toEqual([0, 150, 150]);
    expect(at.c!.y - at.b!.y).toBe(50);
    expect(at.a!.y).toBe(25);
    expect(g.edges.map((e) => `${e.from}->${e.to}`)).toEqual(["a->b", "a->c"]);
    for (const e of g.edges) expect(e.x2).toBeGreaterThan(e.x1);
    expect([g.width, g.height]).toEqual([250, 90]);
  });
});
