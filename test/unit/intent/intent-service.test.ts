import { beforeAll, describe, expect, it } from "vitest";
import { BuiltinEncoder } from "../../../worker/intent/builtin-encoder.ts";
import { IntentService, PREVIOUS_KEYS, type IntentSettings } from "../../../worker/intent/intent-service.ts";
import { buildIntentModel, type IntentModel } from "../../../worker/intent/model.ts";
import { identityForm } from "../../../worker/intent/normalize.ts";
import { intentId, type CachedIntent } from "../../../worker/intent/record.ts";
import { routingView } from "../../../worker/intent/routing-view.ts";
import { TieredCache, type CacheTier } from "../../../worker/intent/tiered-cache.ts";

const sources = [
  { specialist: "units", label: "units.convert", examples: ["convert 5 km to miles", "how many pounds is 3 kg", "100 fahrenheit in celsius", "inches in a foot"] },
  { specialist: "math", label: "math.evaluate", examples: ["what is 12 times 7", "compute 2 plus 2", "calculate 15 divided by 3", "square root of 81"] },
  { specialist: "general", label: "general.chat", examples: ["hello there", "tell me a joke", "who are you", "good morning"] },
];

function sharedTier(): CacheTier<CachedIntent> & { store: Map<string, CachedIntent>; reads: number } {
  const store = new Map<string, CachedIntent>();
  const t = { name: "kv", store, reads: 0, get: async (k: string) => (t.reads++, store.get(k)), put: async (k: string, v: CachedIntent) => void store.set(k, v) };
  return t;
}

/** A few hundred updates fit these small sets (the default 10,000 is for real configs). */
const FAST = { minUpdates: 300 };

// The model is the service's fixture, fitted once (its own tests are model.test.ts and classifier.test.ts).
let model: IntentModel;
beforeAll(async () => {
  model = await buildIntentModel(sources, new BuiltinEncoder(), FAST);
});

async function service(over: Partial<IntentSettings> = {}) {
  const kv = sharedTier();
  const cache = new TieredCache<CachedIntent>(100, [kv], 3600);
  const settings: IntentSettings = { minConfidence: 0.3, fallback: "general", topK: 2, sharedReadsForInputs: false, ...over };
  return { svc: await IntentService.create(model, cache, settings), kv, deferred: [] as Promise<unknown>[] };
}

