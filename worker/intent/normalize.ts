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

/**
 * The form of an input its intent id is made from: only what cannot change its meaning
 * is folded — Unicode NFC, line endings (CRLF and CR as LF), whitespace at the ends of
 * lines and around the whole text — so inputs that differ in case ("8 Mb" megabits,
 * "8 MB" megabytes), in compatibility characters, in line breaks (paragraphs,
 * code) or in indentation get different ids, and each next hop by id answers its own
 * question with its own text. Classification may fold more ({@link normalizeInput});
 * the text a specialist gets is the caller's own.
 *
 * @example
 * identityForm("  convert 8 Mb \r\n to kB ") // "convert 8 Mb\n to kB"
 */
export function identityForm(text: string): string {
  return text
    .normalize("NFC")
    .replace(/\r\n?/g, "\n")
    .replace(/[^\S\n]+$/gmu, "")
    .trim();
}
