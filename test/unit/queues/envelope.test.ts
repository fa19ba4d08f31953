import { describe, expect, it } from "vitest";
import { Envelope, envelope, MAX_ENVELOPE_BYTES } from "../../../worker/queues/envelope.ts";

const AT = new Date("2026-11-30T04:00:00.000Z");

/** The JSON bytes of an envelope whose body is `{ p: pad }`. */
const bytesOf = (pad: string) => new TextEncoder().encode(JSON.stringify(envelope("hop.run", "hop:1", "acme", { p: pad }, AT))).length;

describe("an envelope", () => {
  it("is version 1, with its id, kind, tenant, body, and now as its time; it is a valid Envelope", () => {
    const e = envelope("hop.run", "hop:1", "acme", { a: 1 }, AT);
    expect(e).toEqual({ v: 1, id: "hop:1", kind: "hop.run", tenant: "acme", at: "2026-11-30T04:00:00.000Z", body: { a: 1 } });
    expect(Envelope.parse(e)).toEqual(e);
  });

  it("may be exactly MAX_ENVELOPE_BYTES of JSON, in UTF-8 bytes, and not one byte more", () => {
    const overhead = bytesOf("");
    expect(bytesOf("x".repeat(MAX_ENVELOPE_BYTES - overhead))).toBe(MAX_ENVELOPE_BYTES);
    expect(() => envelope("hop.run", "hop:1", "acme", { p: "x".repeat(MAX_ENVELOPE_BYTES - overhead + 1) }, AT)).toThrow(
      new RangeError(`a hop.run message would be ${MAX_ENVELOPE_BYTES + 1} bytes, over the ${MAX_ENVELOPE_BYTES}-byte limit of one queue message`),
    );
    // three bytes a character: a third as many characters fit
    const euros = Math.floor((MAX_ENVELOPE_BYTES - overhead) / 3);
    expect(bytesOf("€".repeat(euros))).toBeLessThanOrEqual(MAX_ENVELOPE_BYTES);
    expect(() => envelope("hop.run", "hop:1", "acme", { p: "€".repeat(euros + 1) }, AT)).toThrow(RangeError);
  });
});
