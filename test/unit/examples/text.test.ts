import { describe, expect, it } from "vitest";
import { contentWords, paragraphs, plural, sentences, stripInstruction, words } from "../../../examples/specialists/src/skills/text.ts";
import { readingTime, textStats, topWords } from "../../../examples/specialists/src/skills/text-stats.ts";
import { defaultLength, requestedLength, scoreSentences, summarize } from "../../../examples/specialists/src/skills/summarize.ts";

describe("text helpers", () => {
  it("splits words keeping inner apostrophes and hyphens", () => {
    expect(words("It's a well-known fact, isn't it?")).toEqual(["It's", "a", "well-known", "fact", "isn't", "it"]);
    expect(words("3.5 kg — 100%")).toEqual(["3", "5", "kg", "100"]);
    expect(words("")).toEqual([]);
  });

  it("drops stop-words, numbers and one-letter words from content words", () => {
    expect(contentWords("The cat sat on the mat, 3 times.")).toEqual(["cat", "sat", "mat", "times"]);
    expect(contentWords("It’s what it is")).toEqual([]);
  });

  it("splits sentences, ignoring abbreviations, initials and decimals", () => {
    expect(sentences("Dr. Smith arrived at 3.30 pm. He left! Why?")).toEqual(["Dr. Smith arrived at 3.30 pm.", "He left!", "Why?"]);
    expect(sentences("J. R. Tolkien wrote books. They sold.")).toEqual(["J. R. Tolkien wrote books.", "They sold."]);
    expect(sentences('He said "stop." Then he left')).toEqual(['He said "stop."', "Then he left"]);
    expect(sentences("Title line\n\nFirst para. Second sentence.")).toEqual(["Title line", "First para.", "Second sentence."]);
    expect(sentences("... !!! ???")).toEqual([]);
  });

  it("counts paragraphs separated by blank lines", () => {
    expect(paragraphs("One.\n\nTwo.\n   \nThree.")).toHaveLength(3);
    expect(paragraphs("One.\nStill one.")).toHaveLength(1);
  });

  it("strips a leading instruction only when it reads like one", () => {
    expect(stripInstruction('Summarize this: "A. B."', ["summar"])).toBe("A. B.");
    expect(stripInstruction("count the words in: hello world", ["word"])).toBe("hello world");
    expect(stripInstruction("Count the words\nhello world", ["word"])).toBe("hello world");
    expect(stripInstruction("Note: words matter", ["word"])).toBe("Note: words matter");
    expect(stripInstruction("A word of advice\nkeep going", ["word"])).toBe("A word of advice\nkeep going");
  });

  it("pluralises", () => {
    expect(plural(1, "word")).toBe("1 word");
    expect(plural(0, "word")).toBe("0 words");
    expect(plural(2, "day")).toBe("2 days");
  });
});

describe("textStats", () => {
  it("computes exact counts", () => {
    expect(textStats("Hello world. Hello again!")).toEqual({
      ok: true,
      text: "4 words, 2 sentences, 25 characters (22 without spaces). Average word length 5 letters; reading time about 1 second. Top words: hello (2), world (1).",
      words: 4,
      sentences: 2,
      paragraphs: 1,
      characters: 25,
      charactersNoSpaces: 22,
      averageWordLength: 5,
      averageSentenceLength: 2,
      readingTimeSeconds: 1,
      topWords: [
        { word: "hello", count: 2 },
        { word: "world", count: 1 },
      ],
    });
  });

  it("ignores the instruction before the colon", () => {
    const r = textStats("count the words in: The quick brown fox jumps over the lazy dog.");
    expect(r).toMatchObject({ words: 9, sentences: 1, characters: 44, charactersNoSpaces: 36, averageWordLength: 3.89, readingTimeSeconds: 3 });
  });

  it("counts characters as code points and paragraphs", () => {
    expect(textStats("héllo 👋 wörld")).toMatchObject({ words: 2, characters: 13, charactersNoSpaces: 11 });
    expect(textStats("One.\n\nTwo.\n\nThree.")).toMatchObject({ paragraphs: 3, sentences: 3 });
  });

  it("estimates reading time at 200 words per minute", () => {
    const long = Array.from({ length: 400 }, (_, i) => `word${i % 7}`).join(" ");
    expect(textStats(long)).toMatchObject({ words: 400, readingTimeSeconds: 120, text: expect.stringContaining("reading time about 2 minutes") });
    expect(readingTime(0)).toBe("about 1 second");
    expect(readingTime(45)).toBe("about 45 seconds");
    expect(readingTime(90)).toBe("about 2 minutes");
    expect(readingTime(60)).toBe("about 1 minute");
  });

  it("ranks top words by count, then alphabetically", () => {
    expect(topWords("the cat and the hat and the cat", 2)).toEqual([
      { word: "cat", count: 2 },
      { word: "hat", count: 1 },
    ]);
    expect(topWords("zeta alpha beta alpha", 5)).toEqual([
      { word: "alpha", count: 2 },
      { word: "beta", count: 1 },
      { word: "zeta", count: 1 },
    ]);
    expect(topWords("the and of", 5)).toEqual([]);
  });

  it("refuses input without text", () => {
    const reason = 'There is no text to analyse: send the text itself, e.g. "count the words in: The quick brown fox."';
    expect(textStats("word count: ")).toEqual({ ok: false, reason });
    expect(textStats("  ...  ")).toEqual({ ok: false, reason });
  });
});

