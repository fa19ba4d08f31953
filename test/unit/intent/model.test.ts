import { describe, expect, it } from "vitest";
import { BuiltinEncoder } from "../../../worker/intent/builtin-encoder.ts";
import { buildIntentModel, type IntentSource } from "../../../worker/intent/model.ts";
import { WorkersAiEncoder } from "../../../worker/intent/workers-ai-encoder.ts";

const SOURCES: IntentSource[] = [
  { specialist: "bank", label: "balance", examples: ["what is my balance", "how much money do i have", "show my account balance"] },
  { specialist: "bank", label: "transfer", examples: ["send money to alex", "transfer 100 dollars", "move money to savings"] },
  { specialist: "travel", label: "book_flight", examples: ["book a flight to rome", "i need a plane ticket", "find flights to paris"] },
  { specialist: "fallback", label: "oos", examples: ["what is the meaning of a haiku", "who won the game last night"] },
];

describe("buildIntentModel", () => {
  it("maps labels to specialists and classifies through the encoder", async () => {
    const model = await buildIntentModel(SOURCES, new BuiltinEncoder());
    expect(Object.fromEntries(model.labelToSpecialist)).toEqual({ balance: "bank", transfer: "bank", book_flight: "travel", oos: "fallback" });
    expect(model.encoder.id).toBe("builtin-hash/1");
    const p = await model.classify("  BOOK a flight to Madrid ", 2);
    expect(p.label).toBe("book_flight");
    expect(p.specialist).toBe("travel");
    expect(p.topK).toHaveLength(2);
    expect((await model.classify("transfer money to my savings", 1)).specialist).toBe("bank");
  });

  it("merges examples of a repeated label and rejects a label with two specialists", async () => {
    const merged = await buildIntentModel([...SOURCES, { specialist: "bank", label: "balance", examples: ["balance please"] }], new BuiltinEncoder());
    expect(merged.classifier.labels).toHaveLength(4);
    await expect(buildIntentModel([...SOURCES, { specialist: "travel", label: "balance", examples: ["x"] }], new BuiltinEncoder())).rejects.toThrow(
      /routes to both/,
    );
    await expect(buildIntentModel([{ specialist: "a", label: "b", examples: ["  "] }], new BuiltinEncoder())).rejects.toThrow(/no examples/);
  });

  it("fits each example and, for one with an instruction before its payload, the instruction alone", async () => {
    const seen: string[] = [];
    const builtin = new BuiltinEncoder();
    const recording = { id: builtin.id, encode: (texts: readonly string[]) => (seen.push(...texts), builtin.encode(texts)) };
    const sources: IntentSource[] = [
      { specialist: "text", label: "count", examples: ["Count the words in: The quick brown fox.", "how many words"] },
      { specialist: "math", label: "math", examples: ["what is 12 times 7", "12:30 plus 5 minutes"] },
    ];
    await buildIntentModel(sources, recording);
    expect(seen).toEqual(["count the words in: the quick brown fox.", "count the words in", "how many words", "what is 12 times 7", "12:30 plus 5 minutes"]);
  });

  it("works with an async dense encoder (fake Workers AI binding)", async () => {
    const ai = {
      async run(_model: string, input: { text: string[] }) {
        const axis = (t: string) => (/money|balance|transfer|savings/.test(t) ? 0 : /flight|plane|ticket/.test(t) ? 1 : 2);
        return { data: input.text.map((t) => [0, 1, 2].map((i) => (i === axis(t) ? 1 : 0.1) + t.length / 1000)) };
      },
    };
    const model = await buildIntentModel(SOURCES, new WorkersAiEncoder(ai));
    const p = await model.classify("a plane ticket to oslo", 3);
    expect(p.label).toBe("book_flight");
    expect(p.specialist).toBe("travel");
    expect(model.encoder.id).toBe("workers-ai/@cf/baai/bge-small-en-v1.5");
  });
});
