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

describe("responsesToChat: edges of the field rules", () => {
  /** The refusal's param and detail. */
  const refusedWith = (req: Record<string, unknown>) => {
    const t = responsesToChat({ input: "x", ...req });
    if (t.ok) throw new Error("translated");
    return { param: t.param, detail: t.detail };
  };
  const plain = { model: "auto", messages: [{ role: "user", content: "x" }] };

  it("an undefined field is absent, even an unknown one; an unknown field's refusal says so", () => {
    expect(chatOf({ input: "x", brand_new_field: undefined })).toEqual(plain);
    expect(refusedWith({ brand_new_field: 1 }).detail).toContain("unknown parameter 'brand_new_field'");
  });

  it("a known field with no equivalent is refused with its rule", () => {
    expect(refusedWith({ context_management: [{ type: "compaction" }] })).toEqual({ param: "context_management", detail: "server-side compaction: no equivalent" }); // the door prefixes the param once
  });

  it("no input: just the instructions; the sources of a string input", () => {
    expect(chatOf({ instructions: "I" })).toEqual({ model: "auto", messages: [{ role: "system", content: "I" }] });
    const t = responsesToChat({ instructions: "I", input: "hi" });
    expect(t.ok && t.value.sources).toEqual([{ path: "instructions" }, { path: "input" }]);
  });

  it("prompt_cache_retention is carried; stream false sends no stream; metadata that is not an object is not sent", () => {
    expect(chatOf({ input: "x", prompt_cache_retention: "24h", stream: false, metadata: ["a"] })).toEqual({ ...plain, prompt_cache_retention: "24h" });
  });

  it("stream_options: an object of include_obfuscation only", () => {
    expect(refusedWith({ stream_options: "on" })).toEqual({ param: "stream_options", detail: "stream_options must be an object" });
    expect(refusedWith({ stream_options: { include_usage: true } })).toEqual({ param: "stream_options.include_usage", detail: "unknown stream option 'include_usage'" });
  });

  it("each stateful field's refusal explains itself", () => {
    const detail = (req: Record<string, unknown>) => refusedWith(req).detail;
    expect(detail({ store: true })).toMatch(/^store: true asks OpenAI to keep the response/);
    expect(detail({ background: true })).toMatch(/^background: true needs a stored response/);
    expect(detail({ previous_response_id: "resp_1" })).toMatch(/^previous_response_id needs stored responses/);
    expect(detail({ conversation: "conv_1" })).toMatch(/^conversation needs a stored conversation/);
    expect(detail({ prompt: { id: "p" } })).toMatch(/^prompt refers to a stored prompt template/);
    expect(detail({ include: ["file_search_call.results"] })).toMatch(/^include 'file_search_call.results' needs built-in tools/);
    expect(detail({ max_tool_calls: 3 })).toMatch(/^max_tool_calls limits built-in tool calls/);
    expect(detail({ top_logprobs: 2 })).toMatch(/^top_logprobs needs logprobs in the output/);
    expect(detail({ truncation: "auto" })).toMatch(/^truncation 'auto' drops items/);
  });

  it("text: null options are nothing; verbosity alone; unknown options refused", () => {
    expect(chatOf({ input: "x", text: { verbosity: null, format: null, future: null } })).toEqual(plain);
    expect(chatOf({ input: "x", text: { verbosity: "low" } })).toEqual({ ...plain, verbosity: "low" });
    expect(refusedWith({ text: { future: 1 } })).toEqual({ param: "text.future", detail: "unknown text option 'future'" });
  });

  it("text.format json_schema: a non-empty name, an object schema, known members only", () => {
    expect(refusedWith({ text: { format: { type: "json_schema", name: "", schema: {} } } })).toEqual({ param: "text.format.name", detail: "a json_schema format needs a name" });
    expect(refusedWith({ text: { format: { type: "json_schema", name: "o", schema: "{}" } } })).toEqual({ param: "text.format.schema", detail: "a json_schema format needs a schema (a JSON Schema object)" });
    expect(refusedWith({ text: { format: { type: "json_schema", name: "o", schema: {}, examples: [] } } })).toEqual({ param: "text.format.examples", detail: "unknown json_schema member 'examples'" });
    expect(refusedWith({ text: { format: { type: "grammar" } } }).detail).toContain("text format 'grammar' has no Chat Completions equivalent");
  });

  it("reasoning: summaries and unknown options are refused, each saying why", () => {
    expect(refusedWith({ reasoning: { generate_summary: "auto" } })).toEqual({ param: "reasoning.generate_summary", detail: "reasoning summaries have no Chat Completions equivalent" });
    expect(refusedWith({ reasoning: { summary: "auto" } }).detail).toBe("reasoning summaries have no Chat Completions equivalent");
    expect(refusedWith({ reasoning: { budget: 5 } })).toEqual({ param: "reasoning.budget", detail: "unknown reasoning option 'budget'" });
  });

  it("tools: a name is required and non-empty; no description sends none; an empty list sends no tools; refusals say why", () => {
    expect(refusedWith({ tools: [{ type: "function" }] })).toEqual({ param: "tools.0.name", detail: "a function tool needs a name" });
    expect(refusedWith({ tools: [{ type: "function", name: "" }] }).param).toBe("tools.0.name");
    expect(chatOf({ input: "x", tools: [{ type: "function", name: "f" }] }).tools).toStrictEqual([{ type: "function", function: { name: "f" } }]);
    expect(chatOf({ input: "x", tools: [] })).toEqual(plain);
    expect(refusedWith({ tools: [{ type: "web_search" }] }).detail).toContain("'web_search' is a built-in tool");
    expect(refusedWith({ tools: [{ type: "function", name: "f", defer_loading: true }] }).detail).toBe("function tool member 'defer_loading' has no Chat Completions equivalent");
  });

  it("tool_choice: a function needs a name; allowed_tools needs its type, a list and a mode of auto or required, of named function tools", () => {
    expect(refusedWith({ tool_choice: { type: "function" } }).param).toBe("tool_choice");
    expect(refusedWith({ tool_choice: { type: "custom", name: "f" } }).param).toBe("tool_choice");
    expect(refusedWith({ tool_choice: { type: "custom", mode: "auto", tools: [] } }).param).toBe("tool_choice");
    expect(refusedWith({ tool_choice: { type: "allowed_tools", mode: "none", tools: [] } }).param).toBe("tool_choice");
    expect(refusedWith({ tool_choice: { type: "mcp", server_label: "s" } }).detail).toContain('tool_choice {"type":"mcp","server_label":"s"} names a built-in tool');
    expect(chatOf({ input: "x", tool_choice: { type: "allowed_tools", mode: "required", tools: [] } }).tool_choice).toEqual({ type: "allowed_tools", allowed_tools: { mode: "required", tools: [] } });
    for (const [i, bad] of [null, { type: "custom", name: "f" }, { type: "function" }].entries()) {
      expect(refusedWith({ tool_choice: { type: "allowed_tools", mode: "auto", tools: [{ type: "function", name: "f" }, bad] } }), String(i)).toEqual({ param: "tool_choice.tools.1", detail: "only function tools can be allowed" });
    }
  });
});

