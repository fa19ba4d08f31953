/**
 * Strong entity tags over a representation's bytes, and `If-None-Match` (RFC 9110
 * §8.8.3, §13.1.2): a client that holds the same bytes is answered 304. Pure (Web Crypto).
 */

/**
 * A strong ETag of `body`: the SHA-256 of its UTF-8 bytes, hex, quoted. Equal bytes, equal tag.
 *
 * @example
 * await strongEtag("{}") // '"44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a"'
 */
export async function strongEtag(body: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(body)));
  return `"${Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("")}"`;
}

/**
 * Whether an `If-None-Match` header matches `etag`: `*`, or any listed tag by the weak
 * comparison §13.1.2 prescribes for it (`W/"x"` matches `"x"`).
 *
 * @example
 * noneMatchHit('W/"a", "b"', '"a"') // true
 * noneMatchHit(undefined, '"a"')    // false
 */
export function noneMatchHit(header: string | undefined, etag: string): boolean {
  if (header === undefined) return false;
  if (header.trim() === "*") return true;
  const opaque = (t: string) => t.trim().replace(/^W\//, "");
  // Stryker disable next-line ArrayDeclaration: no tag listed: a stand-in string without quotes matches no ETag either (every ETag is quoted)
  return (header.match(/(?:W\/)?"[^"]*"/g) ?? []).some((t) => opaque(t) === opaque(etag));
}