const ARTICLE =
  "Cloudflare Workers run JavaScript at the edge. Workers start in milliseconds because they use V8 isolates instead of containers. " +
  "Isolates share one process, so a Worker has little memory overhead. Pricing is per request. " +
  "The edge network spans hundreds of cities, so Workers run close to users. Many teams use Workers for routing, caching and authentication.";

describe("summarize", () => {
  it("defaults to about 30 % of the sentences, between 1 and 3", () => {
    expect([1, 2, 3, 4, 5, 6, 10, 40].map(defaultLength)).toEqual([1, 1, 1, 1, 2, 2, 3, 3]);
  });

  it("reads the requested length from the instruction", () => {
    expect(requestedLength("summarize this in two sentences")).toBe(2);
    expect(requestedLength("in 4 sentences please")).toBe(4);
    expect(requestedLength("a 3-sentence summary")).toBe(3);
    expect(requestedLength("top 2 sentences")).toBe(2);
    expect(requestedLength("in one sentence")).toBe(1);
    expect(requestedLength("summarize this")).toBeUndefined();
  });

  it("scores sentences sharing frequent words higher", () => {
    const s = scoreSentences(["Cats purr loudly.", "Cats sleep and cats purr a lot.", "Dogs bark."]);
    expect(s[1]).toBeGreaterThan(s[2] as number);
    expect(s[0]).toBeGreaterThan(s[2] as number);
  });

  it("returns the best sentences in their original order", () => {
    expect(summarize(ARTICLE)).toEqual({
      ok: true,
      text: "Cloudflare Workers run JavaScript at the edge. The edge network spans hundreds of cities, so Workers run close to users.",
      sentences: ["Cloudflare Workers run JavaScript at the edge.", "The edge network spans hundreds of cities, so Workers run close to users."],
      indices: [0, 4],
      sentenceCount: 6,
      requested: null,
    });
  });

  it("honours the requested length and strips the instruction", () => {
    expect(summarize(`summarize this in two sentences: ${ARTICLE}`)).toMatchObject({ indices: [0, 4], requested: 2 });
    expect(summarize(`Give me a 4-sentence summary:\n${ARTICLE}`)).toMatchObject({ indices: [0, 1, 4, 5], requested: 4 });
    expect(summarize(`Summarize the following text: ${ARTICLE}`)).toMatchObject({ sentenceCount: 6 });
    expect(summarize("Summarize in 1 sentence: Rust is fast. Rust is safe and fast. Tea is hot.")).toMatchObject({
      text: "Rust is safe and fast.",
      indices: [1],
      sentenceCount: 3,
      requested: 1,
    });
  });

  it("lets maxSentences override the instruction and caps at the sentence count", () => {
    expect(summarize(`in 1 sentence: ${ARTICLE}`, 3)).toMatchObject({ sentences: expect.any(Array), requested: 3 });
    expect(summarize("summarize in 9 sentences: One thing. Two things.")).toMatchObject({ indices: [0, 1], sentenceCount: 2 });
  });

  it("returns a single sentence as is", () => {
    expect(summarize("tl;dr: One sentence only.")).toMatchObject({ text: "One sentence only.", sentenceCount: 1 });
  });

  it("refuses an instruction without text", () => {
    const reason = 'There is no text to summarize: send the text itself, e.g. "summarize in 2 sentences: …"';
    expect(summarize("summarize this")).toEqual({ ok: false, reason });
    expect(summarize("Summarize:")).toEqual({ ok: false, reason });
  });
});
