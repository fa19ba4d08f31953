import { describe, expect, it } from "vitest";
import { general, keyTerms } from "../../../examples/specialists/src/skills/general.ts";
import { CATALOG } from "../../../examples/specialists/src/skills/catalog.ts";

describe("general", () => {
  it.each([
    ["hello", "greeting"],
    ["Good morning!", "greeting"],
    ["hey there", "greeting"],
    ["thanks a lot", "thanks"],
    ["ok, thank you", "thanks"],
    ["bye for now", "farewell"],
    ["help", "help"],
    ["what can you do?", "help"],
    ["which specialists are available", "help"],
    ["show me some examples", "help"],
    ["how's it going", "smalltalk"],
    ["tell me a joke", "smalltalk"],
    ["are you a robot?", "smalltalk"],
    ["who won the game last night", "fallback"],
    ["what's the weather like tomorrow", "fallback"],
  ])("%j is %s", (input, kind) => {
    expect(general(input).kind).toBe(kind);
  });

  it("lists every other specialist with an example when it cannot match", () => {
    const r = general("Who won the football game last night?");
    expect(r.ok).toBe(true);
    expect(r.keyTerms).toEqual(["won", "football", "game", "last", "night"]);
    expect(r.text.startsWith("I couldn't match that to a specialist. You mentioned: won, football, game, last, night. Here is what I can do:\n")).toBe(true);
    for (const s of CATALOG.filter((c) => c.name !== "general")) expect(r.text).toContain(`- ${s.name}: ${s.description} (e.g. "${s.example}")`);
    expect(r.text).not.toContain("- general:");
    expect(r.specialists.map((s) => s.name)).toEqual(["arithmetic", "units", "datetime", "text-stats", "summarize", "general"]);
  });

  it("omits key terms when there are none", () => {
    expect(general("???").text.startsWith("I couldn't match that to a specialist. Here is what I can do:")).toBe(true);
  });

  it("greets with the menu and answers small talk briefly", () => {
    expect(general("hello").text.startsWith("Hello! I'm the Switchyard demo assistant. Here is what I can do:\n- arithmetic:")).toBe(true);
    expect(general("thanks").text).toBe("You're welcome! Ask me another question any time.");
    expect(general("how are you?").text).toBe("I'm running smoothly, thanks for asking! If you need something, ask me about math, units, dates or a text.");
  });

  it("extracts distinct key terms in order, without filler", () => {
    expect(keyTerms("Tell me something about penguins and penguins' habitats")).toEqual(["penguins", "habitats"]);
    expect(keyTerms("a b c", 5)).toEqual([]);
    expect(keyTerms("one two three four five six seven eight", 3)).toEqual(["two", "three", "four"]);
  });

  it("is deterministic", () => {
    expect(general("recommend a good movie")).toEqual(general("recommend a good movie"));
  });
});