describe("IntentService", () => {
  it("classifies into a record, caches it, and answers the same input (surrounding whitespace aside) from the LRU", async () => {
    const { svc, kv, deferred } = await service();
    const a = await svc.classify("Convert 10 km to miles", (p) => deferred.push(p), "t1");
    expect(a.source).toBeNull();
    expect(a.record).toMatchObject({ label: "units.convert", specialist: "units", inScope: true, input: "Convert 10 km to miles", model: svc.modelKey });
    expect(a.record.topK).toHaveLength(2);
    expect(a.record.topK[0]).toMatchObject({ label: "units.convert", specialist: "units" });
    await Promise.all(deferred);
    expect(kv.store.get(`${svc.modelKey}:t1:${a.record.id}`)?.label).toBe("units.convert");
    const b = await svc.classify("  Convert 10 km to miles \r\n", () => {}, "t1"); // only surrounding whitespace differs
    expect(b).toMatchObject({ source: "lru", record: { id: a.record.id } });
    const lines = await svc.classify("Convert 10 km\nto miles", () => {}, "t1"); // a line break may mean something: another intent
    expect(lines.record.id).not.toBe(a.record.id);
    expect(lines.record.input).toBe("Convert 10 km\nto miles");
    const c = await svc.classify("convert 10 KM to miles", () => {}, "t1"); // case differs: another intent (it may mean something else)
    expect(c.record.id).not.toBe(a.record.id);
    expect(c.record.input).toBe("convert 10 KM to miles");
  });

  it("sends low-confidence inputs to the fallback, keeping the predicted label", async () => {
    const { svc } = await service({ minConfidence: 0.9999 });
    const r = await svc.classify("what is 3 times 3", () => {}, "t1");
    expect(r.record).toMatchObject({ specialist: "general", inScope: false, label: "math.evaluate" });
  });

  it("with a local encoder, classifies on an LRU miss instead of reading shared tiers; lookups by id read them", async () => {
    const { svc, kv } = await service();
    const first = await (await service()).svc.classify("convert 1 mile to km", () => {}, "t1");
    const planted = { ...first.record, label: "planted", specialist: "math" };
    kv.store.set(`${svc.modelKey}:t1:${first.record.id}`, planted);
    const writes: Promise<unknown>[] = [];
    const r = await svc.classify("convert 1 mile to km", (p) => writes.push(p), "t1");
    expect(r.source).toBeNull();
    expect(r.record.label).toBe("units.convert");
    await Promise.all(writes);
    // the one KV read is the deferred write's read-first, which finds the key taken and writes nothing
    expect(kv.reads).toBe(1);
    expect(kv.store.get(`${svc.modelKey}:t1:${first.record.id}`)).toEqual(planted);
    const fresh = await service();
    fresh.kv.store.set(`${fresh.svc.modelKey}:t1:${first.record.id}`, planted);
    expect(await fresh.svc.lookup(first.record.id, () => {}, "t1")).toMatchObject({ source: "kv", record: { label: "planted" } });
  });

  it("reads shared tiers first when classifying is expensive", async () => {
    const { svc, kv } = await service({ sharedReadsForInputs: true });
    const probe = await svc.classify("convert 2 miles to km", () => {}, "t1");
    const other = await service({ sharedReadsForInputs: true });
    other.kv.store.set(`${other.svc.modelKey}:t1:${probe.record.id}`, { ...probe.record, label: "from-kv" });
    expect(await other.svc.classify("convert 2 miles to km", () => {}, "t1")).toMatchObject({ source: "kv", record: { label: "from-kv" } });
    expect(kv.reads).toBe(2); // the probe's lookup, then its write's read-first
  });

  it("scopes cached intents by tenant", async () => {
    const { svc, deferred } = await service();
    const a = await svc.classify("convert 3 km to miles", (p) => deferred.push(p), "t1");
    await Promise.all(deferred);
    expect(await svc.lookup(a.record.id, () => {}, "t1")).toBeDefined();
    expect(await svc.lookup(a.record.id, () => {}, "t2")).toBeUndefined();
    expect((await svc.classify("convert 3 km to miles", () => {}, "t2")).source).toBeNull();
  });

  it("classifies a long input by its routing view; its id and stored input stay the caller's exact text", async () => {
    const long = await buildIntentModel(
      [
        { specialist: "summarize", label: "text.summarize", examples: ["summarize in 2 sentences: Rain fell. Roads closed.", "summarize this: The shop opened. It sold out.", "give me a summary of: A fox ran. It hid."] },
        { specialist: "text-stats", label: "text.count", examples: ["count the words in: Rain fell. Roads closed.", "how many words: The shop opened.", "word count of: A fox ran."] },
        { specialist: "general", label: "general.chat", examples: ["hello there", "tell me a joke", "good morning"] },
      ],
      new BuiltinEncoder(),
      FAST,
    );
    const svc = await IntentService.create(long, new TieredCache<CachedIntent>(100, [], 3600), { minConfidence: 0, fallback: "general", topK: 2, sharedReadsForInputs: false });
    // a payload full of counting words: classified whole, it would read as a word-count request
    const payload = Array.from({ length: 30 }, (_, i) => `Count ${i}: the words and the word counts of chapter ${i} were counted again.`).join(" ");
    const input = `Summarize in 2 sentences:\n${payload}`;
    expect((await long.classify(input, 1)).label).toBe("text.count");
    const r = await svc.classify(input, () => {}, "t1");
    expect(r.record).toMatchObject({ label: "text.summarize", specialist: "summarize", input });
    expect(r.record.confidence).toBe((await long.classify("Summarize in 2 sentences", 2)).confidence);
    expect(r.record.id).toBe(await intentId(long.encoder.id, identityForm(input)));
  });

  it("scopes cache keys by model and settings", async () => {
    const a = (await service()).svc.modelKey;
    expect((await service()).svc.modelKey).toBe(a);
    expect((await service({ minConfidence: 0.5 })).svc.modelKey).not.toBe(a);
    expect((await service({ topK: 3 })).svc.modelKey).not.toBe(a);
  });

  it("keys a record by model, tenant and id, each part encoded", async () => {
    const { svc, kv, deferred } = await service();
    expect(svc.modelKey).toMatch(/^[0-9a-f]{16}$/);
    const r = await svc.classify("convert 4 km to miles", (p) => deferred.push(p), "acme:eu#1");
    await Promise.all(deferred);
    expect([...kv.store.keys()]).toEqual([`${svc.modelKey}:acme%3Aeu%231:${r.record.id}`]);
    expect(await svc.lookup(r.record.id, () => {}, "acme:eu#1")).toMatchObject({ source: "lru", record: { id: r.record.id } });
    expect(await svc.lookup(r.record.id, () => {}, "acme")).toBeUndefined();
  });

  it("fills the record: id of the caller's text, encoder, model key, creation time, top-k with specialists", async () => {
    const { svc } = await service({ topK: 3 });
    const before = Date.now();
    const { record } = await svc.classify(" What is 6 times 7 ", () => {}, "t1");
    expect(record.id).toBe(await intentId("builtin-hash/1", "What is 6 times 7"));
    expect(record.encoder).toBe("builtin-hash/1");
    expect(record.model).toBe(svc.modelKey);
    expect(record.input).toBe(" What is 6 times 7 ");
    expect(Date.parse(record.createdAt)).toBeGreaterThanOrEqual(before - 1000);
    expect(record.createdAt).toBe(new Date(Date.parse(record.createdAt)).toISOString());
    expect(record.topK.map((c) => c.specialist)).toEqual(record.topK.map((c) => ({ "units.convert": "units", "math.evaluate": "math", "general.chat": "general" })[c.label]));
    expect(record.topK).toHaveLength(3);
    expect(record.topK[0]).toEqual({ label: record.label, specialist: "math", confidence: record.confidence });
    expect(record).toMatchObject({ label: "math.evaluate", specialist: "math", inScope: true });
  });

  it("is in scope at exactly minConfidence, out of scope just under it", async () => {
    const probe = await (await service({ minConfidence: 0 })).svc.classify("what is 5 times 5", () => {}, "t1");
    const c = probe.record.confidence;
    expect((await (await service({ minConfidence: c })).svc.classify("what is 5 times 5", () => {}, "t1")).record.inScope).toBe(true);
    const above = await (await service({ minConfidence: c + 1e-9 })).svc.classify("what is 5 times 5", () => {}, "t1");
    expect(above.record).toMatchObject({ inScope: false, specialist: "general", label: "math.evaluate" });
  });

  it("without a fallback, keeps every input with content in scope and routes it to its prediction", async () => {
    const { svc } = await service({ minConfidence: 0.9999, fallback: undefined });
    const r = await svc.classify("what is 3 times 3", () => {}, "t1");
    expect(r.record).toMatchObject({ specialist: "math", inScope: true, label: "math.evaluate" });
  });

  it("puts an input with no letter or digit out of scope, whatever the model says", async () => {
    for (const fallback of ["general", undefined]) {
      const { svc } = await service({ minConfidence: 0, fallback });
      for (const input of ["🙂🙂", "?!", "   "]) {
        const r = await svc.classify(input, () => {}, "t1");
        expect(r.record.inScope, `${input} / ${fallback}`).toBe(false);
        expect(r.record.specialist).toBe(fallback ?? r.record.topK[0]!.specialist);
      }
      expect((await svc.classify("5", () => {}, "t1")).record.inScope).toBe(true);
    }
  });

  it("copies a record found in a shared tier into the LRU", async () => {
    const { svc, kv } = await service({ sharedReadsForInputs: true });
    const first = await (await service()).svc.classify("convert 9 km to miles", () => {}, "t1");
    kv.store.set(`${svc.modelKey}:t1:${first.record.id}`, { ...first.record, label: "from-kv" });
    expect((await svc.classify("convert 9 km to miles", () => {}, "t1")).source).toBe("kv");
    expect(await svc.classify("convert 9 km to miles", () => {}, "t1")).toMatchObject({ source: "lru", record: { label: "from-kv" } });
    expect(kv.reads).toBe(1);
  });

  it("hands the shared-tier writes to defer, and a lookup of an unknown id finds nothing", async () => {
    const { svc, kv } = await service();
    const deferred: Promise<unknown>[] = [];
    const r = await svc.classify("convert 6 km to miles", (p) => deferred.push(p), "t1");
    expect(deferred).toHaveLength(1);
    await Promise.all(deferred);
    expect(kv.store.get(`${svc.modelKey}:t1:${r.record.id}`)).toEqual(r.record);
    expect(await svc.lookup(`in_${"0".repeat(32)}`, () => {}, "t1")).toBeUndefined();
  });

  it("classifies a short input with an instruction by its most confident view", async () => {
    const { svc } = await service({ minConfidence: 0 });
    const input = "word count: convert 5 km to miles";
    const views = await Promise.all([model.classify(input, 2), model.classify("word count", 2)]);
    const best = views[0]!.confidence >= views[1]!.confidence ? views[0]! : views[1]!;
    const r = await svc.classify(input, () => {}, "t1");
    expect(r.record.confidence).toBe(best.confidence);
    expect(r.record.label).toBe(best.label);
    expect(r.record.input).toBe(input);
  });

  it("scopes the model key by the fallback too, but not by where it reads", async () => {
    const a = (await service()).svc.modelKey;
    expect((await service({ fallback: undefined })).svc.modelKey).not.toBe(a);
    expect((await service({ fallback: "math" })).svc.modelKey).not.toBe(a);
    expect((await service({ sharedReadsForInputs: true })).svc.modelKey).toBe(a);
  });

  it("classifies a long input that is one sentence over and over as that sentence", async () => {
    const { svc } = await service({ minConfidence: 0 });
    const input = "Convert 5 km to miles. ".repeat(20).trim();
    expect(routingView(input)).toEqual(["Convert 5 km to miles."]);
    const r = await svc.classify(input, () => {}, "t1");
    const sentence = await model.classify("Convert 5 km to miles.", 2);
    expect(r.record.confidence).toBe(sentence.confidence);
    expect(r.record.confidence).not.toBe((await model.classify(input, 2)).confidence);
    expect(r.record.input).toBe(input);
  });

  it("a service that replaced others finds, by id, intents classified under their models (the last few), never classifies under them", async () => {
    const cache = new TieredCache<CachedIntent>(100, [], 3600);
    const settings: IntentSettings = { minConfidence: 0.3, fallback: "general", topK: 2, sharedReadsForInputs: false };
    const chain: IntentService[] = [await IntentService.create(model, cache, settings)];
    const ids: string[] = [];
    for (let i = 1; i <= PREVIOUS_KEYS + 1; i++) {
      ids.push((await chain.at(-1)!.classify(`compute ${i} plus ${i}`, () => {}, "t1")).record.id);
      // another model (other settings: another key) replacing the last, sharing the isolate's cache
      chain.push(await IntentService.create(model, cache, { ...settings, minConfidence: 0.3 + i / 100 }, chain.at(-1)!.servedKeys));
    }
    const latest = chain.at(-1)!;
    expect(latest.previousKeys).toEqual(chain.slice(1, -1).reverse().map((s) => s.modelKey).concat(chain[0]!.modelKey).slice(0, PREVIOUS_KEYS));
    // the oldest model's intent is past the window; the others are found, under their own records
    expect(await latest.lookup(ids[0]!, () => {}, "t1")).toBeUndefined();
    for (const id of ids.slice(1)) expect(await latest.lookup(id, () => {}, "t1")).toMatchObject({ source: "lru", record: { id } });
    // another tenant's is not
    expect(await latest.lookup(ids[1]!, () => {}, "t2")).toBeUndefined();
    // classifying the same input again is the latest model's own record
    const again = await latest.classify("compute 2 plus 2", () => {}, "t1");
    expect(again).toMatchObject({ source: null, record: { id: ids[1], model: latest.modelKey } });
    // a service replacing one with its own key keeps no duplicate
    const same = await IntentService.create(model, cache, { ...settings, minConfidence: 0.3 + (PREVIOUS_KEYS + 1) / 100 }, latest.servedKeys);
    expect(same.modelKey).toBe(latest.modelKey);
    expect(same.previousKeys).toEqual(latest.previousKeys);
  });
});
