import { env } from "cloudflare:workers";
import { describe, expect, it, vi } from "vitest";
import type { Env } from "../../worker/env.ts";
import { BuiltinEncoder } from "../../worker/intent/builtin-encoder.ts";
import { buildIntentModel } from "../../worker/intent/model.ts";
import { getRuntime, modelStoreKey } from "../../worker/runtime.ts";
import { callWith, configWith } from "./helpers.ts";

const E = env as unknown as Env;

/** A config of its own, so this test's model key is not shared with other tests. */
function isolatedConfig(tag: string): string {
  return configWith((c) => {
    c.specialists[0]!.intents![0]!.examples.push(`an example only the ${tag} test has`);
  });
}

function sourcesOf(raw: string) {
  const c = JSON.parse(raw) as { specialists: { id: string; intents?: { label: string; examples: string[] }[] }[] };
  return c.specialists.flatMap((s) => (s.intents ?? []).map((i) => ({ specialist: s.id, label: i.label, examples: i.examples })));
}

describe("fitted model snapshots in KV", () => {
  it("stores the fitted model for other isolates of the deployment", async () => {
    const SWITCHYARD_CONFIG = isolatedConfig("store");
    expect((await callWith({ SWITCHYARD_CONFIG }, "/healthz")).status).toBe(200);
    const rt = await getRuntime({ ...E, SWITCHYARD_CONFIG });
    const key = await modelStoreKey(E, rt.intents.model.encoder.id, sourcesOf(SWITCHYARD_CONFIG));
    // written in the background: wait (bounded) for it to land
    const stored = await vi.waitFor(
      async () => {
        const v = (await E.INTENTS!.get(key, "json")) as { labels: string[] } | null;
        if (!v) throw new Error("not stored yet");
        return v;
      },
      { timeout: 5_000 },
    );
    expect(stored.labels).toEqual([...rt.intents.model.classifier.labels]);
  });

  it("does not make the request that fitted the model wait for the snapshot's KV write", async () => {
    const SWITCHYARD_CONFIG = isolatedConfig("background");
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    const writes: string[] = [];
    const kv = E.INTENTS!;
    const slowKv = { get: kv.get.bind(kv), put: async (key: string) => void (writes.push(key), await held) } as unknown as KVNamespace;
    const rt = await getRuntime({ ...E, SWITCHYARD_CONFIG, INTENTS: slowKv });
    expect(rt.intents.model.classifier.labels.length).toBeGreaterThan(0);
    expect(writes).toEqual([await modelStoreKey(E, rt.intents.model.encoder.id, sourcesOf(SWITCHYARD_CONFIG))]); // started, not finished
    release();
  });

  it("restores a stored snapshot instead of fitting, and refits when it is corrupt", async () => {
    const SWITCHYARD_CONFIG = isolatedConfig("restore");
    const sources = sourcesOf(SWITCHYARD_CONFIG);
    const encoder = new BuiltinEncoder();
    const other = await buildIntentModel(sources, encoder, { epochs: 1, minUpdates: 1, seed: 7 });
    const key = await modelStoreKey(E, encoder.id, sources);
    await E.INTENTS!.put(key, JSON.stringify(other.classifier.snapshot()));
    const restored = await getRuntime({ ...E, SWITCHYARD_CONFIG });
    expect(restored.intents.model.classifier.fingerprint).toBe(other.classifier.fingerprint);

    const CORRUPT = isolatedConfig("corrupt");
    const corruptKey = await modelStoreKey(E, encoder.id, sourcesOf(CORRUPT));
    await E.INTENTS!.put(corruptKey, JSON.stringify({ labels: ["nope"], weights: "!!" }));
    const refit = await getRuntime({ ...E, SWITCHYARD_CONFIG: CORRUPT });
    const fresh = await buildIntentModel(sourcesOf(CORRUPT), encoder);
    expect(refit.intents.model.classifier.fingerprint).toBe(fresh.classifier.fingerprint);
    await vi.waitFor(async () => expect(((await E.INTENTS!.get(corruptKey, "json")) as { labels: string[] }).labels).toEqual([...fresh.classifier.labels]), { timeout: 5_000 });
  });
});
