import { beforeAll, describe, expect, it } from "vitest";
import { BuiltinEncoder } from "../../../worker/intent/builtin-encoder.ts";
import { IntentService, type IntentSettings } from "../../../worker/intent/intent-service.ts";
import type { LearnedExample } from "../../../worker/intent/learned.ts";
import { buildIntentModel, modelKey, type IntentModel, type IntentSource } from "../../../worker/intent/model.ts";
import type { CachedIntent } from "../../../worker/intent/record.ts";
import { TieredCache } from "../../../worker/intent/tiered-cache.ts";
import type { SourcedModel } from "../../../worker/intent-models.ts";
import { Lru } from "../../../worker/intent/lru.ts";
import { MAX_TENANT_MODELS, TenantIntents, type TenantModelMaker } from "../../../worker/tenant-intents.ts";

const sources: IntentSource[] = [
  { specialist: "units", label: "units.convert", examples: ["convert 5 km to miles", "how many pounds is 3 kg"] },
  { specialist: "math", label: "math.evaluate", examples: ["what is 12 times 7", "compute 2 plus 2"] },
];
const settings: IntentSettings = { minConfidence: 0, fallback: undefined, topK: 2, sharedReadsForInputs: false };
const cache = new TieredCache<CachedIntent>(100, [], 3600);
const example = (scope: string, input: string): LearnedExample => ({
  id: `lx_${scope}`,
  scope,
  label: "math.evaluate",
  specialist: "math",
  input,
  status: "active",
  origin: "admin",
  by: "admin:x",
  createdAt: "2026-11-30T00:00:00.000Z",
  updatedAt: "2026-11-30T00:00:00.000Z",
});

let shared: IntentService;
let made = 0;
let model: IntentModel;
beforeAll(async () => {
  model = await buildIntentModel(sources, new BuiltinEncoder(), { minUpdates: 200 });
  shared = await IntentService.create(model, cache, settings);
});

/** A maker whose quick path knows `known` model keys, whose fitter answers when `release` is called; it counts what it was asked. */
function maker(known: Set<string> = new Set()) {
  const asked = { quick: 0, fitted: 0 };
  let release: () => void = () => {};
  const gate = new Promise<void>((r) => (release = r));
  const deferred: Promise<unknown>[] = [];
  const make: TenantModelMaker = {
    quick: async (s) => (asked.quick++, known.has(await modelKey("builtin-hash/1", s)) ? { model, source: "kv", key: await modelKey("builtin-hash/1", s) } : undefined),
    fitted: async (s): Promise<SourcedModel> => {
      asked.fitted++;
      await gate;
      return { model, source: "fitter", key: await modelKey("builtin-hash/1", s) };
    },
    // each service another key (as each re-fitted model has), sharing the cache
    service: (m, previousKeys) => IntentService.create(m, cache, { ...settings, topK: 1, minConfidence: ++made / 1000 }, previousKeys),
    defer: (p) => void deferred.push(p),
  };
  return { make, asked, release: () => release(), deferred };
}

