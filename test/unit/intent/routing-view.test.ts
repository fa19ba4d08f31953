import { describe, expect, it } from "vitest";
import { PART_MAX_CHARS, WHOLE_MAX_CHARS, instructionHead, routingView, trainingViews } from "../../../worker/intent/routing-view.ts";

/** `n` sentences of neutral prose, about 60 characters each. */
const prose = (n: number): string =>
  Array.from({ length: n }, (_, i) => `The harbour wall number ${i} was repaired after the winter storms.`).join(" ");

describe("instructionHead", () => {
  it("is the text before the first colon and space, or the first line break", () => {
    expect(instructionHead("count the words in: The quick brown fox.")).toBe("count the words in");
    expect(instructionHead("Summarize this article.\n\nIt rained all day.")).toBe("Summarize this article.");
    expect(instructionHead("  tl;dr:\nThe update fixes the login bug.")).toBe("tl;dr");
  });

  it("has none without a payload after it, in clock times and URLs, or past its length limit", () => {
    expect(instructionHead("what is 12 * 7")).toBeUndefined();
    expect(instructionHead("summarize:   ")).toBeUndefined();
    expect(instructionHead("meet at 10:30 by the station")).toBeUndefined();
    expect(instructionHead("open https://example.com/a now")).toBeUndefined();
    expect(instructionHead(`${"x".repeat(PART_MAX_CHARS + 1)}: payload`)).toBeUndefined();
    expect(instructionHead(`${"x".repeat(PART_MAX_CHARS)}: payload`)).toBe("x".repeat(PART_MAX_CHARS));
  });
});

describe("trainingViews", () => {
  it("adds the instruction head of an example that has one", () => {
    expect(trainingViews("count the words in: The quick brown fox.")).toEqual(["count the words in: The quick brown fox.", "count the words in"]);
    expect(trainingViews("what is 12 * 7")).toEqual(["what is 12 * 7"]);
  });
});

describe("routingView", () => {
  it("shows short inputs whole, as given", () => {
    const short = "  Convert 5 km\n to miles: quickly ";
    expect(routingView(short)).toEqual([short]);
    const edge = "a".repeat(WHOLE_MAX_CHARS);
    expect(routingView(edge)).toEqual([edge]);
  });

  it("shows a long request's instruction before a colon, and its last sentence", () => {
    const text = `summarize in 2 sentences: ${prose(22)}`;
    expect(text.length).toBeGreaterThan(1200);
    expect(routingView(text)).toEqual(["summarize in 2 sentences", "The harbour wall number 21 was repaired after the winter storms."]);
  });

  it("finds an instruction on its own last line, or in the last sentence of one long line", () => {
    expect(routingView(`${prose(5)}\n\n${prose(5)}\n\nHow many words is that?`)).toEqual([
      "The harbour wall number 0 was repaired after the winter storms.",
      "How many words is that?",
    ]);
    expect(routingView(`I am packing for a trip. ${prose(6)} So, what is 20.5 kg in lb?`)).toEqual(["I am packing for a trip.", "So, what is 20.5 kg in lb?"]);
  });

  it("cuts heads and tails without sentence ends at a word boundary, within the limit", () => {
    const words = Array.from({ length: 120 }, (_, i) => `word${i}`).join(" ");
    const [head, tail] = routingView(words);
    expect(head!.length).toBeLessThanOrEqual(PART_MAX_CHARS);
    expect(tail!.length).toBeLessThanOrEqual(PART_MAX_CHARS);
    expect(words.startsWith(`${head!} `)).toBe(true);
    expect(words.endsWith(` ${tail!}`)).toBe(true);
  });

  it("never shows a piece without a letter or digit, and keeps a content-free input whole", () => {
    expect(routingView(`${prose(5)}\n\n!!! ???`)).toEqual(["The harbour wall number 0 was repaired after the winter storms.", `${prose(5).split(". ").at(-1)}`]);
    const noise = "🙂 ".repeat(150);
    expect(routingView(noise)).toEqual([noise]);
  });

  it("also shows the instruction before ': ' of a short input (at most 40 characters)", () => {
    expect(routingView("word count: convert 5 km to miles")).toEqual(["word count: convert 5 km to miles", "word count"]);
    expect(routingView("meet at 10:30 by the station")).toEqual(["meet at 10:30 by the station"]);
    expect(routingView(`${"x".repeat(41)}: payload`)).toEqual([`${"x".repeat(41)}: payload`]);
  });

  it("sets aside greetings, thanks, sign-offs, signatures and asides at the ends of a long input", () => {
    const last = "The harbour wall number 4 was repaired after the winter storms.";
    for (const ending of ["Thanks!", "Best regards,\nAnna", "-- \nSent from my iPhone", "(no rush)", "Cheers,\nTom", "Kind regards,\nMaria"]) {
      expect(routingView(`Hi there,\n\n${prose(5)}\n\nHow many words is that?\n\n${ending}`)).toEqual([
        "The harbour wall number 0 was repaired after the winter storms.",
        "How many words is that?",
      ]);
    }
    expect(routingView(`${prose(5)}\n\nCan you summarize this? Thank you so much!`)).toContain("Can you summarize this?");
    expect(routingView(`Hello! ${prose(5)}`)).toEqual(["The harbour wall number 0 was repaired after the winter storms.", last]);
  });

  it("shows the first sentence of a head line that has several", () => {
    expect(routingView(`What's 8% of 2,750? Details below.\n\n${prose(5)}`)).toEqual([
      "What's 8% of 2,750? Details below.",
      "What's 8% of 2,750?",
      "The harbour wall number 4 was repaired after the winter storms.",
    ]);
  });
});
