import { describe, expect, it } from "vitest";
import { CHAT_FIELDS } from "../../../../worker/protocols/gemini/fields.ts";
import { chatToGenerateContent, generateContentToCompletion } from "../../../../worker/protocols/gemini/translate.ts";
import { GenerateContentResponse } from "../../../../worker/protocols/gemini/wire.ts";

const user = (content: unknown) => ({ role: "user", content });
const hi = [user("hi")];
const ok = (chat: Record<string, unknown>, system?: string) => {
  const r = chatToGenerateContent(chat, { system });
  if (!r.ok) throw new Error(`refused ${r.param}: ${r.detail}`);
  return r.value;
};
/** A refusal: its param, and a detail that names it. */
const refusal = (chat: Record<string, unknown>) => {
  const r = chatToGenerateContent(chat);
  if (r.ok) throw new Error(`not refused: ${JSON.stringify(r.value)}`);
  expect(r.detail).toContain(r.param.split(".").at(-1));
  return r.param;
};
const PNG = "data:image/png;base64,iVBORw0KGgo=";

describe("messages → contents and systemInstruction", () => {
  it("maps roles: system and developer to the system instruction after the endpoint's prompt, user → user, assistant → model", () => {
    expect(
      ok(
        { messages: [{ role: "system", content: "Be brief." }, { role: "developer", content: [{ type: "text", text: "Use metric." }] }, user("hi"), { role: "assistant", content: "Hello!" }, user("5 km in miles?")] },
        "You are the units specialist.",
      ),
    ).toEqual({
      systemInstruction: { parts: [{ text: "You are the units specialist." }, { text: "Be brief." }, { text: "Use metric." }] },
      contents: [
        { role: "user", parts: [{ text: "hi" }] },
        { role: "model", parts: [{ text: "Hello!" }] },
        { role: "user", parts: [{ text: "5 km in miles?" }] },
      ],
    });
  });

  it("takes the plain input of a hop that did not come through the OpenAI door, with no system instruction when there is none", () => {
    expect(ok({ messages: [user("convert 5 km")] })).toEqual({ contents: [{ role: "user", parts: [{ text: "convert 5 km" }] }] });
  });

  it("merges consecutive contents of one role and leaves empty text out", () => {
    expect(ok({ messages: [user("a"), user([{ type: "text", text: "" }, { type: "text", text: "b" }]), user(""), { role: "assistant", content: null, refusal: "I can't." }] }).contents).toEqual([
      { role: "user", parts: [{ text: "a" }, { text: "b" }] },
      { role: "model", parts: [{ text: "I can't." }] },
    ]);
  });

  it("keeps an assistant's text and refusal parts, and does not send its annotations", () => {
    const assistant = { role: "assistant", content: [{ type: "text", text: "Paris" }, { type: "refusal", refusal: "no more" }], annotations: [{ type: "url_citation" }] };
    expect(ok({ messages: [user("q"), assistant] }).contents[1]).toEqual({ role: "model", parts: [{ text: "Paris" }, { text: "no more" }] });
  });

  it("refuses a conversation with no user or assistant content", () => {
    expect(refusal({ messages: [{ role: "system", content: "only a system prompt" }] })).toBe("messages");
    expect(refusal({ messages: "hi" })).toBe("messages");
  });

  it("refuses what Gemini contents cannot carry, naming the member", () => {
    expect(refusal({ messages: [{ role: "user", content: "hi", name: "alice" }] })).toBe("messages.0.name");
    expect(refusal({ messages: [user("hi"), { role: "assistant", content: "x", audio: { id: "a1" } }] })).toBe("messages.1.audio");
    expect(refusal({ messages: [user("hi"), { role: "assistant", content: null, function_call: { name: "f", arguments: "{}" } }] })).toBe("messages.1.function_call");
    expect(refusal({ messages: [user("hi"), { role: "function", name: "f", content: "1" }] })).toBe("messages.1.role");
    expect(refusal({ messages: [{ role: "critic", content: "x" }] })).toBe("messages.0.role");
    expect(refusal({ messages: ["hi"] })).toBe("messages.0");
    expect(refusal({ messages: [{ role: "user", content: 42 }] })).toBe("messages.0.content");
  });

  it("takes a null name as absent", () => {
    expect(ok({ messages: [{ role: "user", content: "hi", name: null }] }).contents).toEqual([{ role: "user", parts: [{ text: "hi" }] }]);
  });
});

