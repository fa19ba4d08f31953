/**
 * Text helpers shared by the text skills (`text-stats`, `summarize`, `general`):
 * word tokenising, sentence splitting, stop-words and instruction stripping.
 * Pure: no Workers APIs.
 */

/** English function words ignored when ranking words or sentences. */
export const STOP_WORDS: ReadonlySet<string> = new Set(
  (
    "a about above after again against all also am an and any are aren't as at be because been before being below " +
    "between both but by can can't cannot could couldn't did didn't do does doesn't doing don't down during each " +
    "either else even ever every few for from further get gets got had hadn't has hasn't have haven't having he " +
    "he'd he'll he's her here here's hers herself him himself his how how's however i i'd i'll i'm i've if in into " +
    "is isn't it it's its itself just let's like made make many may me might more most much must mustn't my myself " +
    "neither no nor not now of off often on once one only or other ought our ours ourselves out over own per " +
    "please quite rather really same say says said shall shan't she she'd she'll she's should shouldn't since so " +
    "some still such than that that's the their theirs them themselves then there there's these they they'd " +
    "they'll they're they've this those though through thus to too toward towards under until up upon us very " +
    "via was wasn't we we'd we'll we're we've well were weren't what what's when when's where where's whether " +
    "which while who who's whom whose why why's will with within without won't would wouldn't yes yet you you'd " +
    "you'll you're you've your yours yourself yourselves"
  ).split(" "),
);

const WORD_RE = /[\p{L}\p{N}]+(?:['’][\p{L}]+|-[\p{L}\p{N}]+)*/gu;

/**
 * The words of `text`, in order and as written (letters/digits, with inner
 * apostrophes and hyphens kept).
 *
 * @example
 * words("It's a well-known fact, isn't it?") // ["It's", "a", "well-known", "fact", "isn't", "it"]
 */
export function words(text: string): string[] {
  return text.match(WORD_RE) ?? [];
}

/**
 * Lower-cased words of `text` with stop-words, bare numbers and one-letter
 * words removed; typographic apostrophes become `'`.
 *
 * @example
 * contentWords("The cat sat on the mat, 3 times.") // ["cat", "sat", "mat", "times"]
 */
export function contentWords(text: string): string[] {
  return words(text)
    .map((w) => w.toLowerCase().replace(/’/gu, "'"))
    .filter((w) => w.length > 1 && !STOP_WORDS.has(w) && !/^\p{N}+$/u.test(w));
}

/** Abbreviations whose trailing period does not end a sentence. */
const ABBREVIATIONS = new Set(["mr", "mrs", "ms", "dr", "prof", "sr", "jr", "st", "vs", "etc", "e.g", "i.e", "approx", "no", "fig", "inc", "ltd", "co", "mt"]);

/**
 * Splits `text` into sentences on `.`, `!`, `?` (and `…`) followed by space or
 * the end, and on blank lines; ignores periods of common abbreviations and
 * of decimal numbers. Sentences without any word are dropped.
 *
 * @example
 * sentences("Dr. Smith arrived at 3.30 pm. He left! Why?") // ["Dr. Smith arrived at 3.30 pm.", "He left!", "Why?"]
 */
export function sentences(text: string): string[] {
  const out: string[] = [];
  for (const block of text.split(/\n\s*\n/u)) {
    const flat = block.replace(/\s+/gu, " ").trim();
    let start = 0;
    const re = /[.!?…]+["'”’)\]]*(?=\s|$)/gu;
    for (let m = re.exec(flat); m !== null; m = re.exec(flat)) {
      const end = m.index + m[0].length;
      const before = flat.slice(start, m.index);
      const lastWord = /([\p{L}.]+)$/u.exec(before)?.[1]?.toLowerCase() ?? "";
      if (m[0] === "." && (ABBREVIATIONS.has(lastWord) || /^\p{L}$/u.test(lastWord))) continue;
      out.push(flat.slice(start, end).trim());
      start = end;
    }
    out.push(flat.slice(start).trim());
  }
  return out.filter((s) => words(s).length > 0);
}

/**
 * Splits `text` into paragraphs (separated by blank lines) that contain words.
 *
 * @example
 * paragraphs("One.\n\nTwo.").length // 2
 */
export function paragraphs(text: string): string[] {
  return text.split(/\n\s*\n/u).filter((p) => words(p).length > 0);
}

const INSTRUCTION_START =
  /^(?:(?:hey|hi|ok|okay|so)[,!]?\s+)?(?:please\s+)?(?:(?:can|could|would|will) you\s+)?(?:please\s+)?(?:(?:a|an|the|my|this|just|only|quick|short)\s+){0,2}(?:count|analy[sz]e|give|get|show|tell|what|which|how|is|compute|calculate|measure|estimate|number|average|summari[sz]e|sum|condense|shorten|boil|tl;?dr|too|word|character|sentence|paragraph|stats|statistics|readability|reading|read|text|summary|gist|essence|key|main|top|highlights?|i need|i want|i'd like|\d+[- ]sentences?)\b/u;

const INSTRUCTION_VERB =
  /^(?:please\s+)?(?:(?:can|could|would|will) you\s+)?(?:please\s+)?(?:count|analy[sz]e|give|get|show|tell|compute|calculate|measure|estimate|summari[sz]e|sum up|condense|shorten|boil|tl;?dr|what|how)\b/u;

/**
 * Removes a leading instruction such as `"count the words in: …"` or
 * `"summarize this in 2 sentences: …"`: the part before the first colon (or
 * line break) when it reads like a request and mentions one of `keywords`.
 * Then strips quotes around the whole text.
 *
 * @example
 * stripInstruction('Summarize this: "A. B."', ["summar"]) // "A. B."
 */
export function stripInstruction(input: string, keywords: readonly string[]): string {
  let text = input.trim();
  const head = /^([^:\n]{1,120})(:|\n)\s*/u.exec(text);
  if (head?.[1] !== undefined) {
    const lead = head[1].toLowerCase().trim();
    // A lead ended by a line break (no colon) must start with a verb.
    const start = head[2] === ":" ? INSTRUCTION_START : INSTRUCTION_VERB;
    if (start.test(lead) && keywords.some((k) => lead.includes(k))) text = text.slice(head[0].length).trim();
  }
  const quoted = /^["“'‘](.*)["”'’]$/su.exec(text);
  return quoted?.[1] !== undefined ? quoted[1].trim() : text;
}

/**
 * `count` followed by `noun` in singular or plural (adds "s").
 *
 * @example
 * plural(1, "word") // "1 word"
 * plural(3, "word") // "3 words"
 */
export function plural(count: number, noun: string): string {
  return `${count} ${count === 1 ? noun : `${noun}s`}`;
}
