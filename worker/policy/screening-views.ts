/**
 * The views of a text that prompt-injection screening reads (worker/policy/screening.ts):
 * folded (Unicode compatibility forms, marks, format characters, look-alikes),
 * flattened (whitespace as single spaces) and squeezed (words written apart joined).
 */

/**
 * Letters from other scripts that look like Latin ones (Unicode's confusables, the
 * ones seen in obfuscated injections: Cyrillic and Greek lookalikes), mapped to the
 * Latin letter they imitate.
 */
export const CONFUSABLES: Readonly<Record<string, string>> = {
  а: "a", в: "b", е: "e", ё: "e", к: "k", м: "m", н: "h", о: "o", р: "p", с: "c", т: "t", у: "y", х: "x", і: "i", ї: "i", ј: "j", ѕ: "s", ԁ: "d", ԛ: "q", ԝ: "w", һ: "h", ӏ: "l",
  А: "A", В: "B", Е: "E", К: "K", М: "M", Н: "H", О: "O", Р: "P", С: "C", Т: "T", У: "Y", Х: "X", І: "I", Ј: "J", Ѕ: "S",
  α: "a", β: "b", ε: "e", ι: "i", κ: "k", ν: "v", ο: "o", ρ: "p", τ: "t", υ: "u", χ: "x", γ: "y",
  Α: "A", Β: "B", Ε: "E", Ζ: "Z", Η: "H", Ι: "I", Κ: "K", Μ: "M", Ν: "N", Ο: "O", Ρ: "P", Τ: "T", Υ: "Y", Χ: "X",
  ı: "i", ɡ: "g", ɑ: "a", ℓ: "l",
  // small capitals
  ᴀ: "a", ʙ: "b", ᴄ: "c", ᴅ: "d", ᴇ: "e", ꜰ: "f", ɢ: "g", ʜ: "h", ɪ: "i", ᴊ: "j", ᴋ: "k", ʟ: "l", ᴍ: "m", ɴ: "n", ᴏ: "o", ᴘ: "p", ʀ: "r", ꜱ: "s", ᴛ: "t", ᴜ: "u", ᴠ: "v", ᴡ: "w", ʏ: "y", ᴢ: "z",
  // Armenian look-alikes
  օ: "o", ս: "u", ց: "g", հ: "h", ո: "n", ա: "w", զ: "q", ք: "p",
};
const CONFUSABLE_RE = new RegExp(`[${Object.keys(CONFUSABLES).join("")}]`, "g");

/** Printable ASCII, tabs and line breaks: folding leaves it as it is. */
const PRINTABLE_ASCII = /^[\x20-\x7e\t\n\r]*$/;
const NOT_PRINTABLE_ASCII = /[^\x20-\x7e\t\n\r]/g;

/**
 * Common typographic signs that folding leaves as they are, alone and next to printable
 * ASCII or one another: dashes, quotes, daggers, the bullet, per mille, arrows, check
 * marks, ©, ®, °, ±, ×, ÷, £, €, §, ¶, « and ». None has a decomposition, none is a mark,
 * a format character or a look-alike, and no pair of them composes
 * (test/unit/policy/screening-views.test.ts checks each and each pair).
 */
export const TYPOGRAPHY = "£§©«®°±¶»×÷‐‒–—―‘’‚‛“”„‟†‡•‰€←↑→↓↔✓✔";

/**
 * Whether folding leaves `text` as it is: printable ASCII, and maybe {@link TYPOGRAPHY}.
 * A shortcut: text it turns down is folded the long way, to the same text.
 */
// Stryker disable next-line BlockStatement: a shortcut (no answer: the long way)
function foldsToItself(text: string): boolean {
  // Stryker disable next-line BooleanLiteral: a shortcut (the long way folds printable ASCII to itself)
  if (PRINTABLE_ASCII.test(text)) return true; // the common case, one quick scan
  NOT_PRINTABLE_ASCII.lastIndex = 0;
  for (let m = NOT_PRINTABLE_ASCII.exec(text); m !== null; m = NOT_PRINTABLE_ASCII.exec(text)) {
    // Stryker disable next-line ConditionalExpression: a shortcut (the long way folds a typographic sign to itself)
    if (!TYPOGRAPHY.includes(m[0])) return false;
  }
  // Stryker disable next-line BooleanLiteral: a shortcut (the long way folds these to themselves)
  return true;
}

