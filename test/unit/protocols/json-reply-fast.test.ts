import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { SpecialistReply, surelyReply } from "../../../worker/protocols/json-protocol.ts";

const anyValue = fc.oneof(fc.constant(undefined), fc.constant(null), fc.string(), fc.integer(), fc.double(), fc.boolean(), fc.constant([]), fc.constant({}));
const mostly = <T,>(valid: fc.Arbitrary<T>) => fc.oneof({ arbitrary: valid, weight: 6 }, { arbitrary: anyValue, weight: 1 });
const amount = mostly(fc.oneof(fc.nat(10_000), fc.double({ min: 0, max: 10, noNaN: true }), fc.constantFrom(-1, 1.5, 2 ** 53, Number.POSITIVE_INFINITY, Number.NaN)));
const usage = fc.oneof(
  { arbitrary: fc.record({ units: amount, inputTokens: amount, outputTokens: amount, costUsd: amount, extra: anyValue }, { requiredKeys: [] }), weight: 6 },
  anyValue,
);
const reply = fc.oneof(
  { arbitrary: fc.record({ output: mostly(fc.oneof(fc.string(), fc.object())), usage, other: anyValue }, { requiredKeys: [] }), weight: 8 },
  fc.array(anyValue, { maxLength: 2 }),
  anyValue,
);

describe("surelyReply: the hot path's check of a JSON specialist's reply", () => {
  it("gives what the zod schema gives, for every reply it accepts", () => {
    let accepted = 0;
    fc.assert(
      fc.property(reply, (v) => {
        const sure = surelyReply(v);
        if (!sure) return;
        accepted++;
        const z = SpecialistReply.safeParse(v);
        expect(z.success).toBe(true);
        expect(sure).toEqual({ output: z.data?.output, usage: z.data?.usage ?? {} });
      }),
      { numRuns: 3_000, seed: 13 },
    );
    expect(accepted).toBeGreaterThan(100);
  });

  it("leaves what it is unsure of to the schema", () => {
    expect(surelyReply({ usage: {} })).toBeUndefined();
    expect(surelyReply({ output: "x", usage: { inputTokens: 1.5 } })).toBeUndefined();
    expect(surelyReply({ output: "x", usage: { costUsd: -1 } })).toBeUndefined();
    expect(surelyReply([1])).toBeUndefined();
    expect(surelyReply({ output: null, usage: { units: 2, extra: 1 } })).toEqual({ output: null, usage: { units: 2 } });
  });
});
