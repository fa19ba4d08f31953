import { describe, expect, it } from "vitest";
import { chatParamToResponses, lastUserText, RESPONSES_FIELD_RULES, responsesToChat } from "../../../../worker/protocols/openai/responses-request.ts";
import { responsesRequirements } from "../../../../worker/protocols/openai/responses-requirements.ts";
import { checkItems } from "../../../../worker/protocols/openai/responses-wire.ts";

const chatOf = (req: Record<string, unknown>) => {
  const t = responsesToChat(req);
  if (!t.ok) throw new Error(`refused ${t.param}: ${t.detail}`);
  return t.value.chat;
};
const refusal = (req: Record<string, unknown>) => {
  const t = responsesToChat(req);
  if (t.ok) throw new Error("translated");
  return t.param;
};

describe("responsesToChat: input and instructions", () => {
  it("a string input is one user message; instructions a first system message", () => {
    expect(chatOf({ model: "auto", instructions: "Be brief.", input: "hi" })).toEqual({ model: "auto", messages: [{ role: "system", content: "Be brief." }, { role: "user", content: "hi" }] });
  });

  it("message items: input_text → text, input_image → image_url (detail kept), input_file → file; roles kept", () => {
    const chat = chatOf({
      input: [
        { role: "developer", content: "Use metric." },
        { type: "message", role: "system", content: [{ type: "input_text", text: "S" }] },
        { role: "user", content: [{ type: "input_text", text: "look" }, { type: "input_image", image_url: "data:image/png;base64,AAAA", detail: "high" }, { type: "input_file", file_data: "data:application/pdf;base64,JVBE", filename: "a.pdf" }] },
      ],
    });
    expect(chat.messages).toEqual([
      { role: "developer", content: "Use metric." },
      { role: "system", content: [{ type: "text", text: "S" }] },
      { role: "user", content: [{ type: "text", text: "look" }, { type: "image_url", image_url: { url: "data:image/png;base64,AAAA", detail: "high" } }, { type: "file", file: { file_data: "data:application/pdf;base64,JVBE", filename: "a.pdf" } }] },
    ]);
  });

  it("an earlier response's items: output message → assistant content and refusal; function calls join it; outputs → tool messages; reasoning not sent", () => {
    const chat = chatOf({
      input: [
        { role: "user", content: "tides?" },
        { type: "reasoning", id: "rs_1", summary: [] },
        { type: "message", id: "msg_1", role: "assistant", status: "completed", content: [{ type: "output_text", text: "Looking.", annotations: [] }] },
        { type: "function_call", id: "fc_1", call_id: "c1", name: "tide", arguments: '{"p":"Brest"}' },
        { type: "function_call", id: "fc_2", call_id: "c2", name: "tide", arguments: '{"p":"Nantes"}' },
        { type: "function_call_output", call_id: "c1", output: "6am" },
        { type: "function_call_output", call_id: "c2", output: [{ type: "input_text", text: "7am" }] },
        { type: "function_call", call_id: "c3", name: "moon", arguments: "{}" },
      ],
    });
    expect(chat.messages).toEqual([
      { role: "user", content: "tides?" },
      {
        role: "assistant",
        content: "Looking.",
        tool_calls: [
          { id: "c1", type: "function", function: { name: "tide", arguments: '{"p":"Brest"}' } },
          { id: "c2", type: "function", function: { name: "tide", arguments: '{"p":"Nantes"}' } },
        ],
      },
      { role: "tool", tool_call_id: "c1", content: "6am" },
      { role: "tool", tool_call_id: "c2", content: [{ type: "text", text: "7am" }] },
      { role: "assistant", content: null, tool_calls: [{ id: "c3", type: "function", function: { name: "moon", arguments: "{}" } }] },
    ]);
    expect(chatOf({ input: [{ role: "assistant", content: [{ type: "refusal", refusal: "No." }] }] }).messages).toEqual([{ role: "assistant", content: null, refusal: "No." }]);
  });
});