describe("content parts", () => {
  const part = (p: unknown) => ok({ messages: [user([p])] }).contents[0]!.parts[0];
  const refusedPart = (p: unknown, system = false) => refusal({ messages: [system ? { role: "system", content: [p] } : user([{ type: "text", text: "look" }, p])] });

  it("a data: URL image → inlineData with its MIME type and base64 data", () => {
    expect(part({ type: "image_url", image_url: { url: PNG } })).toEqual({ inlineData: { mimeType: "image/png", data: "iVBORw0KGgo=" } });
  });

  it("an https image URL → fileData, the MIME type from its extension (query ignored)", () => {
    expect(part({ type: "image_url", image_url: { url: "https://example.com/cat.JPG?size=2" } })).toEqual({ fileData: { fileUri: "https://example.com/cat.JPG?size=2", mimeType: "image/jpeg" } });
    expect(part({ type: "image_url", image_url: { url: "https://example.com/a.webp" } })).toEqual({ fileData: { fileUri: "https://example.com/a.webp", mimeType: "image/webp" } });
  });

  it("detail low/high → mediaResolution, auto → nothing, anything else refused", () => {
    expect(part({ type: "image_url", image_url: { url: PNG, detail: "low" } })).toMatchObject({ mediaResolution: { level: "MEDIA_RESOLUTION_LOW" } });
    expect(part({ type: "image_url", image_url: { url: "https://x.test/a.png", detail: "high" } })).toMatchObject({ mediaResolution: { level: "MEDIA_RESOLUTION_HIGH" } });
    expect(part({ type: "image_url", image_url: { url: PNG, detail: "auto" } })).not.toHaveProperty("mediaResolution");
    expect(refusedPart({ type: "image_url", image_url: { url: PNG, detail: "ultra" } })).toBe("messages.0.content.1.image_url.detail");
  });

  it("refuses images Gemini cannot take, naming the part's url", () => {
    expect(refusedPart({ type: "image_url", image_url: { url: "https://example.com/image?id=3" } })).toBe("messages.0.content.1.image_url.url");
    expect(refusedPart({ type: "image_url", image_url: { url: "https://example.com/anim.gif" } })).toBe("messages.0.content.1.image_url.url");
    expect(refusedPart({ type: "image_url", image_url: { url: "data:image/png,rawbytes" } })).toBe("messages.0.content.1.image_url.url");
    expect(refusedPart({ type: "image_url", image_url: { url: "ftp://example.com/a.png" } })).toBe("messages.0.content.1.image_url.url");
    expect(refusedPart({ type: "image_url", image_url: {} })).toBe("messages.0.content.1.image_url.url");
  });

  it("input_audio → inlineData audio/wav or audio/mp3; other formats refused", () => {
    expect(part({ type: "input_audio", input_audio: { data: "UklGRg==", format: "wav" } })).toEqual({ inlineData: { mimeType: "audio/wav", data: "UklGRg==" } });
    expect(part({ type: "input_audio", input_audio: { data: "SUQz", format: "mp3" } })).toEqual({ inlineData: { mimeType: "audio/mp3", data: "SUQz" } });
    expect(refusedPart({ type: "input_audio", input_audio: { data: "x", format: "flac" } })).toBe("messages.0.content.1.input_audio");
  });

  it("a file as a data: URL → inlineData; an OpenAI file id or raw data is refused", () => {
    expect(part({ type: "file", file: { filename: "a.pdf", file_data: "data:application/pdf;base64,JVBERi0=" } })).toEqual({ inlineData: { mimeType: "application/pdf", data: "JVBERi0=" } });
    expect(refusedPart({ type: "file", file: { file_id: "file-abc" } })).toBe("messages.0.content.1.file.file_id");
    expect(refusedPart({ type: "file", file: { file_data: "JVBERi0=" } })).toBe("messages.0.content.1.file.file_data");
  });

  it("refuses unknown part types, unknown part members, and non-text parts in system messages", () => {
    expect(refusedPart({ type: "video_url", video_url: {} })).toBe("messages.0.content.1");
    expect(refusedPart({ type: "text", text: "x", prompt_cache_breakpoint: { mode: "explicit" } })).toBe("messages.0.content.1.prompt_cache_breakpoint");
    expect(refusedPart({ type: "image_url", image_url: { url: PNG } }, true)).toBe("messages.0.content.0");
    expect(refusedPart({ type: "text", text: 3 })).toBe("messages.0.content.1.text");
  });
});

