import { describe, expect, it } from "vitest";
import { estimateTokens, hasCacheControl, lastUserText, messagesRequirements, passThroughBody, versionHeaders } from "../../../../worker/protocols/anthropic/door-request.ts";

/** The edges of the Anthropic door's request rules. */
const user = (content: unknown) => ({ role: "user", content });
const body = (extra: Record<string, unknown> = {}, messages: unknown[] = [user("hi")]): Record<string, unknown> & { messages: unknown[] } => ({ model: "auto", max_tokens: 10, messages, ...extra });
const needs = (b: Record<string, unknown> & { messages: unknown[] }) => messagesRequirements(b, true).filter((n) => n.capability !== "context").map((n) => `${n.capability}:${n.param}`);

describe("lastUserText: edges", () => {
  it("a turn's text: only text blocks with string text; content that is neither a string nor blocks is no text; whitespace is no text", () => {
    expect(lastUserText([user("first"), user([null, { type: "image", text: "caption" }, { type: "text", text: 5 }])])).toBe("first");
    expect(lastUserText([user("first"), user(null)])).toBe("first");
    expect(lastUserText([user("first"), user("  \n")])).toBe("first");
  });
});

describe("messagesRequirements: edges", () => {
  it("null and undefined fields need nothing, even unknown ones", () => {
    expect(needs(body({ tools: null, thinking: undefined, container: null }))).toEqual([]);
  });

  it("a block that is not an object, or whose type is not a string, needs pass-through", () => {
    expect(needs(body({}, [user([null, { type: ["image"] }, { type: "text", text: "x" }])]))).toEqual(["passThrough:messages.0.content.0", "passThrough:messages.0.content.1"]);
  });

  it("stream false needs nothing", () => {
    expect(needs(body({ stream: false }))).toEqual([]);
  });

  it("output_config: null members and effort need nothing; format needs jsonSchema; any other member pass-through; not an object, nothing", () => {
    expect(needs(body({ output_config: { effort: "low", format: null, task_budget: undefined } }))).toEqual([]);
    expect(needs(body({ output_config: { task_budget: 5, format: { type: "json_schema", schema: {} } } }))).toEqual(["passThrough:output_config.task_budget", "jsonSchema:output_config.format"]);
    expect(needs(body({ output_config: "x" }))).toEqual([]);
  });

  it("the context need adds max_tokens only when it is a number", () => {
    const b = body({ max_tokens: "10" });
    expect(messagesRequirements(b, true).at(-1)).toEqual({ capability: "context", param: "messages", tokens: estimateTokens(b) });
  });

  it("tool definitions count toward the estimate", () => {
    const tools = [{ name: "lookup", description: "x".repeat(400), input_schema: { type: "object" } }];
    expect(estimateTokens(body({ tools })) - estimateTokens(body())).toBeGreaterThan(100);
  });
});

describe("hasCacheControl: edges", () => {
  const nested = (depth: number, wrap: (v: unknown) => unknown) => {
    let v: unknown = { cache_control: { type: "ephemeral" } };
    for (let i = 0; i < depth; i++) v = wrap(v);
    return v;
  };

  it("null and an undefined cache_control are none; one element of a list is enough", () => {
    expect(hasCacheControl(null)).toBe(false);
    expect(hasCacheControl({ system: [{ type: "text", text: "x", cache_control: undefined }] })).toBe(false);
    expect(hasCacheControl([{ type: "text" }, { cache_control: { type: "ephemeral" } }, "x"])).toBe(true);
  });

  it("looks 64 levels deep, no deeper, through lists and objects", () => {
    expect(hasCacheControl(nested(64, (v) => [v]))).toBe(true);
    expect(hasCacheControl(nested(65, (v) => [v]))).toBe(false);
    expect(hasCacheControl(nested(64, (v) => ({ a: v })))).toBe(true);
    expect(hasCacheControl(nested(65, (v) => ({ a: v })))).toBe(false);
  });
});

describe("passThroughBody: edges", () => {
  it("without a system prompt the client's system is left as it is", () => {
    expect(passThroughBody({ model: "m" }, { system: "Hi.", messages: [] }, false)).toEqual({ model: "m", system: "Hi.", messages: [] });
    expect(passThroughBody({ model: "m" }, { messages: [] }, false)).not.toHaveProperty("system");
  });

  it("a null or empty system is replaced by the prompt; a system of another shape is left as it is", () => {
    expect(passThroughBody({ model: "m", systemPrompt: "P" }, { system: null, messages: [] }, false).system).toBe("P");
    expect(passThroughBody({ model: "m", systemPrompt: "P" }, { system: "", messages: [] }, false).system).toBe("P");
    expect(passThroughBody({ model: "m", systemPrompt: "P" }, { system: { text: "odd" }, messages: [] }, false).system).toEqual({ text: "odd" });
  });
});

describe("versionHeaders: edges", () => {
  it("the refusals say what the header must be", () => {
    expect(versionHeaders("yesterday", undefined)).toEqual({ ok: false, param: "anthropic-version", detail: "the anthropic-version header must be an API version such as 2023-06-01" });
    expect(versionHeaders(undefined, "a b")).toEqual({ ok: false, param: "anthropic-beta", detail: "the anthropic-beta header must be comma-separated beta names such as prompt-caching-2024-07-31" });
  });
});
