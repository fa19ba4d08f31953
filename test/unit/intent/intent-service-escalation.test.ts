import { beforeAll, describe, expect, it } from "vitest";
import { BuiltinEncoder } from "../../../worker/intent/builtin-encoder.ts";
import type { EscalationAnswer, Escalator } from "../../../worker/intent/escalation.ts";
import { IntentService, type IntentSettings } from "../../../worker/intent/intent-service.ts";
import { buildIntentModel, type IntentModel } from "../../../worker/intent/model.ts";
import type { CachedIntent, IntentCandidate } from "../../../worker/intent/record.ts";
import { TieredCache, type CacheTier } from "../../../worker/intent/tiered-cache.ts";

const sources = [
  { specialist: "units", label: "units.convert", examples: ["convert 5 km to miles", "how many pounds is 3 kg", "100 fahrenheit in celsius", "inches in a foot"] },
  { specialist: "math", label: "math.evaluate", examples: ["what is 12 times 7", "compute 2 plus 2", "calculate 15 divided by 3", "square root of 81"] },
  { specialist: "general", label: "general.chat", examples: ["hello there", "tell me a joke", "who are you", "good morning"] },
];

let model: IntentModel;
beforeAll(async () => {
  model = await buildIntentModel(sources, new BuiltinEncoder(), { minUpdates: 300 });
});

function sharedTier(): CacheTier<CachedIntent> & { store: Map<string, CachedIntent> } {
  const store = new Map<string, CachedIntent>();
  return { name: "kv", store, get: async (k: string) => store.get(k), put: async (k: string, v: CachedIntent) => void store.set(k, v) };
}

/** A service over one shared tier (a second one, `other`, is another isolate on the same KV). */
async function service(over: Partial<IntentSettings> = {}, kv = sharedTier()) {
  const settings: IntentSettings = { minConfidence: 0.3, fallback: "general", topK: 2, sharedReadsForInputs: false, ...over };
  return { svc: await IntentService.create(model, new TieredCache<CachedIntent>(100, [kv], 3600), settings), kv };
}

/** An escalator that answers `answers` in turn (the last one again after that), recording what it was asked. */
function escalator(answers: Partial<EscalationAnswer>[], below = 1.01, maxCandidates?: number) {
  const asked: { record: CachedIntent; ranked: readonly IntentCandidate[] }[] = [];
  const e: Escalator = {
    below,
    maxCandidates,
    ask: async (record, ranked) => {
      asked.push({ record, ranked });
      return { by: "llm", outcome: "picked", ms: 5, costUsd: 0.001, ...answers[Math.min(asked.length - 1, answers.length - 1)] };
    },
  };
  return { e, asked };
}
const toMath = { outcome: "picked" as const, pick: { label: "math.evaluate", specialist: "math" } };
const run = async <T>(f: (defer: (p: Promise<unknown>) => void) => Promise<T>) => {
  const deferred: Promise<unknown>[] = [];
  const out = await f((p) => deferred.push(p));
  await Promise.all(deferred);
  return out;
};

