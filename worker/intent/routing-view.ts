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
 * keeping the more confident won. view/2 (dev halves of eval/bundled/scope-robust.json
 * and long-robust.json) drops greetings, thanks, sign-offs and signatures at the ends
 * of a long input, also shows the first sentence of a multi-sentence head line, and
 * shows the instruction before ": " of a short input as well as the whole; also
 * measured and not kept: the last question of the tail line as an extra part (no
 * change on dev) and preferring a part that reaches a non-fallback specialist (lost
 * out-of-scope recall on dev). See docs/evaluation-and-benchmarks.md.
 */

/** Bump whenever {@link routingView} or {@link instructionHead} change: it scopes cached intents (with model.ts's FIT_VERSION for the fit). */
export const ROUTING_VIEW_VERSION = "view/2";
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
 * The pieces of `text` the classifier sees, in order (one to three strings, each cut
 * from the caller's text; the caller normalises and classifies each and keeps the
 * most confident prediction):
 * - up to {@link WHOLE_MAX_CHARS} characters: the whole text, and the instruction
 *   before its first ": " when that is at most 40 characters ("word count: convert
 *   5 km to miles" is a word count, not a conversion);
 * - longer: first the greetings, thanks, sign-offs (with the name under one),
 *   "-- " signatures and asides such as "(no rush)" at either end are set aside;
 *   then the head — the {@link instructionHead}, else the first sentence — plus the
 *   head's first sentence when the head has several ("What's 8% of 2,750? Details
 *   below."), and the tail — the last line when it is a short line of its own, else
 *   the last sentence — each at most {@link PART_MAX_CHARS} characters. The middle
 *   (the payload) is not shown.
 *
 * @example
 * routingView("what is 12 * 7") // ["what is 12 * 7"]
 * routingView("word count: convert 5 km to miles") // ["word count: convert 5 km to miles", "word count"]
 * routingView(`summarize in 2 sentences: ${prose}`) // ["summarize in 2 sentences", "<last sentence of prose>"]
 * routingView(`${prose}\n\nHow many words is that?\n\nBest regards,\nAnna`) // ["<first sentence of prose>", "How many words is that?"]
 */
export function routingView(text: string): string[] {
  const t = text.trim();
  if (t.length <= WHOLE_MAX_CHARS) {
    const head = colonHead(t);
    return head === undefined ? [text] : [text, head];
  }
  const lines = bodyLines(t);
  if (lines.length === 0) return [text];
  const first = lines[0]!;
  const last = lines[lines.length - 1]!;
  const head = instructionHead(lines.join("\n")) ?? clipStart(sentences(first)[0]!);
  const tail = lines.length > 1 && last.length <= PART_MAX_CHARS ? last : clipEnd(sentences(last).at(-1)!);
  const headSentences = sentences(head);
  const parts = [...new Set([head, ...(headSentences.length > 1 ? [headSentences[0]!] : []), tail])].filter((p) => HAS_CONTENT.test(p));
  return parts.length > 0 ? parts : [text];
}

/** The instruction before ": " in a short input, when it is at most 40 characters and something follows. */
function colonHead(t: string): string | undefined {
  const m = /^([^\n:]*?):\s+(?=\S)/u.exec(t);
  if (m === null) return undefined;
  const head = m[1]!.trim();
  return head.length <= 40 && /\p{L}/u.test(head) && HAS_CONTENT.test(t.slice(m[0].length)) ? head : undefined;
}

/**
 * Greetings, thanks, sign-offs and asides that say nothing about the task: a whole
 * line or sentence of one of these is dropped at the ends of a long input.
 */
const PLEASANTRY = new RegExp(
  "^[\\s\\p{P}]*(?:" +
    [
      "(?:hi|hello|hey|dear|good (?:morning|afternoon|evening))(?: (?:there|all|team|everyone|\\p{L}+))?",
      "(?:many |a lot of |big )?(?:thanks|thank you|thank u|thx|ty|tia|cheers|ta)(?: (?:so|very) much| a lot| a bunch| in advance| again| for your help| for (?:the|your) time)?(?: in advance)?",
      "(?:(?:best|kind|warm|warmest|many|with) )?regards|best(?: wishes)?|all the best|sincerely|yours(?: truly| sincerely)?|take care|talk soon|speak soon|love",
      "(?:p\\.?s\\.?:? )?(?:there(?:'s|’s| is) )?(?:no|not in any) (?:rush|hurry)(?: at all)?",
      "just curious|asking for a friend|(?:i )?hope (?:this|that) (?:helps|makes sense)|appreciate it|much appreciated",
      "sent from my [\\p{L}\\p{N} ]+|get outlook for [\\p{L} ]+",
    ].join("|") +
    ")[\\s\\p{P}\\p{S}]*$",
  "iu",
);
/** A name under a sign-off: one to three words, no digits or sentence punctuation. */
const NAME_LINE = /^[\p{Lu}][\p{L}'’.-]*(?: [\p{L}'’.-]+){0,2}$/u;

/** The sentences of one line. */
function sentences(line: string): string[] {
  return line.split(SENTENCE_END).filter((x) => x !== "");
}

const isPleasantry = (s: string): boolean => PLEASANTRY.test(s.trim());

/**
 * The lines of a long input that can carry its instruction: without the signature
 * after a "-- " line, lines without letters or digits, and greetings, thanks,
 * sign-offs (and the name under one) at either end; pleasantry sentences are also
 * dropped from the start of the first line and the end of the last.
 */
function bodyLines(t: string): string[] {
  let raw = t.split(/\n/u).map((l) => l.trim());
  const sig = raw.findLastIndex((l) => l === "--" || l === "—");
  if (sig > 0) raw = raw.slice(0, sig);
  const lines = raw.filter((l) => HAS_CONTENT.test(l));
  const all = [...lines];
  while (lines.length > 1) {
    const n = lines.length;
    if (isPleasantry(lines[n - 1]!)) lines.pop();
    else if (n > 2 && NAME_LINE.test(lines[n - 1]!) && isPleasantry(lines[n - 2]!)) lines.splice(n - 2, 2);
    else break;
  }
  while (lines.length > 1 && isPleasantry(lines[0]!)) lines.shift();
  if (lines.length === 0) return all;
  const firstSs = sentences(lines[0]!);
  while (firstSs.length > 1 && isPleasantry(firstSs[0]!)) firstSs.shift();
  lines[0] = firstSs.join(" ");
  const lastSs = sentences(lines[lines.length - 1]!);
  while (lastSs.length > 1 && isPleasantry(lastSs.at(-1)!)) lastSs.pop();
  lines[lines.length - 1] = lastSs.join(" ");
  return lines;
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
