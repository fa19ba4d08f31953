import { describe, expect, it } from "vitest";
import { BuiltinEncoder } from "../../../worker/intent/builtin-encoder.ts";
import type { Encoder } from "../../../worker/intent/encoder.ts";
import { FIT_VERSION, buildIntentModel, modelKey, restoreIntentModel, withSpecialists, type IntentSource } from "../../../worker/intent/model.ts";
import { WorkersAiEncoder } from "../../../worker/intent/workers-ai-encoder.ts";

const SOURCES: IntentSource[] = [
  { specialist: "bank", label: "balance", examples: ["what is my balance", "how much money do i have", "show my account balance"] },
  { specialist: "bank", label: "transfer", examples: ["send money to alex", "transfer 100 dollars", "move money to savings"] },
  { specialist: "travel", label: "book_flight", examples: ["book a flight to rome", "i need a plane ticket", "find flights to paris"] },
  { specialist: "fallback", label: "oos", examples: ["what is the meaning of a haiku", "who won the game last night"] },
];
/** A few hundred updates fit these small sets (the default 10,000 is for real configs). */
const FAST = { minUpdates: 300 };

/** The built-in encoder, recording every text it is asked to encode (async path). */
function recording() {
  const builtin = new BuiltinEncoder();
  const seen: string[] = [];
  const encoder: Encoder = { id: builtin.id, encode: async (texts) => (seen.push(...texts), builtin.encode(texts)) };
  return { encoder, seen };
}