describe("IntentService with an escalator", () => {
  it("does not ask about an input at or above the threshold", async () => {
    const { svc } = await service();
    const { e, asked } = escalator([toMath], 0);
    const r = await svc.classify("convert 5 km to miles", () => {}, "t1", e);
    expect(asked).toHaveLength(0);
    expect(r.record.escalation).toBeUndefined();
  });

  it("asks about an unsure input with the classifier's ranking, routes by the pick, caches it everywhere and does not ask again", async () => {
    const { svc, kv } = await service();
    const { e, asked } = escalator([toMath]);
    const first = await run((d) => svc.classify("how tall is the eiffel tower", d, "t1", e));
    expect(asked).toHaveLength(1);
    expect(asked[0]!.ranked.map((c) => c.label).sort()).toEqual(["general.chat", "math.evaluate", "units.convert"]); // every label: no maxCandidates
    expect(first.record).toMatchObject({ label: "math.evaluate", specialist: "math", inScope: true, escalation: { by: "llm", outcome: "picked", below: 1.01 } });
    expect(first.record.escalation!.from.label).toBe(asked[0]!.record.label);
    expect(kv.store.get(`${svc.modelKey}:t1:${first.record.id}`)).toEqual(first.record);
    const again = await svc.classify("how tall is the eiffel tower", () => {}, "t1", e);
    expect(again).toMatchObject({ source: "lru", record: first.record });
    // another isolate on the same KV finds the pick (a local encoder reads the shared tiers for an unsure input)
    const other = await service({}, kv);
    expect(await other.svc.classify("how tall is the eiffel tower", () => {}, "t1", e)).toMatchObject({ source: "kv", record: first.record });
    expect(asked).toHaveLength(1);
    // another tenant is asked on its own
    await svc.classify("how tall is the eiffel tower", () => {}, "t2", e);
    expect(asked).toHaveLength(2);
  });

  it("offers the classifier's best maxCandidates labels", async () => {
    const { svc } = await service();
    const { e, asked } = escalator([toMath], 1.01, 2);
    await svc.classify("a sentence about nothing", () => {}, "t1", e);
    expect(asked[0]!.ranked).toHaveLength(2);
  });

  it("after a timeout keeps the classifier's answer, caches only that, and asks again next time", async () => {
    const { svc, kv } = await service();
    const { e, asked } = escalator([{ outcome: "timeout", detail: "late" }, toMath]);
    const first = await run((d) => svc.classify("something quite unclear", d, "t1", e));
    expect(first.record.escalation).toMatchObject({ outcome: "timeout", detail: "late" });
    expect(first.record.label).toBe(first.record.escalation!.from.label);
    const stored = kv.store.get(`${svc.modelKey}:t1:${first.record.id}`)!;
    expect(stored.escalation).toBeUndefined();
    const second = await run((d) => svc.classify("something quite unclear", d, "t1", e));
    expect(asked).toHaveLength(2);
    expect(second.record).toMatchObject({ label: "math.evaluate", escalation: { outcome: "picked" } });
    expect(kv.store.get(`${svc.modelKey}:t1:${first.record.id}`)).toEqual(second.record); // the pick replaced the classifier's record
  });

  it("caches an answer out of format like a pick (not asked again)", async () => {
    const { svc } = await service();
    const { e, asked } = escalator([{ outcome: "invalid", detail: "prose" }]);
    await svc.classify("an odd request", () => {}, "t1", e);
    expect((await svc.classify("an odd request", () => {}, "t1", e)).record.escalation).toMatchObject({ outcome: "invalid" });
    expect(asked).toHaveLength(1);
  });

  it("escalates a record cached without an escalation (classified by a path that does not escalate), and replaces it", async () => {
    const { svc, kv } = await service();
    const plain = await run((d) => svc.classify("a thing about stuff", d, "t1"));
    expect(plain.record.escalation).toBeUndefined();
    const { e, asked } = escalator([toMath]);
    const r = await run((d) => svc.classify("a thing about stuff", d, "t1", e));
    expect(asked).toHaveLength(1);
    expect(r.record.escalation?.outcome).toBe("picked");
    expect(kv.store.get(`${svc.modelKey}:t1:${r.record.id}`)?.escalation?.outcome).toBe("picked");
    // a path without an escalator now gets the escalated record
    expect((await svc.classify("a thing about stuff", () => {}, "t1")).record.label).toBe("math.evaluate");
  });

  it("asks once for concurrent requests of the same input in one isolate", async () => {
    const { svc } = await service();
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const asked: string[] = [];
    const e: Escalator = {
      below: 1.01,
      ask: async (record) => {
        asked.push(record.id);
        await gate;
        return { by: "llm", ...toMath, ms: 1, costUsd: 0 };
      },
    };
    const both = Promise.all([svc.classify("what now then", () => {}, "t1", e), svc.classify("what now then", () => {}, "t1", e)]);
    await new Promise((r) => setTimeout(r, 10));
    release();
    const [a, b] = await both;
    expect(asked).toHaveLength(1);
    expect(a.record).toEqual(b.record);
  });

  it("never asks about an input with no letter or digit", async () => {
    const { svc } = await service();
    const { e, asked } = escalator([toMath]);
    expect((await svc.classify("?!?", () => {}, "t1", e)).record.inScope).toBe(false);
    expect(asked).toHaveLength(0);
  });

  it("keys the cache by the escalation settings, and keeps the old keys when escalation is off", async () => {
    const off = (await service()).svc.modelKey;
    expect((await service({ escalation: undefined })).svc.modelKey).toBe(off);
    const on = (await service({ escalation: { specialist: "llm", below: 0.5 } })).svc.modelKey;
    expect(on).not.toBe(off);
    expect((await service({ escalation: { specialist: "llm", below: 0.6 } })).svc.modelKey).not.toBe(on);
    expect((await service({ escalation: { specialist: "other", below: 0.5 } })).svc.modelKey).not.toBe(on);
    expect((await service({ escalation: { specialist: "llm", below: 0.5, maxCandidates: 5 } })).svc.modelKey).not.toBe(on);
  });
});