describe("tool calls and tool results", () => {
  const call = { id: "call_1", type: "function", function: { name: "get_weather", arguments: '{"city":"Paris"}' } };
  const result = { role: "tool", tool_call_id: "call_1", content: '{"temp":21}' };

  it("assistant tool_calls → functionCall parts (args parsed, id kept); tool messages → functionResponse by the call's name", () => {
    const body = ok({ messages: [user("weather in Paris?"), { role: "assistant", content: null, tool_calls: [call] }, result] });
    expect(body.contents).toEqual([
      { role: "user", parts: [{ text: "weather in Paris?" }] },
      { role: "model", parts: [{ functionCall: { name: "get_weather", args: { city: "Paris" }, id: "call_1" } }] },
      { role: "user", parts: [{ functionResponse: { name: "get_weather", id: "call_1", response: { output: '{"temp":21}' } } }] },
    ]);
  });

  it("puts parallel results in one user content, text parts joined, and carries the thought signature back", () => {
    const two = [
      { ...call, extra_content: { google: { thought_signature: "c2ln" } } },
      { id: "call_2", type: "function", function: { name: "get_time", arguments: "" } },
    ];
    const body = ok({
      messages: [user("q"), { role: "assistant", content: "Checking.", tool_calls: two }, result, { role: "tool", tool_call_id: "call_2", content: [{ type: "text", text: "12:00" }, { type: "text", text: "CET" }] }],
    });
    expect(body.contents[1]!.parts).toEqual([
      { text: "Checking." },
      { functionCall: { name: "get_weather", args: { city: "Paris" }, id: "call_1" }, thoughtSignature: "c2ln" },
      { functionCall: { name: "get_time", args: {}, id: "call_2" } },
    ]);
    expect(body.contents[2]).toEqual({
      role: "user",
      parts: [
        { functionResponse: { name: "get_weather", id: "call_1", response: { output: '{"temp":21}' } } },
        { functionResponse: { name: "get_time", id: "call_2", response: { output: "12:00\nCET" } } },
      ],
    });
  });

  it("refuses arguments that are not a JSON object, naming them", () => {
    const withArgs = (args: unknown) => ({ messages: [user("q"), { role: "assistant", tool_calls: [{ ...call, function: { name: "f", arguments: args } }] }] });
    expect(refusal(withArgs("{city:"))).toBe("messages.1.tool_calls.0.function.arguments");
    expect(refusal(withArgs("[1,2]"))).toBe("messages.1.tool_calls.0.function.arguments");
    expect(refusal(withArgs({ city: "Paris" }))).toBe("messages.1.tool_calls.0.function.arguments");
  });

  it("refuses a tool result whose call is unknown, and custom tool calls", () => {
    expect(refusal({ messages: [user("q"), { role: "tool", tool_call_id: "call_9", content: "x" }] })).toBe("messages.1.tool_call_id");
    expect(refusal({ messages: [user("q"), { role: "assistant", tool_calls: [{ id: "c", type: "custom", custom: { name: "f", input: "x" } }] }] })).toBe("messages.1.tool_calls.0");
    expect(refusal({ messages: [user("q"), { role: "assistant", tool_calls: "f" }] })).toBe("messages.1.tool_calls");
    expect(refusal({ messages: [user("q"), { role: "assistant", tool_calls: [call] }, { role: "tool", tool_call_id: "call_1", content: [{ type: "image_url", image_url: { url: PNG } }] }] })).toBe("messages.2.content.0");
  });
});

describe("tools and tool_choice", () => {
  const weather = { type: "function", function: { name: "get_weather", description: "Weather of a city", parameters: { type: "object", properties: { city: { type: "string", pattern: "^[A-Z]" } }, required: ["city"] } } };
  const time = { type: "function", function: { name: "get_time" } };
  const cfg = (tool_choice?: unknown, tools: unknown[] = [weather, time]) => ok({ messages: hi, tools, tool_choice }).toolConfig?.functionCallingConfig;

  it("function tools → functionDeclarations with the JSON Schema as parametersJsonSchema; no toolConfig by default", () => {
    const body = ok({ messages: hi, tools: [weather, time] });
    expect(body.tools).toEqual([{ functionDeclarations: [{ name: "get_weather", description: "Weather of a city", parametersJsonSchema: weather.function.parameters }, { name: "get_time" }] }]);
    expect(body.toolConfig).toBeUndefined();
  });

  it("tool_choice: none → NONE, auto → AUTO, required → ANY, a named function → ANY with it allowed", () => {
    expect(cfg("none")).toEqual({ mode: "NONE" });
    expect(cfg("auto")).toEqual({ mode: "AUTO" });
    expect(cfg("required")).toEqual({ mode: "ANY" });
    expect(cfg({ type: "function", function: { name: "get_time" } })).toEqual({ mode: "ANY", allowedFunctionNames: ["get_time"] });
  });

  it("allowed_tools → VALIDATED (auto) or ANY (required) with its names", () => {
    const allowed = (mode: string) => ({ type: "allowed_tools", allowed_tools: { mode, tools: [{ type: "function", function: { name: "get_weather" } }] } });
    expect(cfg(allowed("auto"))).toEqual({ mode: "VALIDATED", allowedFunctionNames: ["get_weather"] });
    expect(cfg(allowed("required"))).toEqual({ mode: "ANY", allowedFunctionNames: ["get_weather"] });
    expect(refusal({ messages: hi, tools: [weather], tool_choice: allowed("sometimes") })).toBe("tool_choice.allowed_tools");
    expect(refusal({ messages: hi, tools: [time], tool_choice: allowed("auto") })).toBe("tool_choice.allowed_tools.tools.0");
  });

  it("a strict tool makes auto VALIDATED and needs a schema Gemini enforces", () => {
    const strict = { type: "function", function: { name: "get_time", strict: true, parameters: { type: "object", properties: { tz: { type: ["string", "null"] } }, required: ["tz"], additionalProperties: false } } };
    expect(cfg(undefined, [strict])).toEqual({ mode: "VALIDATED" });
    expect(cfg("auto", [strict])).toEqual({ mode: "VALIDATED" });
    expect(cfg("required", [strict])).toEqual({ mode: "ANY" });
    const strictWeather = { type: "function", function: { ...weather.function, strict: true } };
    expect(refusal({ messages: hi, tools: [strictWeather] })).toBe("tools.0.function.parameters.properties.city.pattern");
  });

  it("refuses what Gemini cannot declare or choose, naming it", () => {
    expect(refusal({ messages: hi, tools: [{ type: "custom", custom: { name: "sql" } }] })).toBe("tools.0");
    expect(refusal({ messages: hi, tools: [{ type: "function", function: { name: "9lives" } }] })).toBe("tools.0.function.name");
    expect(refusal({ messages: hi, tools: [{ type: "function", function: { name: "f", examples: [] } }] })).toBe("tools.0.function.examples");
    expect(refusal({ messages: hi, tools: [{ type: "function" }] })).toBe("tools.0.function");
    expect(refusal({ messages: hi, tools: { name: "f" } })).toBe("tools");
    expect(refusal({ messages: hi, tools: [weather], tool_choice: { type: "function", function: { name: "nope" } } })).toBe("tool_choice.function.name");
    expect(refusal({ messages: hi, tools: [weather], tool_choice: { type: "custom", custom: { name: "sql" } } })).toBe("tool_choice");
    expect(refusal({ messages: hi, tool_choice: "required" })).toBe("tool_choice");
  });

  it("takes tool_choice none without tools, and an empty tools list, as no tools", () => {
    expect(ok({ messages: hi, tool_choice: "none" })).toEqual({ contents: [{ role: "user", parts: [{ text: "hi" }] }] });
    expect(ok({ messages: hi, tools: [] })).toEqual({ contents: [{ role: "user", parts: [{ text: "hi" }] }] });
  });
});

