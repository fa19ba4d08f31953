import { describe, expect, it } from "vitest";
import { WorkersAiEncoder, type EmbeddingRunner } from "../../../worker/intent/workers-ai-encoder.ts";
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
});