describe("TenantIntents", () => {
  it("a tenant without examples of its own routes with the shared service, asking nothing", async () => {
    const m = maker();
    const t = new TenantIntents(shared, "shared-key", sources, new Map(), m.make);
    expect(await t.for("acme")).toBe(shared);
    expect(t.info("acme")).toEqual({ source: "shared", key: "shared-key", fingerprint: model.classifier.fingerprint, examples: 0 });
    expect(m.asked).toEqual({ quick: 0, fitted: 0 });
    expect(t.tenants).toBe(0);
  });

  it("a tenant's model held in memory or KV serves at once; its service remembers the shared one for lookups by id", async () => {
    const own = [example("acme", "seven squared")];
    const key = await modelKey("builtin-hash/1", [...sources, { specialist: "math", label: "math.evaluate", examples: ["seven squared"] }]);
    const m = maker(new Set([key]));
    const t = new TenantIntents(shared, "shared-key", sources, new Map([["acme", own]]), m.make);
    const svc = await t.for("acme");
    expect(svc).not.toBe(shared);
    expect(svc.previousKeys).toEqual([shared.modelKey]);
    expect(svc.servedKeys).toEqual([svc.modelKey, shared.modelKey]);
    expect(t.info("acme")).toMatchObject({ source: "kv", key, examples: 1 });
    expect(await t.for("acme")).toBe(svc);
    expect(m.asked).toEqual({ quick: 1, fitted: 0 });
  });

  it("not held anywhere: the shared service serves (interim) while the fitter works, and the fitted one is swapped in", async () => {
    const m = maker();
    const t = new TenantIntents(shared, "shared-key", sources, new Map([["acme", [example("acme", "nine cubed")]]]), m.make);
    expect(await t.for("acme")).toBe(shared);
    expect(t.info("acme")).toMatchObject({ source: "interim", examples: 1 });
    expect(m.asked.fitted).toBe(1);
    m.release();
    await Promise.all(m.deferred);
    const fitted = await t.for("acme");
    expect(fitted).not.toBe(shared);
    expect(t.info("acme")).toMatchObject({ source: "fitter" });
    expect(m.asked.fitted).toBe(1);
  });

  it("a rebuilt runtime's tenant borrows its previous model as the interim one", async () => {
    const first = maker(new Set([await modelKey("builtin-hash/1", [...sources, { specialist: "math", label: "math.evaluate", examples: ["one"] }])]));
    const before = new TenantIntents(shared, "shared-key", sources, new Map([["acme", [example("acme", "one")]]]), first.make);
    const old = await before.for("acme");
    const next = maker();
    const after = new TenantIntents(shared, "shared-key", sources, new Map([["acme", [example("acme", "one"), { ...example("acme", "two"), id: "lx_two" }]]]), next.make, before);
    expect(await after.for("acme")).toBe(old);
    expect(after.info("acme")).toMatchObject({ source: "interim", examples: 2 });
  });

  it("a tenant idle through runtime rebuilds still finds, by id, the intents its older model classified (the isolate's history)", async () => {
    const history = new Lru<string, string[]>(100);
    const keyOf = async (inputs: string[]) => modelKey("builtin-hash/1", [...sources, { specialist: "math", label: "math.evaluate", examples: inputs }]);
    const known = new Set([await keyOf(["one"]), await keyOf(["one", "two"])]);
    const ex = (id: string, input: string) => ({ ...example("acme", input), id, createdAt: `2026-11-30T00:00:0${id.length}.000Z` });
    const first = new TenantIntents(shared, "k", sources, new Map([["acme", [ex("lx_1", "one")]]]), maker(known).make, undefined, history);
    const own = await first.for("acme");
    const id = (await own.classify("compute 9 plus 9", () => {}, "acme")).record.id;
    // another tenant's change: a runtime in which acme sends nothing
    const idle = new TenantIntents(await IntentService.create(model, cache, { ...settings, topK: 3 }), "k2", sources, new Map([["acme", [ex("lx_1", "one")]]]), maker(known).make, first, history);
    // acme's own change, with acme idle in the runtime before
    const next = new TenantIntents(await IntentService.create(model, cache, { ...settings, topK: 4 }), "k3", sources, new Map([["acme", [ex("lx_1", "one"), ex("lx_22", "two")]]]), maker(known).make, idle, history);
    const now = await next.for("acme");
    expect(now.modelKey).not.toBe(own.modelKey);
    expect(await now.lookup(id, () => {}, "acme")).toMatchObject({ record: { id, model: own.modelKey } });
    // without the history, the older model is out of reach
    const forgetful = new TenantIntents(await IntentService.create(model, cache, { ...settings, topK: 5 }), "k4", sources, new Map([["acme", [ex("lx_1", "one"), ex("lx_22", "two")]]]), maker(known).make, idle, new Lru(100));
    expect(await (await forgetful.for("acme")).lookup(id, () => {}, "acme")).toBeUndefined();
  });

  it(`keeps the ${MAX_TENANT_MODELS} most recently served tenants' models; another is built again when it is next served`, async () => {
    const m = maker();
    const names = Array.from({ length: MAX_TENANT_MODELS + 1 }, (_, i) => `t${i}`);
    const t = new TenantIntents(shared, "shared-key", sources, new Map(names.map((n) => [n, [example(n, `input of ${n}`)]])), m.make);
    for (const n of names) await t.for(n);
    expect(m.asked.quick).toBe(MAX_TENANT_MODELS + 1);
    await t.for(names.at(-1)!); // held
    expect(m.asked.quick).toBe(MAX_TENANT_MODELS + 1);
    await t.for("t0"); // evicted by the last one: asked again
    expect(m.asked.quick).toBe(MAX_TENANT_MODELS + 2);
  });
});