describe("buildIntentModel", () => {
  it("maps labels to specialists and classifies through the encoder", async () => {
    const model = await buildIntentModel(SOURCES, new BuiltinEncoder(), FAST);
    expect(Object.fromEntries(model.labelToSpecialist)).toEqual({ balance: "bank", transfer: "bank", book_flight: "travel", oos: "fallback" });
    expect(model.encoder.id).toBe("builtin-hash/1");
    const p = await model.classify("  BOOK a flight to Madrid ", 2);
    expect(p.label).toBe("book_flight");
    expect(p.specialist).toBe("travel");
    expect(p.topK).toHaveLength(2);
    expect((await model.classify("transfer money to my savings", 1)).specialist).toBe("bank");
  });

  it("merges examples of a repeated label and rejects a label with two specialists", async () => {
    const merged = await buildIntentModel([...SOURCES, { specialist: "bank", label: "balance", examples: ["balance please"] }], new BuiltinEncoder(), FAST);
    expect(merged.classifier.labels).toHaveLength(4);
    await expect(buildIntentModel([...SOURCES, { specialist: "travel", label: "balance", examples: ["x"] }], new BuiltinEncoder(), FAST)).rejects.toThrow(
      'buildIntentModel: label "balance" routes to both "bank" and "travel"',
    );
    await expect(buildIntentModel([{ specialist: "a", label: "b", examples: ["  "] }], new BuiltinEncoder(), FAST)).rejects.toThrow("buildIntentModel: no examples");
    await expect(buildIntentModel([], new BuiltinEncoder(), FAST)).rejects.toThrow("buildIntentModel: no examples");
  });

  it("needs a label and a specialist on every source", async () => {
    for (const bad of [{ specialist: "", label: "x", examples: ["hi"] }, { specialist: "s", label: "", examples: ["hi"] }])
      await expect(buildIntentModel([...SOURCES, bad], new BuiltinEncoder(), FAST)).rejects.toThrow("buildIntentModel: label and specialist must be non-empty");
  });

  it("leaves out a label none of whose examples has any text", async () => {
    const model = await buildIntentModel([...SOURCES, { specialist: "ghost", label: "empty", examples: ["   ", "\n"] }], new BuiltinEncoder(), FAST);
    expect(model.classifier.labels).not.toContain("empty");
    expect(model.labelToSpecialist.has("empty")).toBe(false);
    expect(model.labelToSpecialist.size).toBe(4);
  });

  it("fits each normalised example and, for one with an instruction before its payload, the instruction alone", async () => {
    const { encoder, seen } = recording();
    const sources: IntentSource[] = [
      { specialist: "text", label: "count", examples: ["Count the words in: The quick brown fox.", "how many words", "   "] },
      { specialist: "math", label: "math", examples: ["what is 12 times 7", "12:30 plus 5 minutes"] },
    ];
    await buildIntentModel(sources, encoder, FAST);
    expect(seen).toEqual(["count the words in: the quick brown fox.", "count the words in", "how many words", "what is 12 times 7", "12:30 plus 5 minutes"]);
  });

  it("trains each specialist as a group unless the caller opts out", async () => {
    const grouped = await buildIntentModel(SOURCES, new BuiltinEncoder(), FAST);
    expect(grouped.classifier.snapshot().groups).toEqual([0, 0, 1, 2]);
    const plain = await buildIntentModel(SOURCES, new BuiltinEncoder(), { ...FAST, groups: undefined });
    expect(plain.classifier.snapshot()).not.toHaveProperty("groups");
    const own = await buildIntentModel(SOURCES, new BuiltinEncoder(), { ...FAST, groups: { balance: "x", transfer: "y", book_flight: "x", oos: "y" } });
    expect(own.classifier.snapshot().groups).toEqual([0, 1, 0, 1]);
    const defaults = await buildIntentModel(SOURCES.slice(0, 3), new BuiltinEncoder(), FAST);
    expect(defaults.classifier.snapshot().groups).toEqual([0, 0, 1]);
  });

  it("fits with the default options when given none", async () => {
    const model = await buildIntentModel(
      [
        { specialist: "greet", label: "hello", examples: ["hello"] },
        { specialist: "part", label: "bye", examples: ["bye"] },
      ],
      new BuiltinEncoder(),
    );
    expect(model.classifier.snapshot().groups).toEqual([0, 1]);
    expect(await model.classify("Hello!", 1)).toMatchObject({ label: "hello", specialist: "greet" });
  });

  it("fits the same model as ever for the same sources: a change to the fit needs a new FIT_VERSION", async () => {
    // Stored snapshots are keyed by FIT_VERSION (runtime.ts): if this fingerprint changes, bump FIT_VERSION with it,
    // or isolates would restore snapshots of the old fit.
    const model = await buildIntentModel(
      [
        { specialist: "greet", label: "hello", examples: ["hello there", "good morning"] },
        { specialist: "part", label: "bye", examples: ["bye for now", "see you later"] },
        { specialist: "part", label: "thanks", examples: ["thank you: that helped"] },
        { specialist: "math", label: "add", examples: ["add 2 and 3", "what is 4 plus 5"] },
        { specialist: "math", label: "times", examples: ["multiply 6 by 7"] },
      ],
      new BuiltinEncoder(),
      { minUpdates: 200 },
    );
    expect(model.classifier.snapshot().groups).toEqual([0, 1, 1, 2, 2]); // 5 labels + 3 specialists: 8 score columns
    expect(FIT_VERSION).toBe("fit/2");
    expect(model.classifier.fingerprint).toBe("15da5d8eadf9365b");
  });

  it("passes the fit options on", async () => {
    const a = await buildIntentModel(SOURCES, new BuiltinEncoder(), FAST);
    const b = await buildIntentModel(SOURCES, new BuiltinEncoder(), { ...FAST, seed: 5 });
    expect(b.classifier.fingerprint).not.toBe(a.classifier.fingerprint);
    expect((await buildIntentModel(SOURCES, new BuiltinEncoder(), FAST)).classifier.fingerprint).toBe(a.classifier.fingerprint);
  });

  it("rejects an encoder that returns a wrong number of vectors", async () => {
    const builtin = new BuiltinEncoder();
    const short: Encoder = { id: "short", encode: async (texts) => builtin.encode(texts.slice(1)) };
    await expect(buildIntentModel(SOURCES, short, FAST)).rejects.toThrow("buildIntentModel: encoder returned a wrong number of vectors");
  });

  it("classifies with an async encoder, normalising the text unless told it already is", async () => {
    const { encoder, seen } = recording();
    const model = await buildIntentModel(SOURCES, encoder, FAST);
    seen.length = 0;
    const p = await model.classify("  BOOK a   Flight ", 2);
    expect(seen).toEqual(["book a flight"]);
    expect(p).toMatchObject({ label: "book_flight", specialist: "travel" });
    await model.classify("Already Normal", 1, true);
    expect(seen.at(-1)).toBe("Already Normal");
  });

  it("works with an async dense encoder (fake Workers AI binding)", async () => {
    const ai = {
      async run(_model: string, input: { text: string[] }) {
        const axis = (t: string) => (/money|balance|transfer|savings/.test(t) ? 0 : /flight|plane|ticket/.test(t) ? 1 : 2);
        return { data: input.text.map((t) => [0, 1, 2].map((i) => (i === axis(t) ? 1 : 0.1) + t.length / 1000)) };
      },
    };
    const model = await buildIntentModel(SOURCES, new WorkersAiEncoder(ai), FAST);
    const p = await model.classify("a plane ticket to oslo", 3);
    expect(p.label).toBe("book_flight");
    expect(p.specialist).toBe("travel");
    expect(model.encoder.id).toBe("workers-ai/@cf/baai/bge-small-en-v1.5");
  });
});

