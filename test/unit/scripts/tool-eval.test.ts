import { describe, expect, it } from "vitest";
import { buildToolIndex } from "../../../worker/intent/tool-index.ts";
import { checkToolEval, rankOf, readToolEval, retrievalFigures, serverOf, toolEvalReport, type ToolQueryFile } from "../../../scripts/lib/tool-eval.ts";

const { tools, queries } = readToolEval();
const all = [...queries.dev, ...queries.test];

describe("the tool catalogue and queries (eval/tools/)", () => {
  it("lists 150–400 real tools from at least 8 servers, each namespaced <server>__<tool> with a description", () => {
    expect(tools.length).toBeGreaterThanOrEqual(150);
    expect(tools.length).toBeLessThanOrEqual(400);
    expect(new Set(tools.map((t) => serverOf(t.name))).size).toBeGreaterThanOrEqual(8);
    for (const t of tools) expect(t.name).toMatch(/^[a-z0-9-]+__\S+$/u);
    expect(tools.filter((t) => !t.description?.trim()).map((t) => t.name)).toEqual([]);
  });

  it("has at least 300 queries, split about 40/60 into dev and test, disjoint, each labelled with catalogue tools", () => {
    expect(all.length).toBeGreaterThanOrEqual(300);
    expect(queries.dev.length / all.length).toBeGreaterThan(0.35);
    expect(queries.dev.length / all.length).toBeLessThan(0.5);
    const dev = new Set(queries.dev.map((q) => q.query.toLowerCase()));
    expect(queries.test.filter((q) => dev.has(q.query.toLowerCase()))).toEqual([]);
    const names = new Set(tools.map((t) => t.name));
    for (const q of all) for (const t of q.tools) expect(names.has(t), `${q.query} → ${t}`).toBe(true);
    expect(() => checkToolEval(tools, queries)).not.toThrow();
  });

  it("does not copy the catalogue: no query is a tool's description or a sentence of one", () => {
    const fold = (s: string) => s.toLowerCase().replace(/[^\p{L}\p{N}]+/gu, " ").trim();
    const sentences = new Set(tools.flatMap((t) => (t.description ?? "").split(/(?<=[.!?])\s+|\n+/u).map(fold)));
    expect(all.filter((q) => sentences.has(fold(q.query))).map((q) => q.query)).toEqual([]);
  });

  it("labels a query with several tools only when they do the same (at most 3, all different)", () => {
    for (const q of all) {
      expect(q.tools.length).toBeLessThanOrEqual(3);
      expect(new Set(q.tools).size).toBe(q.tools.length);
    }
  });
});

describe("checkToolEval", () => {
  const cat = [{ name: "a__x" }, { name: "b__y" }];
  const ok: ToolQueryFile = { dev: [{ query: "do x", tools: ["a__x"] }], test: [{ query: "do y", tools: ["b__y"] }] };

  it("refuses unnamespaced or repeated tools, unknown labels, empty, unlabelled or repeated queries, and a missing split", () => {
    expect(() => checkToolEval(cat, ok)).not.toThrow();
    expect(() => checkToolEval([{ name: "x" }], { dev: [], test: [] })).toThrow(/not namespaced/);
    expect(() => checkToolEval([...cat, { name: "a__x" }], ok)).toThrow(/listed twice/);
    expect(() => checkToolEval(cat, { ...ok, test: [{ query: "do z", tools: ["c__z"] }] })).toThrow(/"c__z", not in the catalogue/);
    expect(() => checkToolEval(cat, { ...ok, test: [{ query: "  ", tools: ["a__x"] }] })).toThrow(/empty query/);
    expect(() => checkToolEval(cat, { ...ok, test: [{ query: "do z", tools: [] }] })).toThrow(/no label/);
    expect(() => checkToolEval(cat, { ...ok, test: [{ query: "DO X", tools: ["a__x"] }] })).toThrow(/repeated/);
    expect(() => checkToolEval(cat, { dev: ok.dev } as ToolQueryFile)).toThrow(/"test" must be an array/);
  });
});

describe("retrieval figures", () => {
  it("computes recall@1, recall@k and MRR from 1-based ranks (0 = not found)", () => {
    expect(retrievalFigures([1, 2, 6, 0], 5)).toEqual({ cases: 4, recallAt1: 0.25, recallAtK: 0.5, mrr: (1 + 1 / 2 + 1 / 6) / 4 });
    expect(retrievalFigures([], 5)).toEqual({ cases: 0, recallAt1: 0, recallAtK: 0, mrr: 0 });
  });

  it("ranks by the first acceptable tool, and reports per server of the first label", () => {
    const cat = [{ name: "a__create_issue", description: "create an issue" }, { name: "b__create_issue", description: "create an issue" }];
    const index = buildToolIndex(cat);
    expect(rankOf(index, { query: "create an issue", tools: ["b__create_issue"] })).toBe(2);
    expect(rankOf(index, { query: "create an issue", tools: ["b__create_issue", "a__create_issue"] })).toBe(1);
    const report = toolEvalReport(cat, { dev: [{ query: "create an issue", tools: ["b__create_issue"] }], test: [] }, 1);
    expect(report.catalogue).toEqual({ tools: 2, servers: 2 });
    expect(report.splits.dev.byServer).toEqual({ b: { cases: 1, recallAt1: 0, recallAtK: 0, mrr: 0.5 } });
    expect(report.splits.test.cases).toBe(0);
  });
});