describe("response_format", () => {
  const schema = { type: "object", properties: { answer: { type: "string", minLength: 1 } }, required: ["answer"] };
  const gen = (response_format: unknown) => ok({ messages: hi, response_format }).generationConfig;

  it("text → nothing, json_object → JSON mode, json_schema → JSON mode with the schema", () => {
    expect(gen({ type: "text" })).toBeUndefined();
    expect(gen({ type: "json_object" })).toEqual({ responseMimeType: "application/json" });
    expect(gen({ type: "json_schema", json_schema: { name: "answer", schema } })).toEqual({ responseMimeType: "application/json", responseJsonSchema: schema });
    expect(gen({ type: "json_schema", json_schema: { name: "answer" } })).toEqual({ responseMimeType: "application/json" });
  });

  it("adds the format's description to a schema without one; refuses two descriptions", () => {
    expect(gen({ type: "json_schema", json_schema: { name: "a", description: "The answer", schema } })).toEqual({ responseMimeType: "application/json", responseJsonSchema: { description: "The answer", ...schema } });
    expect(refusal({ messages: hi, response_format: { type: "json_schema", json_schema: { name: "a", description: "x", schema: { ...schema, description: "y" } } } })).toBe("response_format.json_schema.description");
  });

  it("a strict schema must use keywords Gemini enforces", () => {
    expect(refusal({ messages: hi, response_format: { type: "json_schema", json_schema: { name: "a", strict: true, schema } } })).toBe("response_format.json_schema.schema.properties.answer.minLength");
    const enforced = { type: "object", properties: { tags: { type: "array", items: { type: "string", enum: ["a", "b"] }, maxItems: 3 } }, required: ["tags"], additionalProperties: false };
    expect(gen({ type: "json_schema", json_schema: { name: "a", strict: true, schema: enforced } })).toEqual({ responseMimeType: "application/json", responseJsonSchema: enforced });
  });

  it("refuses other formats", () => {
    expect(refusal({ messages: hi, response_format: { type: "grammar" } })).toBe("response_format");
  });
});

