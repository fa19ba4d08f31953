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
 * is folded (Unicode NFC, surrounding and repeated whitespace), so inputs that differ
 * in case ("8 Mb" megabits, "8 MB" megabytes) or in compatibility characters get
 * different ids and each next hop by id answers its own question. Classification may
 * fold more ({@link normalizeInput}); the text a specialist gets is the caller's own.
 *
 * @example
 * identityForm("  convert 8 Mb\n to kB ") // "convert 8 Mb to kB"
 */
export function identityForm(text: string): string {
  return text.normalize("NFC").replace(/\s+/gu, " ").trim();
}