describe("responsesToChat: fields", () => {
  it("sampling, limits, platform fields and text/reasoning settings", () => {
    const chat = chatOf({
      input: "hi",
      max_output_tokens: 50,
      temperature: 0.3,
      top_p: 0.8,
      parallel_tool_calls: false,
      metadata: { a: "b" },
      user: "u",
      safety_identifier: "s",
      prompt_cache_key: "k",
      service_tier: "flex",
      store: false,
      background: false,
      include: [],
      truncation: "disabled",
      top_logprobs: 0,
      previous_response_id: null,
      reasoning: { effort: "high", summary: null },
      text: { format: { type: "json_schema", name: "out", schema: { type: "object" }, strict: true, description: null }, verbosity: "high" },
      stream: true,
      stream_options: { include_obfuscation: false },
    });
    expect(chat).toEqual({
      model: "auto",
      messages: [{ role: "user", content: "hi" }],
      max_completion_tokens: 50,
      temperature: 0.3,
      top_p: 0.8,
      parallel_tool_calls: false,
      metadata: { a: "b" },
      user: "u",
      safety_identifier: "s",
      prompt_cache_key: "k",
      service_tier: "flex",
      reasoning_effort: "high",
      response_format: { type: "json_schema", json_schema: { name: "out", schema: { type: "object" }, strict: true } },
      verbosity: "high",
      stream: true,
      stream_options: { include_usage: true },
    });
    expect(chatOf({ input: "x", text: { format: { type: "json_object" } } }).response_format).toEqual({ type: "json_object" });
    expect(chatOf({ input: "x", text: { format: { type: "text" } }, metadata: {} })).toEqual({ model: "auto", messages: [{ role: "user", content: "x" }] });
  });

  it("function tools → chat tools; tool_choice forms", () => {
    const chat = chatOf({
      input: "x",
      tools: [{ type: "function", name: "f", description: "does f", parameters: { type: "object" }, strict: true }, { type: "function", name: "g", parameters: null, strict: null }],
      tool_choice: { type: "function", name: "f" },
    });
    expect(chat.tools).toEqual([
      { type: "function", function: { name: "f", description: "does f", parameters: { type: "object" }, strict: true } },
      { type: "function", function: { name: "g" } },
    ]);
    expect(chat.tool_choice).toEqual({ type: "function", function: { name: "f" } });
    for (const c of ["none", "auto", "required"]) expect(chatOf({ input: "x", tool_choice: c }).tool_choice).toBe(c);
    expect(chatOf({ input: "x", tool_choice: { type: "allowed_tools", mode: "auto", tools: [{ type: "function", name: "f" }] } }).tool_choice).toEqual({
      type: "allowed_tools",
      allowed_tools: { mode: "auto", tools: [{ type: "function", function: { name: "f" } }] },
    });
  });

  it("refuses what a stateless router or Chat Completions cannot carry, naming the field", () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ previous_response_id: "resp_1" }, "previous_response_id"],
      [{ conversation: { id: "conv_1" } }, "conversation"],
      [{ store: true }, "store"],
      [{ background: true }, "background"],
      [{ prompt: { id: "pmpt_1" } }, "prompt"],
      [{ include: ["file_search_call.results"] }, "include.0"],
      [{ max_tool_calls: 3 }, "max_tool_calls"],
      [{ top_logprobs: 2 }, "top_logprobs"],
      [{ truncation: "auto" }, "truncation"],
      [{ reasoning: { summary: "auto" } }, "reasoning.summary"],
      [{ text: { format: { type: "grammar" } } }, "text.format.type"],
      [{ text: { format: { type: "json_schema", schema: {} } } }, "text.format.name"],
      [{ tools: [{ type: "file_search", vector_store_ids: ["vs"] }] }, "tools.0"],
      [{ tools: [{ type: "function", name: "f", parameters: {}, strict: false, defer_loading: true }] }, "tools.0.defer_loading"],
      [{ tool_choice: { type: "web_search_preview" } }, "tool_choice"],
      [{ input: [{ type: "item_reference", id: "msg_1" }] }, "input.0"],
      [{ input: [{ type: "web_search_call", id: "ws", status: "completed" }] }, "input.0"],
      [{ input: [{ content: "no role or type" }] }, "input.0"],
      [{ input: [{ role: "user", content: [{ type: "input_image", image_url: "u", detail: "original" }] }] }, "input.0.content.0.detail"],
      [{ input: [{ role: "user", content: [{ type: "input_file", file_url: "https://x/a.pdf" }] }] }, "input.0.content.0.file_url"],
      [{ input: [{ role: "system", content: [{ type: "input_image", image_url: "u" }] }] }, "input.0.content.0"],
      [{ input: [{ type: "function_call", call_id: "c", name: "f", arguments: "{}" }, { type: "function_call_output", call_id: "c", output: [{ type: "input_image", image_url: "u" }] }] }, "input.1.output.0"],
      [{ context_management: [{ type: "compaction" }] }, "context_management"],
      [{ brand_new_field: 1 }, "brand_new_field"],
    ];
    for (const [extra, param] of cases) expect(refusal({ input: "x", ...extra }), JSON.stringify(extra)).toBe(param);
  });

  it("every ResponseCreateParams field has a rule", () => {
    const fields = ["access_programs", "background", "context_management", "conversation", "image", "include", "input", "instructions", "max_output_tokens", "max_tool_calls", "metadata", "model", "moderation", "parallel_tool_calls", "previous_response_id", "prompt", "prompt_cache_key", "prompt_cache_options", "prompt_cache_retention", "reasoning", "safety_identifier", "service_tier", "store", "stream", "stream_options", "temperature", "text", "tool_choice", "tools", "top_logprobs", "top_p", "truncation", "user"];
    expect(Object.keys(RESPONSES_FIELD_RULES).sort()).toEqual(fields);
  });
});

