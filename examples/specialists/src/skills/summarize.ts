/**
 * The `summarize` skill: an extractive summary. Sentences are scored by the
 * frequency of their content words in the whole text (stop-words removed),
 * normalised by sentence length, with a bonus for the opening sentence and a
 * penalty for very short ones; the best N are returned in their original order.
 */
import { contentWords, sentences, stripInstruction } from "./text.ts";

export type SummarizeResult =
  | { ok: true; text: string; sentences: string[]; indices: number[]; sentenceCount: number; requested: number | null }
  | { ok: false; reason: string };

const NUMBER_WORDS: Record<string, number> = { one: 1, two: 2, three: 3, four: 4, five: 5, six: 6, seven: 7, eight: 8, nine: 9, ten: 10, a: 1, single: 1 };
const COUNT = String.raw`(\d{1,3}|one|two|three|four|five|six|seven|eight|nine|ten|a|single)`;
const COUNT_RE = new RegExp(String.raw`\b(?:in|into|to|as|top|first|best|just|only)?\s*${COUNT}[- ]?(?:key\s+|short\s+|main\s+)?sentences?\b`, "iu");
const LEAD_RE =
  /^(?:please\s+)?(?:(?:can|could) you\s+)?(?:summari[sz]e|sum up|condense|shorten|tl;?dr|give me (?:a |the )?(?:summary|gist|tl;?dr)(?: of)?)(?:\s+(?:this|the following|that|it))?(?:\s+(?:text|article|passage|paragraph|story|email|document|post))?(?:\s+(?:in|into|to)\s+\S+\s+sentences?)?(?:\s*[:.\-–—,]\s*|\s+|$)/iu;

/**
 * Default summary length: about 30 % of the sentences, at least 1 and at most 3.
 *
 * @example
 * defaultLength(6) // 2
 */
export const defaultLength = (count: number): number => Math.min(3, Math.max(1, Math.round(count * 0.3)));

/**
 * The sentence count asked for in an instruction, e.g. "in 2 sentences",
 * "a three-sentence summary", "top 4 sentences"; `undefined` when none.
 *
 * @example
 * requestedLength("summarize this in two sentences") // 2
 */
export function requestedLength(instruction: string): number | undefined {
  const m = COUNT_RE.exec(instruction);
  if (m?.[1] === undefined) return undefined;
  const k = m[1].toLowerCase();
  return NUMBER_WORDS[k] ?? Number(k);
}

/**
 * Scores sentences (higher is more central). Exported for tests.
 *
 * @example
 * scoreSentences(["Cats purr.", "Cats sleep a lot.", "Dogs bark."])[1]! > scoreSentences(["Cats purr.", "Cats sleep a lot.", "Dogs bark."])[2]! // true
 */
export function scoreSentences(list: readonly string[]): number[] {
  const freq = new Map<string, number>();
  const perSentence = list.map((s) => contentWords(s));
  for (const ws of perSentence) for (const w of ws) freq.set(w, (freq.get(w) ?? 0) + 1);
  const maxFreq = Math.max(1, ...freq.values());
  return perSentence.map((ws, i) => {
    const distinct = new Set(ws);
    let sum = 0;
    for (const w of distinct) sum += (freq.get(w) ?? 0) / maxFreq;
    let score = sum / Math.sqrt(Math.max(1, ws.length));
    if (i === 0) score *= 1.25;
    if (ws.length < 3) score *= 0.5;
    return score;
  });
}

/**
 * Summarises the text in `input`; a leading instruction ("summarize this in 2
 * sentences:") sets the length and is not part of the text. `maxSentences`
 * (from the request context) overrides both.
 *
 * @example
 * summarize("Summarize in 1 sentence: Rust is fast. Rust is safe and fast. Tea is hot.")
 * // { ok: true, text: "Rust is safe and fast.", indices: [1], sentenceCount: 3, requested: 1, … }
 */
export function summarize(input: string, maxSentences?: number): SummarizeResult {
  const trimmed = input.trim();
  let body = stripInstruction(trimmed, ["summar", "sum up", "tl", "condense", "shorten", "sentence", "gist", "key", "main", "essence", "highlight", "takeaway", "boil", "short version", "points", "too long", "idea"]);
  let instruction = trimmed.slice(0, Math.max(0, trimmed.indexOf(body)));
  const lead = LEAD_RE.exec(body);
  if (lead !== null) {
    instruction += ` ${lead[0]}`;
    body = body.slice(lead[0].length).trim();
  }
  const list = sentences(body);
  if (list.length === 0) return { ok: false, reason: "There is no text to summarize: send the text itself, e.g. \"summarize in 2 sentences: …\"" };
  const requested = maxSentences ?? requestedLength(instruction) ?? null;
  const n = Math.min(list.length, Math.max(1, requested ?? defaultLength(list.length)));
  const scores = scoreSentences(list);
  const indices = scores
    .map((score, i) => ({ score, i }))
    .sort((a, b) => b.score - a.score || a.i - b.i)
    .slice(0, n)
    .map((x) => x.i)
    .sort((a, b) => a - b);
  const chosen = indices.map((i) => list[i] as string);
  return {
    ok: true,
    text: chosen.join(" "),
    sentences: chosen,
    indices,
    sentenceCount: list.length,
    requested,
  };
}
