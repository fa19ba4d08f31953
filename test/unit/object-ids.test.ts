import { describe, expect, it } from "vitest";
import { MAX_NAMES, namedId } from "../../worker/object-ids.ts";

/** A namespace that counts its derivations; ids are fresh objects, as workerd's are. */
function namespace() {
  let derived = 0;
  return {
    ns: { idFromName: (name: string) => (derived++, { name, toString: () => name }) as unknown as DurableObjectId },
    derived: () => derived,
  };
}

describe("namedId: a Durable Object id derived once per name per isolate", () => {
  it("derives each name once and gives the same id after", () => {
    const { ns, derived } = namespace();
    const a = namedId(ns, "specialist:a");
    expect(namedId(ns, "specialist:a")).toBe(a);
    expect(namedId(ns, "specialist:b")).not.toBe(a);
    expect(derived()).toBe(2);
  });

  it("keeps namespaces apart: one name in two namespaces is two ids", () => {
    const one = namespace();
    const two = namespace();
    expect(namedId(one.ns, "control")).not.toBe(namedId(two.ns, "control"));
    expect([one.derived(), two.derived()]).toEqual([1, 1]);
  });

  it("is bounded: past MAX_NAMES names the map starts over", () => {
    const { ns, derived } = namespace();
    const first = namedId(ns, "n0");
    for (let i = 1; i < MAX_NAMES; i++) namedId(ns, `n${i}`);
    expect(namedId(ns, "n0")).toBe(first); // still held at MAX_NAMES names
    namedId(ns, "one-more"); // the map was full: cleared, then this one kept
    expect(namedId(ns, "n0")).not.toBe(first);
    expect(derived()).toBe(MAX_NAMES + 2);
  });
});
