/**
 * The routing view of an input: what the classifier is shown, so that a long request
 * routes as its instruction would ("summarize in 2 sentences: <1,500 characters of
 * prose>" is a summary request, whatever the prose is about). Pure; only the
 * classification changes: the intent id and the text a specialist receives are the
 * caller's own (intent-service.ts).
 *
 * Measured on the dev half of eval/bundled/long-inputs.json against the whole text,
 * the head alone, the first + last sentence, head + tail as one text and a
 * 150 + 150-character window; classifying the head and the tail separately and
 * keeping the more confident won (see EVAL-SECTION.md).
 */

/** Bump whenever {@link routingView} or {@link instructionHead} change: it scopes cached intents (with model.ts's FIT_VERSION for the fit). */
export const ROUTING_VIEW_VERSION = "view/1";
/** Inputs of at most this many characters (after trimming) are classified whole. */
export const WHOLE_MAX_CHARS = 200;
/** Longest head or tail, in characters (UTF-16 code units). */
export const PART_MAX_CHARS = 200;

const HAS_CONTENT = /[\p{L}\p{N}]/u;
/** Ends of sentences: ., !, ? or … (and closing quotes/brackets) followed by whitespace; "2.5" does not end one. */
const SENTENCE_END = /(?<=[.!?…]["'”’)\]]*)\s+/u;

/**
 * The instruction before a payload: the text before the first colon followed by
 * whitespace, or before the first line break, when that comes within
 * {@link PART_MAX_CHARS} characters and something follows it. `undefined` otherwise
 * ("10:30", URLs and one-line inputs have none).
 *
 * @example
 * instructionHead("count the words in: The quick brown fox.") // "count the words in"
 * instructionHead("Summarize this article.\n\nIt rained.")      // "Summarize this article."
 * instructionHead("what is 12 * 7")                            // undefined
 */
export function instructionHead(text: string): string | undefined {
  const t = text.trim();
  const m = /^([^\n]*?)(?::\s|\n)/u.exec(t);
  if (m === null) return undefined;
  const head = m[1]!.trim();
  const rest = t.slice(m[0].length);
  return head.length <= PART_MAX_CHARS && HAS_CONTENT.test(head) && HAS_CONTENT.test(rest) ? head : undefined;
}

/**
 * What one training example teaches: itself, and its {@link instructionHead} alone
 * when it has one, because a long input is classified by its head and its tail, not
 * by its payload (model.ts fits on these).
 *
 * @example
 * trainingViews("count the words in: The quick brown fox.") // ["count the words in: The quick brown fox.", "count the words in"]
 * trainingViews("what is 12 * 7")                           // ["what is 12 * 7"]
 */
export function trainingViews(example: string): string[] {
  const head = instructionHead(example);
  return head === undefined ? [example] : [example, head];
}

/**
 * The pieces of `text` the classifier sees, in order (one or two strings, each cut
 * from the caller's text; the caller normalises and classifies each and keeps the
 * most confident prediction):
 * - up to {@link WHOLE_MAX_CHARS} characters: the whole text;
 * - longer: the head — the {@link instructionHead}, else the first sentence — and the
 *   tail — the last line when it is a short line of its own, else the last sentence —
 *   each at most {@link PART_MAX_CHARS} characters. The middle (the payload) is not shown.
 *
 * @example
 * routingView("what is 12 * 7") // ["what is 12 * 7"]
 * routingView(`summarize in 2 sentences: ${prose}`) // ["summarize in 2 sentences", "<last sentence of prose>"]
 * routingView(`${prose}\n\nHow many words is that?`) // ["<first sentence of prose>", "How many words is that?"]
 */
export function routingView(text: string): string[] {
  const t = text.trim();
  if (t.length <= WHOLE_MAX_CHARS) return [text];
  const lines = t.split(/\s*\n\s*/u).filter((l) => HAS_CONTENT.test(l));
  if (lines.length === 0) return [text];
  const first = lines[0]!;
  const last = lines[lines.length - 1]!;
  const head = instructionHead(t) ?? clipStart(first.split(SENTENCE_END)[0]!);
  const tail = lines.length > 1 && last.length <= PART_MAX_CHARS ? last : clipEnd(last.split(SENTENCE_END).at(-1)!);
  const parts = [...new Set([head, tail])].filter((p) => HAS_CONTENT.test(p));
  return parts.length > 0 ? parts : [text];
}

/** The first {@link PART_MAX_CHARS} characters, cut at a word boundary when there is one. */
function clipStart(s: string): string {
  if (s.length <= PART_MAX_CHARS) return s;
  const cut = s.slice(0, PART_MAX_CHARS);
  const space = cut.lastIndexOf(" ");
  return space > 0 ? cut.slice(0, space) : cut;
}

/** The last {@link PART_MAX_CHARS} characters, cut at a word boundary when there is one. */
function clipEnd(s: string): string {
  if (s.length <= PART_MAX_CHARS) return s;
  const cut = s.slice(s.length - PART_MAX_CHARS);
  const space = cut.indexOf(" ");
  return space >= 0 && space < cut.length - 1 ? cut.slice(space + 1) : cut;
}