describe("responsesToChat: edges of the input items", () => {
  const refusedWith = (input: unknown[]) => {
    const t = responsesToChat({ input });
    if (t.ok) throw new Error("translated");
    return { param: t.param, detail: t.detail };
  };
  const messages = (input: unknown[]) => chatOf({ input }).messages;
  const fc = (call_id: string) => ({ type: "function_call", call_id, name: "f", arguments: "{}" });

  it("an item with a type is read by its type, role or not", () => {
    expect(refusedWith([{ type: "web_search_call", role: "assistant", id: "ws" }]).param).toBe("input.0");
  });

  it("a function call after a user message starts a new assistant message, even with an earlier assistant message", () => {
    expect(messages([{ role: "user", content: "a" }, { role: "assistant", content: "b" }, { role: "user", content: "c" }, fc("c1")])).toEqual([
      { role: "user", content: "a" },
      { role: "assistant", content: "b" },
      { role: "user", content: "c" },
      { role: "assistant", content: null, tool_calls: [{ id: "c1", type: "function", function: { name: "f", arguments: "{}" } }] },
    ]);
  });

  it("refusals of items explain themselves", () => {
    expect(refusedWith([{ type: "item_reference", id: "msg_1" }]).detail).toBe("item_reference points at a stored item; the router is stateless: send the item itself");
    expect(refusedWith([{ content: "no role" }]).detail).toBe("an input item needs a type (or a role, for a message)");
    expect(refusedWith([{ type: "web_search_call", id: "ws" }]).detail).toMatch(/^'web_search_call' items belong to built-in tools/);
    const call = { type: "function_call", call_id: "c", name: "f", arguments: "{}" };
    expect(refusedWith([call, { type: "function_call_output", call_id: "c", output: [{ type: "input_image", image_url: "u" }] }]).detail).toBe("a Chat Completions tool message takes text only, not 'input_image'");
    expect(refusedWith([{ type: "function_call_output", call_id: "c", output: "x" }]).detail).toMatch(/^no earlier function_call in the input has call_id 'c'/);
    expect(refusedWith([{ role: "system", content: [{ type: "input_image", image_url: "u" }] }]).detail).toBe("a system message takes text only in Chat Completions, not 'input_image'");
  });

  it("assistant messages: a string as is; input_text and output_text parts joined; text beside a refusal kept; no parts is empty text; other parts refused", () => {
    expect(messages([{ role: "assistant", content: "x" }])).toEqual([{ role: "assistant", content: "x" }]);
    expect(messages([{ role: "assistant", content: [{ type: "input_text", text: "a" }, { type: "output_text", text: "b" }] }])).toEqual([{ role: "assistant", content: "ab" }]);
    expect(messages([{ role: "assistant", content: [{ type: "output_text", text: "a" }, { type: "refusal", refusal: "no" }] }])).toEqual([{ role: "assistant", content: "a", refusal: "no" }]);
    expect(messages([{ role: "assistant", content: [] }])).toEqual([{ role: "assistant", content: "" }]);
    expect(refusedWith([{ role: "assistant", content: [{ type: "input_image", image_url: "u" }] }])).toEqual({ param: "input.0.content.0", detail: "an assistant message part of type 'input_image' has no Chat Completions equivalent" });
  });

  it("input_image: by file id refused; image_url required; a detail outside auto, low, high refused", () => {
    const part = (p: Record<string, unknown>) => refusedWith([{ role: "user", content: [{ type: "input_image", ...p }] }]);
    expect(part({ file_id: "file_1" })).toEqual({ param: "input.0.content.0.file_id", detail: "an image by file id needs OpenAI's file store; send image_url (a URL or a data: URL)" });
    expect(part({})).toEqual({ param: "input.0.content.0.image_url", detail: "an input_image needs image_url" });
    expect(part({ image_url: "u", detail: "original" }).detail).toBe("image detail 'original' has no Chat Completions equivalent (auto, low, high)");
  });

  it("input_file: a file id alone is carried, with nothing else; neither data nor id is refused; a URL is refused", () => {
    expect(messages([{ role: "user", content: [{ type: "input_file", file_id: "file_1" }] }])).toStrictEqual([{ role: "user", content: [{ type: "file", file: { file_id: "file_1" } }] }]);
    expect(messages([{ role: "user", content: [{ type: "input_file", file_data: "data:application/pdf;base64,JVBE" }] }])).toStrictEqual([{ role: "user", content: [{ type: "file", file: { file_data: "data:application/pdf;base64,JVBE" } }] }]);
    expect(refusedWith([{ role: "user", content: [{ type: "input_file", filename: "a.pdf" }] }])).toEqual({ param: "input.0.content.0.file_data", detail: "an input_file needs file_data or file_id" });
    expect(refusedWith([{ role: "user", content: [{ type: "input_file", file_url: "https://x/a.pdf" }] }]).detail).toBe("a file by URL has no Chat Completions equivalent; send file_data");
  });

  it("a user part of another type is refused as such", () => {
    expect(refusedWith([{ role: "user", content: [{ type: "input_audio", data: "AA" }] }])).toEqual({ param: "input.0.content.0", detail: "a user message part of type 'input_audio' has no Chat Completions equivalent" });
  });
});