/** One row per Chat Completions field (fields.ts): a value, and what the Gemini request gets or the refusal's param. */
const ROWS: Record<keyof typeof CHAT_FIELDS, { value: unknown; expect: Record<string, unknown> } | { value: unknown; refused: string }> = {
  messages: { value: hi, expect: { contents: [{ role: "user", parts: [{ text: "hi" }] }] } },
  model: { value: "auto", expect: {} },
  stream: { value: true, expect: {} },
  stream_options: { value: { include_usage: true }, expect: {} },
  audio: { value: { voice: "alloy", format: "mp3" }, refused: "audio" },
  frequency_penalty: { value: 0.5, expect: { generationConfig: { frequencyPenalty: 0.5 } } },
  presence_penalty: { value: -0.5, expect: { generationConfig: { presencePenalty: -0.5 } } },
  function_call: { value: "auto", refused: "function_call" },
  functions: { value: [{ name: "f" }], refused: "functions" },
  logit_bias: { value: { "50256": -100 }, refused: "logit_bias" },
  logprobs: { value: true, expect: { generationConfig: { responseLogprobs: true } } },
  top_logprobs: { value: 3, refused: "top_logprobs" },
  max_completion_tokens: { value: 256, expect: { generationConfig: { maxOutputTokens: 256 } } },
  max_tokens: { value: 128, expect: { generationConfig: { maxOutputTokens: 128 } } },
  metadata: { value: { team: "travel", env: "prod-1" }, expect: { labels: { team: "travel", env: "prod-1" } } },
  modalities: { value: ["text", "audio"], refused: "modalities" },
  moderation: { value: { model: "omni-moderation-latest" }, refused: "moderation" },
  n: { value: 2, expect: { generationConfig: { candidateCount: 2 } } },
  parallel_tool_calls: { value: false, refused: "parallel_tool_calls" },
  prediction: { value: { type: "content", content: "x" }, refused: "prediction" },
  prompt_cache_key: { value: "k1", expect: {} },
  prompt_cache_options: { value: { mode: "explicit" }, refused: "prompt_cache_options" },
  prompt_cache_retention: { value: "24h", expect: {} },
  reasoning_effort: { value: "low", expect: { generationConfig: { thinkingConfig: { thinkingLevel: "LOW" } } } },
  response_format: { value: { type: "json_object" }, expect: { generationConfig: { responseMimeType: "application/json" } } },
  safety_identifier: { value: "user-hash", expect: {} },
  seed: { value: 42, expect: { generationConfig: { seed: 42 } } },
  service_tier: { value: "flex", expect: { serviceTier: "flex" } },
  stop: { value: "\n\n", expect: { generationConfig: { stopSequences: ["\n\n"] } } },
  store: { value: false, expect: { store: false } },
  temperature: { value: 0.2, expect: { generationConfig: { temperature: 0.2 } } },
  tool_choice: { value: "none", expect: {} },
  tools: { value: [{ type: "function", function: { name: "f" } }], expect: { tools: [{ functionDeclarations: [{ name: "f" }] }] } },
  top_p: { value: 0.9, expect: { generationConfig: { topP: 0.9 } } },
  user: { value: "alice", expect: {} },
  verbosity: { value: "low", refused: "verbosity" },
  web_search_options: { value: {}, refused: "web_search_options" },
};

describe("every Chat Completions field (fields.ts)", () => {
  it("has a row here for each field of the table", () => {
    expect(Object.keys(ROWS).sort()).toEqual(Object.keys(CHAT_FIELDS).sort());
  });

  for (const [field, row] of Object.entries(ROWS)) {
    it(`${field}: ${CHAT_FIELDS[field as keyof typeof CHAT_FIELDS].rule}`, () => {
      const chat = { messages: hi, [field]: row.value };
      if ("refused" in row) expect(refusal(chat)).toBe(row.refused);
      else expect(ok(chat)).toEqual({ contents: [{ role: "user", parts: [{ text: "hi" }] }], ...row.expect });
    });
  }

  it("takes null as absent", () => {
    expect(ok({ messages: hi, temperature: null, user: null, audio: null, logit_bias: null })).toEqual({ contents: [{ role: "user", parts: [{ text: "hi" }] }] });
  });

  it("refuses a field it does not know, naming it", () => {
    expect(refusal({ messages: hi, top_k: 40 })).toBe("top_k");
  });
});

describe("generation settings", () => {
  const gen = (extra: Record<string, unknown>) => ok({ messages: hi, ...extra }).generationConfig;

  it("max_completion_tokens wins over max_tokens", () => {
    expect(gen({ max_tokens: 10, max_completion_tokens: 20 })).toEqual({ maxOutputTokens: 20 });
    expect(gen({ max_completion_tokens: 20, max_tokens: 10 })).toEqual({ maxOutputTokens: 20 });
  });

  it("top_logprobs with logprobs → responseLogprobs and logprobs; logprobs false sets nothing", () => {
    expect(gen({ logprobs: true, top_logprobs: 5 })).toEqual({ responseLogprobs: true, logprobs: 5 });
    expect(gen({ logprobs: false })).toBeUndefined();
  });

  it("stop as a list", () => {
    expect(gen({ stop: ["END", "###"] })).toEqual({ stopSequences: ["END", "###"] });
    expect(refusal({ messages: hi, stop: [1] })).toBe("stop");
  });

  it("reasoning_effort: none → no thinking budget, minimal…xhigh → thinking levels, max refused", () => {
    expect(gen({ reasoning_effort: "none" })).toEqual({ thinkingConfig: { thinkingBudget: 0 } });
    for (const [effort, level] of [["minimal", "MINIMAL"], ["medium", "MEDIUM"], ["high", "HIGH"], ["xhigh", "XHIGH"]])
      expect(gen({ reasoning_effort: effort })).toEqual({ thinkingConfig: { thinkingLevel: level } });
    expect(refusal({ messages: hi, reasoning_effort: "max" })).toBe("reasoning_effort");
  });

  it("service_tier: auto → nothing, default → standard, priority as is; scale and fast refused", () => {
    expect(ok({ messages: hi, service_tier: "auto" })).not.toHaveProperty("serviceTier");
    expect(ok({ messages: hi, service_tier: "default" }).serviceTier).toBe("standard");
    expect(ok({ messages: hi, service_tier: "priority" }).serviceTier).toBe("priority");
    expect(refusal({ messages: hi, service_tier: "scale" })).toBe("service_tier");
    expect(refusal({ messages: hi, service_tier: "fast" })).toBe("service_tier");
  });

  it("metadata that is no valid Gemini label is refused naming its key; empty metadata sends nothing", () => {
    expect(refusal({ messages: hi, metadata: { Team: "x" } })).toBe("metadata.Team");
    expect(refusal({ messages: hi, metadata: { team: "Travel Desk" } })).toBe("metadata.team");
    expect(ok({ messages: hi, metadata: {} })).not.toHaveProperty("labels");
  });

  it("takes the defaults OpenAI would apply: parallel_tool_calls true, modalities [text], empty logit_bias, verbosity medium, store true", () => {
    expect(ok({ messages: hi, parallel_tool_calls: true, modalities: ["text"], logit_bias: {}, verbosity: "medium", store: true })).toEqual({ contents: [{ role: "user", parts: [{ text: "hi" }] }], store: true });
  });

  it("refuses values of the wrong type, naming the field", () => {
    expect(refusal({ messages: hi, temperature: "hot" })).toBe("temperature");
    expect(refusal({ messages: hi, seed: 1.5 })).toBe("seed");
    expect(refusal({ messages: hi, max_tokens: "10" })).toBe("max_tokens");
    expect(refusal({ messages: hi, logprobs: "yes" })).toBe("logprobs");
    expect(refusal({ messages: hi, store: "no" })).toBe("store");
    expect(refusal({ messages: hi, metadata: "x" })).toBe("metadata");
  });
});

