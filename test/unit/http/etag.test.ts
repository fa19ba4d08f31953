import { describe, expect, it } from "vitest";
import { noneMatchHit, strongEtag } from "../../../worker/http/etag.ts";

describe("ETag and If-None-Match (RFC 9110 §8.8.3, §13.1.2)", () => {
  it("a strong tag is the quoted SHA-256 of the bytes", async () => {
    expect(await strongEtag("{}")).toBe('"44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a"');
    expect(await strongEtag("{ }")).not.toBe(await strongEtag("{}"));
  });

  it("If-None-Match: *, or any listed tag by weak comparison", () => {
    const tag = '"abc"';
    expect(noneMatchHit(undefined, tag)).toBe(false);
    expect(noneMatchHit("*", tag)).toBe(true);
    expect(noneMatchHit('"abc"', tag)).toBe(true);
    expect(noneMatchHit('W/"abc"', tag)).toBe(true);
    expect(noneMatchHit('"x", W/"y" , "abc"', tag)).toBe(true);
    expect(noneMatchHit('"abcd"', tag)).toBe(false);
    expect(noneMatchHit("abc", tag)).toBe(false);
    expect(noneMatchHit("", tag)).toBe(false);
  });
});

describe("ETag edges", () => {
  it("every byte of the digest is two hex digits (bytes under 0x10 keep their leading zero)", async () => {
    const { createHash } = await import("node:crypto");
    for (const body of ["", "a", "{}", "x".repeat(100), "é"]) {
      const tag = await strongEtag(body);
      expect(tag, body).toMatch(/^"[0-9a-f]{64}"$/);
      expect(tag, body).toBe(`"${createHash("sha256").update(body, "utf8").digest("hex")}"`);
    }
  });

  it("a `*` with spaces around it matches anything", () => {
    expect(noneMatchHit(" * ", '"abc"')).toBe(true);
  });

  it("only a leading W/ marks a weak tag; the tag compared is trimmed", () => {
    expect(noneMatchHit('"ab"', '"aW/b"')).toBe(false);
    expect(noneMatchHit('"abc"', ' "abc" ')).toBe(true);
  });
});
