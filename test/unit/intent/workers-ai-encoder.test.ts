import { describe, expect, it } from "vitest";
import { DEFAULT_WORKERS_AI_MODEL, WORKERS_AI_BATCH, WorkersAiEncoder, type EmbeddingRunner } from "../../../worker/intent/workers-ai-encoder.ts";
import { l2Norm } from "../../../worker/intent/vector.ts";

/** Fake binding: deterministic 4-d vectors derived from the text, records batch sizes. */
function fakeAi(): EmbeddingRunner & { calls: { model: string; size: number }[] } {
  const calls: { model: string; size: number }[] = [];
  return {
    calls,
    async run(model, input) {
      calls.push({ model, size: input.text.length });
      return { data: input.text.map((t) => [t.length, 1, t.charCodeAt(0) || 0, 2]) };
    },
  };
}

describe("WorkersAiEncoder", () => {
  it("has id workers-ai/<model> with the bge-small default", () => {
    expect(new WorkersAiEncoder(fakeAi()).id).toBe("workers-ai/@cf/baai/bge-small-en-v1.5");
    expect(new WorkersAiEncoder(fakeAi(), "@cf/x/y").id).toBe("workers-ai/@cf/x/y");
  });

  it("batches in chunks of at most 100, in order", async () => {
    const ai = fakeAi();
    const texts = Array.from({ length: 250 }, (_, i) => `text ${i}`);
    const out = await new WorkersAiEncoder(ai, "m").encode(texts);
    expect(ai.calls.map((c) => c.size)).toEqual([100, 100, 50]);
    expect(ai.calls.every((c) => c.model === "m")).toBe(true);
    expect(out).toHaveLength(250);
    const first = out[0]!;
    const expected = [6, 1, "t".charCodeAt(0), 2];
    const n = Math.hypot(...expected);
    expect(first.kind).toBe("dense");
    expect(Array.from(first.values)).toEqual(expected.map((x) => Math.fround(x / n)));
  });

  it("returns L2-normalised dense vectors", async () => {
    const out = await new WorkersAiEncoder(fakeAi()).encode(["a", "hello there"]);
    for (const v of out) {
      expect(v.kind).toBe("dense");
      expect(l2Norm(v.values)).toBeCloseTo(1, 5);
    }
  });

  it("makes no call for an empty list and rejects a wrong-shaped answer", async () => {
    const ai = fakeAi();
    expect(await new WorkersAiEncoder(ai).encode([])).toEqual([]);
    expect(ai.calls).toHaveLength(0);
    const bad: EmbeddingRunner = { run: async () => ({ data: [[1, 2]] }) };
    await expect(new WorkersAiEncoder(bad).encode(["a", "b"])).rejects.toThrow(/expected 2 embeddings/);
  });

  it("names its model and refuses an empty one", () => {
    expect(DEFAULT_WORKERS_AI_MODEL).toBe("@cf/baai/bge-small-en-v1.5");
    expect(new WorkersAiEncoder(fakeAi()).model).toBe(DEFAULT_WORKERS_AI_MODEL);
    expect(new WorkersAiEncoder(fakeAi(), "@cf/x/y").model).toBe("@cf/x/y");
    expect(() => new WorkersAiEncoder(fakeAi(), "")).toThrow("WorkersAiEncoder: empty model name");
  });

  it("sends exactly 100 texts in one call and the 101st in the next", async () => {
    expect(WORKERS_AI_BATCH).toBe(100);
    const ai = fakeAi();
    const enc = new WorkersAiEncoder(ai);
    await enc.encode(Array.from({ length: 100 }, (_, i) => `t${i}`));
    expect(ai.calls.map((c) => c.size)).toEqual([100]);
    const out = await enc.encode(Array.from({ length: 101 }, (_, i) => `t${i}`));
    expect(ai.calls.map((c) => c.size)).toEqual([100, 100, 1]);
    expect(out[100]!.values[0]).toBeCloseTo(4 / Math.hypot(4, 1, 116, 2), 6); // "t100", in order
  });

  it("rejects an answer without one embedding per text", async () => {
    for (const res of [undefined, {}, { data: "x" }, { data: [[1]] }, { data: [[1], [1], [1]] }]) {
      const ai = { run: async () => res } as unknown as EmbeddingRunner;
      await expect(new WorkersAiEncoder(ai, "m").encode(["a", "b"])).rejects.toThrow("WorkersAiEncoder: expected 2 embeddings from m");
    }
  });

  it("rejects empty embeddings and embeddings of different dimensions, within or across batches", async () => {
    const answer = (rows: unknown[]) => new WorkersAiEncoder({ run: async () => ({ data: rows }) } as unknown as EmbeddingRunner);
    await expect(answer([[]]).encode(["a"])).rejects.toThrow("WorkersAiEncoder: empty embedding");
    await expect(answer(["1,2"]).encode(["a"])).rejects.toThrow("WorkersAiEncoder: empty embedding");
    await expect(answer([[1, 2], [1, 2, 3]]).encode(["a", "b"])).rejects.toThrow("WorkersAiEncoder: embeddings of different dimensions");
    let call = 0;
    const shifting: EmbeddingRunner = { run: async (_m, input) => ({ data: input.text.map(() => (call === 0 ? [1, 2] : [1, 2, 3])) }) };
    const enc = new WorkersAiEncoder({ run: async (m, i) => { const r = await shifting.run(m, i); call++; return r; } });
    await expect(enc.encode(Array.from({ length: 150 }, (_, i) => `t${i}`))).rejects.toThrow("WorkersAiEncoder: embeddings of different dimensions");
    expect(await answer([[1, 2], [3, 4]]).encode(["a", "b"])).toHaveLength(2);
  });

  it("rejects non-finite embedding values", async () => {
    const enc = new WorkersAiEncoder({ run: async () => ({ data: [[1, Number.NaN]] }) });
    await expect(enc.encode(["a"])).rejects.toThrow(/non-finite/);
  });
});
