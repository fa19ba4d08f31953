import { describe, expect, it } from "vitest";
import { hopAnswerText } from "../../../worker/routing/coordinate-hop.ts";

describe("hopAnswerText: what a hop's answer is voted on by", () => {
  it("a string, a JSON specialist's text, a Chat Completion's first choice, a Message's text blocks, else the JSON", () => {
    expect(hopAnswerText("42")).toBe("42");
    expect(hopAnswerText({ text: "forty-two", extra: 1 })).toBe("forty-two");
    expect(hopAnswerText({ object: "chat.completion", choices: [{ message: { role: "assistant", content: "42" } }, { message: { content: "41" } }] })).toBe("42");
    expect(hopAnswerText({ type: "message", content: [{ type: "text", text: "4" }, { type: "tool_use", id: "t" }, { type: "text", text: "2" }] })).toBe("42");
    expect(hopAnswerText({ choices: [{ message: { content: null } }] })).toBe('{"choices":[{"message":{"content":null}}]}');
    expect(hopAnswerText({ value: 42 })).toBe('{"value":42}');
    expect(hopAnswerText(null)).toBe("null");
    expect(hopAnswerText(undefined)).toBe("");
  });
});