/**
 * Where a combining mark (category Mn) or a format character (Cf) can be: a superset
 * of each category in the Basic Multilingual Plane, and any surrogate (the other
 * planes). Scanning for a Unicode property is slow, so text none of whose characters
 * falls in these ranges (typographic signs, most scripts' letters) skips that scan.
 * test/unit/policy/screening-views.test.ts checks them against the runtime's own
 * categories, character by character.
 */
export const MAYBE_MN = /[\u0300-\u036f\u0483-\u0489\u0591-\u1fff\u20d0-\u20ff\u2cef-\u2cf1\u2d7f\u2de0-\u2dff\u302a-\u302f\u3099\u309a\ua66f-\uabff\ufb1e\ufe00-\ufe0f\ufe20-\ufe2f\ud800-\udfff]/;
export const MAYBE_CF = /[\u00ad\u0600-\u0605\u061c\u06dd\u070f\u0890-\u0891\u08e2\u180e\u200b-\u200f\u202a-\u202e\u2060-\u206f\ufeff\ufff9-\ufffb\ud800-\udfff]/;

/**
 * Text as the screening patterns see it: Unicode NFKC (full-width and compatibility
 * forms folded), format characters removed (zero-width spaces and joiners, soft
 * hyphens, bidirectional controls, tag characters: category Cf), and look-alike
 * letters of other scripts mapped to Latin. Case is ignored by the patterns; line
 * breaks are handled by screening a copy with whitespace collapsed.
 *
 * @example
 * normalizeForScreening("ｉｇｎｏｒｅ pr\u200Bevious іnstructions") // "ignore previous instructions"
 */
export function normalizeForScreening(text: string): string {
  if (foldsToItself(text)) return text;
  let s = text.normalize("NFKD");
  if (MAYBE_MN.test(s)) s = s.replace(/\p{Mn}/gu, ""); // accents and other combining marks (ï → i)
  s = s.normalize("NFKC");
  if (MAYBE_CF.test(s)) s = s.replace(/\p{Cf}/gu, "");
  return s.replace(CONFUSABLE_RE, (c) => CONFUSABLES[c]!);
}

/**
 * Every run of whitespace (line breaks, U+2028 too) as one space; the same string when
 * it has no whitespace but lone spaces.
 */
export function flattened(normal: string): string {
  return normal.replace(/\s{2,}|[^\S ]/g, " ");
}

/**
 * The letters of words written apart as joined words: separators inside words removed
 * (`ig-nore`, `i.g.n.o.r.e`, `ignore_all`), and runs of single letters joined
 * (`i g n o r e`). Text with none of these is returned as it is (the same string).
 * Each scan starts at what is rare (a separator; a space, a letter, a space and a
 * letter), not at every letter.
 */
export function squeezed(flat: string): string {
  const joined = flat.replaceAll("_", " ").replace(/[-.·'’](?<=\p{L}[-.·'’])(?=\p{L})/gu, "");
  return / \p{L} \p{L}/u.test(joined) ? joined.replace(/\b(?:\p{L} ){2,}\p{L}\b/gu, (run) => run.replace(/ /g, "")) : joined;
}

/** A single letter, a line break, a single letter: a run of letters written apart may go on across the line break. */
const RUN_ACROSS_LINE = /[\n\r\u2028\u2029](?<=(?<!\p{L})\p{L}\s*[\n\r\u2028\u2029])\s*\p{L}(?!\p{L})/u;

/**
 * {@link squeezed} with runs of single letters ending at a line break (line breaks read
 * as a NUL, no letter, no space); `tight` itself when no run crosses one. A squeezed
 * view joins `j a i l b r e a k` and `I` on the next line into one word, as it always
 * did in a plain string; JSON's escaped `\n` used to end the run in a structured one,
 * and this view keeps that reading for both.
 */
export function squeezedByLine(normal: string, flat: string, tight: string): string {
  if (tight === flat || !RUN_ACROSS_LINE.test(normal)) return tight;
  return squeezed(flattened(normal.replace(/\s*[\n\r\u2028\u2029]\s*/g, "\0")));
}