const base = { id: "chatcmpl-hop1", created: 1767225600, model: "gemini-2.5-flash" };
const reply = (body: unknown) => generateContentToCompletion(GenerateContentResponse.parse(body), base);
const okReply = (body: unknown) => {
  const r = reply(body);
  if (!r.ok) throw new Error(`failed ${r.param}: ${r.detail}`);
  return r.value;
};

describe("GenerateContentResponse → chat.completion", () => {
  it("a text answer (the reference's example) → one choice, its text parts joined, usage mapped", () => {
    const completion = okReply({
      candidates: [
        {
          content: { parts: [{ text: "AI learns patterns " }, { text: "from data." }], role: "model" },
          finishReason: "STOP",
          index: 0,
          safetyRatings: [{ category: "HARM_CATEGORY_HARASSMENT", probability: "NEGLIGIBLE" }],
        },
      ],
      usageMetadata: { promptTokenCount: 8, candidatesTokenCount: 6, totalTokenCount: 14 },
      modelVersion: "gemini-2.5-flash",
      responseId: "mAitaJ6aBeKv",
    });
    expect(completion).toEqual({
      ...base,
      object: "chat.completion",
      choices: [{ index: 0, message: { role: "assistant", content: "AI learns patterns from data.", refusal: null }, finish_reason: "stop", logprobs: null }],
      usage: { prompt_tokens: 8, completion_tokens: 6, total_tokens: 14, prompt_tokens_details: { cached_tokens: 0 }, completion_tokens_details: { reasoning_tokens: 0 } },
    });
  });

  it("function calls → tool_calls with Gemini's id, or one made from the response id, candidate and call index; STOP → tool_calls", () => {
    const completion = okReply({
      candidates: [
        {
          content: {
            role: "model",
            parts: [
              { functionCall: { name: "get_weather", args: { city: "Paris" }, id: "fc-7" }, thoughtSignature: "c2lnMQ==" },
              { functionCall: { name: "get_time", args: {} } },
            ],
          },
          finishReason: "STOP",
        },
      ],
      responseId: "resp-9",
    });
    expect(completion.choices[0]).toEqual({
      index: 0,
      message: {
        role: "assistant",
        content: null,
        refusal: null,
        tool_calls: [
          { id: "fc-7", type: "function", function: { name: "get_weather", arguments: '{"city":"Paris"}' }, extra_content: { google: { thought_signature: "c2lnMQ==" } } },
          { id: "call_resp-9_0_1", type: "function", function: { name: "get_time", arguments: "{}" } },
        ],
      },
      finish_reason: "tool_calls",
      logprobs: null,
    });
    expect(completion).not.toHaveProperty("usage");
  });

  it("makes ids from the completion id when Gemini sends no responseId, and a call without args has {}", () => {
    const c = okReply({ candidates: [{ content: { parts: [{ functionCall: { name: "now" } }] }, finishReason: "STOP" }] });
    expect(c.choices[0]!.message.tool_calls).toEqual([{ id: "call_chatcmpl-hop1_0_0", type: "function", function: { name: "now", arguments: "{}" } }]);
  });

  it("a tool call round-trips: the completion's message, sent back, is the same functionCall part", () => {
    const c = okReply({ candidates: [{ content: { parts: [{ functionCall: { name: "get_weather", args: { city: "Oslo" }, id: "fc-1" }, thoughtSignature: "sig" }] }, finishReason: "STOP" }] });
    const body = ok({ messages: [user("weather?"), c.choices[0]!.message, { role: "tool", tool_call_id: "fc-1", content: "-3C" }] });
    expect(body.contents.slice(1)).toEqual([
      { role: "model", parts: [{ functionCall: { name: "get_weather", args: { city: "Oslo" }, id: "fc-1" }, thoughtSignature: "sig" }] },
      { role: "user", parts: [{ functionResponse: { name: "get_weather", id: "fc-1", response: { output: "-3C" } } }] },
    ]);
  });

  it("leaves thought parts and bare signature parts out of the content, and counts thoughts as reasoning tokens", () => {
    const c = okReply({
      candidates: [{ content: { parts: [{ text: "Let me think…", thought: true }, { text: "42" }, { text: "", thoughtSignature: "c2ln" }, { thoughtSignature: "c2ln" }] }, finishReason: "STOP" }],
      usageMetadata: { promptTokenCount: 100, cachedContentTokenCount: 60, candidatesTokenCount: 2, thoughtsTokenCount: 30, totalTokenCount: 132 },
    });
    expect(c.choices[0]!.message.content).toBe("42");
    expect(c.usage).toEqual({ prompt_tokens: 100, completion_tokens: 32, total_tokens: 132, prompt_tokens_details: { cached_tokens: 60 }, completion_tokens_details: { reasoning_tokens: 30 } });
  });

  it("counts tool-use prompt tokens as prompt tokens, and sums the total when Gemini gives none", () => {
    expect(okReply({ candidates: [{ content: { parts: [{ text: "x" }] }, finishReason: "STOP" }], usageMetadata: { promptTokenCount: 10, toolUsePromptTokenCount: 5, candidatesTokenCount: 1 } }).usage).toMatchObject({
      prompt_tokens: 15,
      completion_tokens: 1,
      total_tokens: 16,
    });
  });

  it("MAX_TOKENS and CONTINUATION → length", () => {
    expect(okReply({ candidates: [{ content: { parts: [{ text: "The first" }] }, finishReason: "MAX_TOKENS" }] }).choices[0]!.finish_reason).toBe("length");
    expect(okReply({ candidates: [{ content: { parts: [{ text: "The first" }] }, finishReason: "CONTINUATION" }] }).choices[0]!.finish_reason).toBe("length");
  });

  it("safety, recitation, blocklist, prohibited content, SPII, language stops → content_filter (content null when nothing came)", () => {
    for (const reason of ["SAFETY", "RECITATION", "BLOCKLIST", "PROHIBITED_CONTENT", "SPII", "LANGUAGE", "IMAGE_SAFETY", "MODEL_ARMOR"]) {
      const c = okReply({ candidates: [{ finishReason: reason, safetyRatings: [{ category: "HARM_CATEGORY_DANGEROUS_CONTENT", probability: "HIGH", blocked: true }] }] });
      expect(c.choices[0]).toEqual({ index: 0, message: { role: "assistant", content: null, refusal: null }, finish_reason: "content_filter", logprobs: null });
    }
  });

  it("a candidate with no usable answer is a failure naming its finishReason", () => {
    for (const reason of ["MALFORMED_FUNCTION_CALL", "UNEXPECTED_TOOL_CALL", "MISSING_THOUGHT_SIGNATURE", "OTHER", "FINISH_REASON_UNSPECIFIED", "SOMETHING_NEW"]) {
      const r = reply({ candidates: [{ content: { parts: [] }, finishReason: reason, finishMessage: "Malformed function call: print(" }] });
      expect(r).toEqual({ ok: false, param: "candidates.0.finishReason", detail: `Gemini ended the candidate with ${reason}: Malformed function call: print(` });
    }
    expect(reply({ candidates: [{ content: { parts: [{ text: "x" }] } }] })).toMatchObject({ ok: false, param: "candidates.0.finishReason", detail: "Gemini ended the candidate with no finishReason" });
  });

  it("a blocked prompt is a refusal naming promptFeedback.blockReason, not an empty success", () => {
    expect(reply({ promptFeedback: { blockReason: "SAFETY", safetyRatings: [{ category: "HARM_CATEGORY_HATE_SPEECH", probability: "HIGH" }] }, usageMetadata: { promptTokenCount: 9, totalTokenCount: 9 } })).toEqual({
      ok: false,
      param: "promptFeedback.blockReason",
      detail: "Gemini blocked the prompt (SAFETY)",
    });
    expect(reply({ candidates: [] })).toMatchObject({ ok: false, param: "candidates" });
  });

  it("a part Chat Completions cannot carry is a failure naming it", () => {
    expect(reply({ candidates: [{ content: { parts: [{ inlineData: { mimeType: "image/png", data: "iVBO" } }] }, finishReason: "STOP" }] })).toMatchObject({
      ok: false,
      param: "candidates.0.content.parts.0.inlineData",
    });
    expect(reply({ candidates: [{ content: { parts: [{ executableCode: { language: "PYTHON", code: "1+1" } }] }, finishReason: "STOP" }] })).toMatchObject({ param: "candidates.0.content.parts.0.executableCode" });
  });

  it("several candidates → several choices, by their index", () => {
    const c = okReply({
      candidates: [
        { index: 1, content: { parts: [{ text: "B" }] }, finishReason: "STOP" },
        { index: 0, content: { parts: [{ text: "A" }] }, finishReason: "MAX_TOKENS" },
      ],
    });
    expect(c.choices.map((ch) => [ch.index, ch.message.content, ch.finish_reason])).toEqual([
      [1, "B", "stop"],
      [0, "A", "length"],
    ]);
  });

  it("logprobsResult → choices[].logprobs: each chosen token with its bytes and top alternatives", () => {
    const c = okReply({
      candidates: [
        {
          content: { parts: [{ text: "Hé" }] },
          finishReason: "STOP",
          logprobsResult: {
            chosenCandidates: [{ token: "H", logProbability: -0.1 }, { token: "é", logProbability: -0.5 }],
            topCandidates: [{ candidates: [{ token: "H", logProbability: -0.1 }, { token: "h", logProbability: -2.3 }] }, { candidates: [{ token: "é", logProbability: -0.5 }] }],
          },
        },
      ],
    });
    expect(c.choices[0]!.logprobs).toEqual({
      content: [
        { token: "H", logprob: -0.1, bytes: [72], top_logprobs: [{ token: "H", logprob: -0.1, bytes: [72] }, { token: "h", logprob: -2.3, bytes: [104] }] },
        { token: "é", logprob: -0.5, bytes: [195, 169], top_logprobs: [{ token: "é", logprob: -0.5, bytes: [195, 169] }] },
      ],
      refusal: null,
    });
  });
});

