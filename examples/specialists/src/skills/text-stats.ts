/**
 * The `text-stats` skill: counts and simple readability figures of a text.
 */
import { contentWords, paragraphs, plural, sentences, stripInstruction, words } from "./text.ts";

/** Reading speed used for `readingTimeSeconds`, in words per minute. */
export const WORDS_PER_MINUTE = 200;

export interface WordCount {
  word: string;
  count: number;
}

export type TextStatsResult =
  | {
      ok: true;
      text: string;
      words: number;
      sentences: number;
      paragraphs: number;
      characters: number;
      charactersNoSpaces: number;
      averageWordLength: number;
      averageSentenceLength: number;
      readingTimeSeconds: number;
      topWords: WordCount[];
    }
  | { ok: false; reason: string };

const INSTRUCTION_WORDS = ["word", "count", "stat", "analy", "read", "character", "sentence", "paragraph", "how long", "measure", "text", "number of", "average"];

/**
 * The `limit` most frequent content words (stop-words removed), most frequent
 * first; ties in alphabetical order.
 *
 * @example
 * topWords("the cat and the hat and the cat", 2) // [{ word: "cat", count: 2 }, { word: "hat", count: 1 }]
 */
export function topWords(text: string, limit = 5): WordCount[] {
  const counts = new Map<string, number>();
  for (const w of contentWords(text)) counts.set(w, (counts.get(w) ?? 0) + 1);
  return [...counts]
    .map(([word, count]) => ({ word, count }))
    .sort((a, b) => b.count - a.count || (a.word < b.word ? -1 : a.word > b.word ? 1 : 0))
    .slice(0, limit);
}

/**
 * Human reading time.
 *
 * @example
 * readingTime(40)  // "about 40 seconds"
 * readingTime(130) // "about 2 minutes"
 */
export function readingTime(seconds: number): string {
  if (seconds < 60) return `about ${plural(Math.max(1, Math.round(seconds)), "second")}`;
  return `about ${plural(Math.round(seconds / 60), "minute")}`;
}

const round = (v: number, digits: number): number => Math.round(v * 10 ** digits) / 10 ** digits;

/**
 * Statistics of the text in `input` (an instruction before a colon, such as
 * "count the words in:", is ignored).
 *
 * @example
 * textStats("Hello world. Hello again!")
 * // { ok: true, words: 4, sentences: 2, characters: 25, topWords: [{ word: "hello", count: 2 }, …], … }
 */
export function textStats(input: string): TextStatsResult {
  const body = stripInstruction(input, INSTRUCTION_WORDS);
  const ws = words(body);
  if (ws.length === 0) return { ok: false, reason: "There is no text to analyse: send the text itself, e.g. \"count the words in: The quick brown fox.\"" };
  const sentenceCount = sentences(body).length;
  const letters = ws.reduce((n, w) => n + [...w.replace(/['’-]/gu, "")].length, 0);
  const characters = [...body].length;
  const charactersNoSpaces = [...body.replace(/\s+/gu, "")].length;
  const readingTimeSeconds = Math.round((ws.length / WORDS_PER_MINUTE) * 60);
  const top = topWords(body);
  const averageWordLength = round(letters / ws.length, 2);
  const summary = [
    `${plural(ws.length, "word")}, ${plural(sentenceCount, "sentence")}, ${plural(characters, "character")} (${charactersNoSpaces} without spaces).`,
    `Average word length ${averageWordLength} letters; reading time ${readingTime(readingTimeSeconds)}.`,
    top.length > 0 ? `Top words: ${top.map((t) => `${t.word} (${t.count})`).join(", ")}.` : "",
  ];
  return {
    ok: true,
    text: summary.filter((s) => s !== "").join(" "),
    words: ws.length,
    sentences: sentenceCount,
    paragraphs: paragraphs(body).length,
    characters,
    charactersNoSpaces,
    averageWordLength,
    averageSentenceLength: round(ws.length / Math.max(1, sentenceCount), 2),
    readingTimeSeconds,
    topWords: top,
  };
}
