/**
 * Canonical form of a user input, shared by the encoders and by the
 * content-hash intent id. Keep it stable: changing it changes both.
 *
 * Steps: Unicode NFKC, lower-case, collapse every whitespace run to one space, trim.
 *
 * @example
 * normalizeInput("  Ｈｅｌｌｏ\t\nWORLD ") // "hello world"
 */
export function normalizeInput(text: string): string {
  return text.normalize("NFKC").toLowerCase().replace(/\s+/gu, " ").trim();
}