describe("chatToGenerateContent: edges", () => {
  const refused = (chat: Record<string, unknown>) => {
    const r = chatToGenerateContent({ messages: hi, ...chat });
    if (r.ok) throw new Error(`not refused: ${JSON.stringify(r.value)}`);
    return { param: r.param, detail: r.detail };
  };

  it("an undefined field is absent", () => {
    expect(ok({ messages: hi, temperature: undefined, seed: undefined })).toEqual({ contents: [{ role: "user", parts: [{ text: "hi" }] }] });
  });

  it("numbers must be finite; integer fields must be integers, and say so", () => {
    expect(refused({ temperature: NaN })).toEqual({ param: "temperature", detail: "'temperature' must be a number" });
    for (const key of ["n", "max_completion_tokens", "max_tokens"]) expect(refused({ [key]: 1.5 }), key).toEqual({ param: key, detail: `'${key}' must be a positive integer, not 1.5` });
    expect(refused({ seed: 1.5 })).toEqual({ param: "seed", detail: "'seed' must be an integer" });
    expect(refused({ logprobs: true, top_logprobs: 1.5 })).toEqual({ param: "top_logprobs", detail: "'top_logprobs' must be an integer" });
  });

  it("stop: every sequence must be a string", () => {
    expect(refused({ stop: ["a", 1] }).param).toBe("stop");
  });

  it("reasoning_effort and service_tier must be strings naming a level or tier", () => {
    expect(refused({ reasoning_effort: ["low"] }).param).toBe("reasoning_effort");
    expect(refused({ service_tier: ["flex"] }).param).toBe("service_tier");
  });

  it("a refused field's detail says why; an unknown one says it is not known", () => {
    expect(refused({ prediction: { type: "content", content: "x" } }).detail).toBe("'prediction' cannot be honoured by Gemini: Gemini has no predicted outputs");
    expect(refused({ top_k: 3 }).detail).toBe("'top_k' cannot be honoured by Gemini: it is not a Chat Completions field the Gemini translation knows");
  });

  it("response_format json_schema: needs its json_schema object; only json_schema carries one", () => {
    expect(refused({ response_format: { type: "json_schema", json_schema: null } }).param).toBe("response_format");
    expect(refused({ response_format: { type: "json_schema" } }).param).toBe("response_format");
    expect(refused({ response_format: { type: "grammar", json_schema: { schema: { type: "object" } } } }).param).toBe("response_format");
  });

  it("response_format json_schema without a schema is JSON mode alone; without a description the schema is sent as it is", () => {
    const noSchema = ok({ messages: hi, response_format: { type: "json_schema", json_schema: { name: "o" } } }).generationConfig!;
    expect(noSchema).toEqual({ responseMimeType: "application/json" });
    expect(noSchema).not.toHaveProperty("responseJsonSchema");
    expect(ok({ messages: hi, response_format: { type: "json_schema", json_schema: { name: "o", schema: { type: "object" } } } }).generationConfig).toStrictEqual({ responseMimeType: "application/json", responseJsonSchema: { type: "object" } });
  });

  it("a strict response schema's refusal names the keyword Gemini does not enforce", () => {
    expect(refused({ response_format: { type: "json_schema", json_schema: { name: "o", strict: true, schema: { type: "string", pattern: "^a" } } } })).toEqual({
      param: "response_format.json_schema.schema.pattern",
      detail: "Gemini does not enforce 'pattern', so the strict schema cannot be honoured ('response_format.json_schema.schema.pattern')",
    });
  });

  it("metadata values must be strings", () => {
    expect(refused({ metadata: { team: 5 } }).param).toBe("metadata.team");
  });
});

describe("generateContentToCompletion: edges", () => {
  it("no candidates and no block reason: the failure says so", () => {
    expect(generateContentToCompletion(GenerateContentResponse.parse({ candidates: [] }), { id: "c", created: 1, model: "m" })).toEqual({ ok: false, param: "candidates", detail: "Gemini answered no candidate" });
  });
});
