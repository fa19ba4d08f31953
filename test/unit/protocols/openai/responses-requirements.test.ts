import { describe, expect, it } from "vitest";
import { estimateTokens, responsesRequirements } from "../../../../worker/protocols/openai/responses-requirements.ts";

const needs = (body: Record<string, unknown>) => responsesRequirements(body, true).filter((n) => n.capability !== "context").map((n) => `${n.capability}:${n.param}`);

describe("responsesRequirements: edges", () => {
  it("null and undefined fields need nothing", () => {
    expect(needs({ input: "x", tools: null, tool_choice: undefined, text: null, stream: null })).toEqual([]);
  });

  it("items and parts that are not objects, or part types that are not strings, need nothing", () => {
    expect(needs({ input: [null, "x", { role: "user", content: [null, "y", { type: ["input_image"] }, { type: "input_image", image_url: "u" }] }] })).toEqual(["vision:input.2.content.3"]);
  });

  it("function_call items need tools", () => {
    expect(needs({ input: [{ role: "user", content: "q" }, { type: "function_call", call_id: "c", name: "f", arguments: "{}" }] })).toEqual(["tools:input.1"]);
  });

  it("text: json_schema needs jsonSchema; text or no format, nothing", () => {
    expect(needs({ input: "x", text: { format: { type: "json_schema", name: "o", schema: {} } } })).toEqual(["jsonSchema:text.format"]);
    expect(needs({ input: "x", text: { format: { type: "text" } } })).toEqual([]);
    expect(needs({ input: "x", text: { verbosity: "low" } })).toEqual([]);
  });

  it("stream false needs nothing", () => {
    expect(needs({ input: "x", stream: false })).toEqual([]);
  });
});

describe("estimateTokens", () => {
  it("a string's characters, anything else's JSON, ÷ 4 rounded up; max_output_tokens added when a number", () => {
    expect(estimateTokens({ instructions: "x".repeat(40) })).toBe(10);
    expect(estimateTokens({ input: "abcde" })).toBe(2);
    const tools = [{ type: "function", name: "f" }];
    expect(estimateTokens({ tools })).toBe(Math.ceil(JSON.stringify(tools).length / 4));
    const input = [{ role: "user", content: "hi" }];
    expect(estimateTokens({ input, max_output_tokens: 100 })).toBe(Math.ceil(JSON.stringify(input).length / 4) + 100);
    expect(estimateTokens({ input: "abcd", max_output_tokens: "100" })).toBe(1);
  });
});