describe("lastUserText, requirements, param names", () => {
  it("classifies the last user message with text; function outputs are passed over", () => {
    expect(lastUserText("hi")).toBe("hi");
    expect(lastUserText([{ role: "user", content: [{ type: "input_text", text: "a" }, { type: "input_text", text: "b" }] }, { type: "function_call_output", call_id: "c", output: "1" }])).toBe("a\nb");
    expect(lastUserText([{ role: "user", content: [{ type: "input_image", image_url: "u" }] }])).toBe("");
    expect(lastUserText([{ role: "assistant", content: "x" }])).toBeUndefined();
  });

  it("needs in Responses terms", () => {
    const needs = responsesRequirements(
      {
        input: [{ role: "user", content: [{ type: "input_text", text: "a" }, { type: "input_image", image_url: "u" }, { type: "input_file", file_data: "d" }] }, { type: "function_call_output", call_id: "c", output: "1" }],
        tools: [{ type: "function", name: "f" }],
        tool_choice: "auto",
        text: { format: { type: "json_object" } },
        stream: true,
        max_output_tokens: 100,
      },
      true,
    );
    expect(needs.map((n) => `${n.capability}:${n.param}`)).toEqual(["vision:input.0.content.1", "files:input.0.content.2", "tools:input.1", "tools:tools", "tools:tool_choice", "jsonSchema:text.format", "streaming:stream", "context:input"]);
    expect(needs.at(-1)!.tokens).toBeGreaterThan(100);
    expect(responsesRequirements({ input: "x", tool_choice: "none", tools: [] }, false).map((n) => `${n.capability}:${n.param}`)).toEqual(["passThrough:input", "context:input"]);
  });

  it("a chat param a provider refuses is named in Responses terms", () => {
    const t = responsesToChat({ instructions: "I", input: [{ role: "user", content: [{ type: "input_text", text: "a" }] }, { type: "function_call", call_id: "c", name: "f", arguments: "{}" }, { type: "function_call_output", call_id: "c", output: [{ type: "input_text", text: "r" }] }] });
    if (!t.ok) throw new Error("refused");
    const name = (p: string) => chatParamToResponses(p, t.value.sources);
    expect(name("messages.0")).toBe("instructions");
    expect(name("messages.1.content.0")).toBe("input.0.content.0");
    expect(name("messages.2.tool_calls.0.function.arguments")).toBe("input.1");
    expect(name("messages.3.content.0")).toBe("input.2.output.0");
    expect(name("tools.2.function.strict")).toBe("tools.2.strict");
    expect(name("reasoning_effort")).toBe("reasoning.effort");
    expect(name("response_format.json_schema.schema")).toBe("text.format.schema");
    expect(name("response_format")).toBe("text.format");
    expect(name("max_completion_tokens")).toBe("max_output_tokens");
    expect(name("top_p")).toBe("top_p");
  });

  it("checkItems names malformed known items by path, and leaves other types to the translation", () => {
    expect(checkItems([{ type: "function_call", name: "f", arguments: "{}" }]).map((i) => i.path)).toEqual(["input.0.call_id"]);
    expect(checkItems([{ role: "robot", content: "x" }]).map((i) => i.path)).toEqual(["input.0.role"]);
    expect(checkItems([{ role: "user", content: [{ type: "input_text", text: 5 }] }]).map((i) => i.path)).toEqual(["input.0.content.0.text"]);
    expect(checkItems([{ type: "mystery" }, { role: "user", content: "ok" }])).toEqual([]);
  });
});