describe("lastUserText: edges", () => {
  it("input that is neither a string nor a list has no user text", () => {
    expect(lastUserText(null)).toBeUndefined();
    expect(lastUserText(5)).toBeUndefined();
  });

  it("a user message's content: a string as is; only its input_text parts with string text; anything else is empty", () => {
    expect(lastUserText([{ role: "user", content: "hi" }])).toBe("hi");
    expect(lastUserText([{ role: "user", content: [null, { type: "input_image", image_url: "u" }, { type: "output_text", text: "o" }, { type: "input_text", text: 5 }, { type: "input_text", text: "a" }] }])).toBe("a");
    expect(lastUserText([{ role: "user", content: null }])).toBe("");
  });

  it("typed message items count; items of other types with a user role do not; whitespace is no text", () => {
    expect(lastUserText([{ type: "message", role: "user", content: "typed" }, { role: "user", content: "  " }])).toBe("typed");
    expect(lastUserText([{ role: "user", content: "a" }, { type: "custom_item", role: "user", content: "b" }])).toBe("a");
  });
});

describe("chatParamToResponses: edges", () => {
  const sourcesOf = (req: Record<string, unknown>) => {
    const t = responsesToChat(req);
    if (!t.ok) throw new Error("refused");
    return t.value.sources;
  };
  const fc = (call_id: string) => ({ type: "function_call", call_id, name: "f", arguments: "{}" });

  it("a call joined to an assistant message is named by its own item", () => {
    const sources = sourcesOf({ instructions: "I", input: [{ role: "user", content: "a" }, { role: "assistant", content: "b" }, fc("c1"), fc("c2")] });
    const name = (p: string) => chatParamToResponses(p, sources);
    expect(name("messages.2.tool_calls.0.function.arguments")).toBe("input.2");
    expect(name("messages.2.tool_calls.1")).toBe("input.3");
    expect(name("messages.2.content")).toBe("input.1.content");
    expect(name("messages.1.tool_calls.0")).toBe("input.0");
  });

  it("calls in a row without text: each named by its item", () => {
    const name = (p: string) => chatParamToResponses(p, sourcesOf({ input: [fc("c1"), fc("c2")] }));
    expect(name("messages.0.tool_calls.1")).toBe("input.1");
  });

  it("a call joined after a later message's calls is recorded on its own message", () => {
    const sources = sourcesOf({ input: [{ role: "user", content: "a" }, { role: "user", content: "b" }, { role: "assistant", content: "x" }, fc("c1")] });
    expect(chatParamToResponses("messages.2.tool_calls.0", sources)).toBe("input.3");
  });

  it("more than ten messages or calls: every digit of the index is read", () => {
    const many = sourcesOf({ input: Array.from({ length: 12 }, (_, i) => ({ role: "user", content: `m${i}` })) });
    expect(chatParamToResponses("messages.11.content.0", many)).toBe("input.11.content.0");
    const calls = sourcesOf({ input: [{ role: "assistant", content: "x" }, ...Array.from({ length: 11 }, (_, i) => fc(`c${i}`))] });
    expect(chatParamToResponses("messages.0.tool_calls.10", calls)).toBe("input.11");
    expect(chatParamToResponses("tools.12.function.strict", calls)).toBe("tools.12.strict");
  });

  it("a message past the sources is the input; a member other than content is the message's item; instructions have no parts", () => {
    const sources = sourcesOf({ instructions: "I", input: [{ role: "user", content: "a" }] });
    const name = (p: string) => chatParamToResponses(p, sources);
    expect(name("messages.9.content.0")).toBe("input");
    expect(name("messages.1.name")).toBe("input.0");
    expect(name("messages.0.content.0")).toBe("instructions");
  });

  it("tools: a tool by itself, its function, or a member; paths only containing tools or messages are not theirs", () => {
    const name = (p: string) => chatParamToResponses(p, []);
    expect(name("tools.3")).toBe("tools.3");
    expect(name("tools.3.function")).toBe("tools.3");
    expect(name("tool_choice.function.name")).toBe("tool_choice");
    expect(name("response_format.json_schema.schema.properties.tools.0.function")).toBe("text.format.schema.properties.tools.0.function"); // a json_schema member keeps its own path
    expect(name("metadata.messages.0")).toBe("metadata.messages.0");
  });
});