describe("restoreIntentModel", () => {
  it("rebuilds a model that predicts as the fitted one", async () => {
    const fitted = await buildIntentModel(SOURCES, new BuiltinEncoder(), FAST);
    const again = restoreIntentModel(SOURCES, new BuiltinEncoder(), fitted.classifier.snapshot());
    expect(again.classifier.fingerprint).toBe(fitted.classifier.fingerprint);
    expect(again.labelToSpecialist).toEqual(fitted.labelToSpecialist);
    for (const t of ["book a flight to oslo", "how much money is left", "who won the match"]) expect(await again.classify(t, 3)).toEqual(await fitted.classify(t, 3));
  });

  it("ignores sources the snapshot has no label for, and refuses a snapshot with a label no source has", async () => {
    const snap = (await buildIntentModel(SOURCES, new BuiltinEncoder(), FAST)).classifier.snapshot();
    const extra = restoreIntentModel([...SOURCES, { specialist: "new", label: "added", examples: ["hi"] }], new BuiltinEncoder(), snap);
    expect(extra.labelToSpecialist.has("added")).toBe(false);
    expect(extra.labelToSpecialist.size).toBe(4);
    expect(() => restoreIntentModel(SOURCES.slice(1), new BuiltinEncoder(), snap)).toThrow("restoreIntentModel: snapshot labels do not match the sources");
  });
});

describe("modelKey", () => {
  it("changes with the encoder, any example, or the order of the sources, and not otherwise", async () => {
    const key = await modelKey("builtin/1", SOURCES);
    expect(key).toMatch(/^[0-9a-f]{40}$/);
    expect(await modelKey("builtin/1", structuredClone(SOURCES))).toBe(key);
    expect(await modelKey("builtin/2", SOURCES)).not.toBe(key);
    expect(await modelKey("builtin/1", [...SOURCES].reverse())).not.toBe(key);
    const edited = structuredClone(SOURCES);
    edited[0]!.examples = [...edited[0]!.examples, "one more"];
    expect(await modelKey("builtin/1", edited)).not.toBe(key);
  });
});

describe("withSpecialists (a previous model serving a changed config)", () => {
  it("keeps labels whose specialist is still there; routes the others to the fallback, out of scope", async () => {
    const model = await buildIntentModel(SOURCES, new BuiltinEncoder(), FAST);
    const m = withSpecialists(model, new Set(["bank", "fallback"]), "fallback");
    expect(m.classifier).toBe(model.classifier);
    expect([...m.labelToSpecialist]).toEqual([["balance", "bank"], ["transfer", "bank"], ["book_flight", "fallback"], ["oos", "fallback"]]);
    expect(await m.classify("how much money do i have", 2)).toEqual(await model.classify("how much money do i have", 2));
    const flight = await model.classify("book a flight to rome", 2);
    expect(flight.specialist).toBe("travel");
    expect(await m.classify("book a flight to rome", 2)).toEqual({ ...flight, specialist: "fallback", confidence: 0 });
  });

  it("without a fallback, a label whose specialist is gone keeps naming it (routing then says it is not registered)", async () => {
    const model = await buildIntentModel(SOURCES, new BuiltinEncoder(), FAST);
    expect(withSpecialists(model, new Set(["bank"]), undefined).labelToSpecialist.get("book_flight")).toBe("travel");
  });
});
