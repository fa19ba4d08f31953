import { describe, expect, it } from "vitest";
import * as request from "../../../../worker/protocols/openai/responses-request.ts";

const { responsesToChat } = request;
const chatOf = (req: Record<string, unknown>) => {
  const t = responsesToChat(req);
  if (!t.ok) throw new Error(`refused ${t.param}: ${t.detail}`);
  return t.value.chat;
};
const refused = (input: unknown[]) => {
  const t = responsesToChat({ model: "writer", input });
  if (t.ok) throw new Error(`translated: ${JSON.stringify(t.value.chat.messages)}`);
  expect(t.detail).toContain(t.param.split(".").at(-1));
  return t.param;
};
const call = { type: "function_call", call_id: "c1", name: "tide", arguments: "{}" };

describe("responsesToChat: every member of an input item is carried or refused", () => {
  it("an unknown member of a message, of its part, of a function call, of its output (and of an output part) is refused, naming its path", () => {
    expect(refused([{ role: "user", content: [{ type: "input_text", text: "hi", zzz: 1 }], yyy: 2 }])).toBe("input.0.yyy");
    expect(refused([{ role: "user", content: [{ type: "input_text", text: "hi", zzz: 1 }] }])).toBe("input.0.content.0.zzz");
    expect(refused([{ role: "user", content: [{ type: "input_image", image_url: "https://x/a.png", zzz: null }] }])).toBe("input.0.content.0.zzz");
    expect(refused([{ role: "assistant", content: [{ type: "output_text", text: "a", annotations: [], zzz: 1 }] }])).toBe("input.0.content.0.zzz");
    expect(refused([{ ...call, extra: true }])).toBe("input.0.extra");
    expect(refused([call, { type: "function_call_output", call_id: "c1", output: "6am", extra: 1 }])).toBe("input.1.extra");
    expect(refused([call, { type: "function_call_output", call_id: "c1", output: [{ type: "input_text", text: "6am", zzz: 1 }] }])).toBe("input.1.output.0.zzz");
    expect(refused([{ type: "reasoning", id: "rs_1", summary: [], zzz: 1 }, { role: "user", content: "hi" }])).toBe("input.0.zzz");
  });

  it("documented members Chat Completions has no field for are refused: phase, namespace, caller, async, an input_file's detail", () => {
    expect(refused([{ role: "assistant", content: "a", phase: "commentary" }])).toBe("input.0.phase");
    expect(refused([{ ...call, namespace: "ns" }])).toBe("input.0.namespace");
    expect(refused([{ ...call, caller: { type: "direct" } }])).toBe("input.0.caller");
    expect(refused([{ ...call, async: true }])).toBe("input.0.async");
    expect(refused([call, { type: "function_call_output", call_id: "c1", output: "x", caller: { type: "direct" } }])).toBe("input.1.caller");
    expect(refused([{ role: "user", content: [{ type: "input_file", file_data: "data:application/pdf;base64,JVBE", detail: "high" }] }])).toBe("input.0.content.0.detail");
  });

  it("an earlier reply's bookkeeping (id, status, empty phase, annotations, logprobs, async false) is accepted; a part's prompt_cache_breakpoint is carried", () => {
    const chat = chatOf({
      input: [
        { type: "message", id: "msg_0", role: "user", status: "completed", content: [{ type: "input_text", text: "tides?", prompt_cache_breakpoint: { ttl: "30m" } }] },
        { type: "message", id: "msg_1", role: "assistant", status: "completed", phase: null, content: [{ type: "output_text", text: "Looking.", annotations: [], logprobs: [] }] },
        { ...call, id: "fc_1", status: "completed", async: false },
        { type: "function_call_output", id: "fco_1", status: "completed", call_id: "c1", name: "tide", output: [{ type: "input_text", text: "6am" }] },
      ],
    });
    expect(chat.messages).toEqual([
      { role: "user", content: [{ type: "text", text: "tides?", prompt_cache_breakpoint: { ttl: "30m" } }] },
      { role: "assistant", content: "Looking.", tool_calls: [{ id: "c1", type: "function", function: { name: "tide", arguments: "{}" } }] },
      { role: "tool", tool_call_id: "c1", content: [{ type: "text", text: "6am" }] },
    ]);
  });
});

describe("responsesToChat: a function output answers an earlier call", () => {
  it("a function_call_output whose call_id matches no earlier function_call is refused naming input.N.call_id", () => {
    expect(refused([{ role: "user", content: "hi" }, { type: "function_call_output", call_id: "nope", output: "6am" }])).toBe("input.1.call_id");
    expect(refused([{ type: "function_call_output", call_id: "c1", output: "6am" }, call])).toBe("input.0.call_id"); // the call must come first
    expect(refused([call, { type: "function_call_output", call_id: "c1", name: "moon", output: "6am" }])).toBe("input.1.name");
  });
});

describe("chatDetailToResponses: a provider's sentence in Responses terms", () => {
  it("chat paths in the detail are named as the param is", () => {
    const t = responsesToChat({ instructions: "S", input: [{ role: "user", content: [{ type: "input_text", text: "a" }] }, call, { type: "function_call_output", call_id: "c1", output: "x" }] });
    if (!t.ok) throw new Error(t.detail);
    const detail = (d: string) => request.chatDetailToResponses(d, t.value.sources);
    expect(detail("Gemini needs the function's name: 'messages.3.tool_call_id' matches no earlier assistant tool call")).toBe("Gemini needs the function's name: 'input.2.call_id' matches no earlier assistant tool call");
    expect(detail("'m' on Workers AI cannot take messages.1.content.0: Workers AI text generation takes text only")).toBe("'m' on Workers AI cannot take input.0.content.0: Workers AI text generation takes text only");
    expect(detail("Gemini has no equivalent of 'tools.0.function.zzz'")).toBe("Gemini has no equivalent of 'tools.0.zzz'");
    expect(detail("'max_completion_tokens' must be a positive integer; 'reasoning_effort' cannot be honoured")).toBe("'max_output_tokens' must be a positive integer; 'reasoning.effort' cannot be honoured");
    expect(detail("cannot take max_completion_tokens: must be a positive integer")).toBe("cannot take max_output_tokens: must be a positive integer");
    expect(detail("Gemini does not enforce 'pattern' ('response_format.json_schema.schema.properties.a.pattern')")).toBe("Gemini does not enforce 'pattern' ('text.format.schema.properties.a.pattern')");
    expect(request.chatParamToResponses("messages.3.tool_call_id", t.value.sources)).toBe("input.2.call_id");
  });
});

describe("responsesToChat: tool_choice members, an empty input", () => {
  const tools = [{ type: "function", name: "f" }];
  const param = (req: Record<string, unknown>) => {
    const t = responsesToChat({ model: "writer", ...req });
    if (t.ok) throw new Error(`translated: ${JSON.stringify(t.value.chat)}`);
    expect(t.detail).toContain(t.param.split(".").at(-1));
    return t;
  };
  it("an unknown member of a function or allowed_tools tool_choice (or of an allowed tool) is refused naming it", () => {
    expect(param({ input: "hi", tools, tool_choice: { type: "function", name: "f", bogus: 1 } }).param).toBe("tool_choice.bogus");
    expect(param({ input: "hi", tools, tool_choice: { type: "allowed_tools", mode: "auto", tools: [{ type: "function", name: "f" }], bogus: 1 } }).param).toBe("tool_choice.bogus");
    expect(param({ input: "hi", tools, tool_choice: { type: "allowed_tools", mode: "auto", tools: [{ type: "function", name: "f", bogus: 1 }] } }).param).toBe("tool_choice.tools.0.bogus");
    expect(chatOf({ input: "hi", tools, tool_choice: { type: "function", name: "f", bogus: null } }).tool_choice).toEqual({ type: "function", function: { name: "f" } });
  });

  it("an input list that leaves no message (empty, or reasoning items only) is refused naming input, with instructions or without", () => {
    expect(param({ input: [] })).toMatchObject({ param: "input", detail: expect.stringContaining("must not be empty") });
    expect(param({ instructions: "Be brief.", input: [] })).toMatchObject({ param: "input", detail: expect.stringContaining("instructions alone") });
    expect(param({ input: [{ type: "reasoning", id: "rs_1", summary: [] }] }).param).toBe("input");
    expect(chatOf({ input: [call] }).messages).toEqual([{ role: "assistant", content: null, tool_calls: [{ id: "c1", type: "function", function: { name: "tide", arguments: "{}" } }] }]);
  });

  it("a chat image or file part's member is named as the Responses part names it", () => {
    const t = responsesToChat({ input: [{ role: "user", content: [{ type: "input_image", image_url: "data:image/png;base64,@@" }, { type: "input_file", file_data: "data:application/pdf;base64,%%" }] }] });
    if (!t.ok) throw new Error(t.detail);
    expect(request.chatParamToResponses("messages.0.content.0.image_url.url", t.value.sources)).toBe("input.0.content.0.image_url");
    expect(request.chatParamToResponses("messages.0.content.0.image_url.detail", t.value.sources)).toBe("input.0.content.0.detail");
    expect(request.chatParamToResponses("messages.0.content.1.file.file_data", t.value.sources)).toBe("input.0.content.1.file_data");
    expect(request.chatDetailToResponses("'messages.0.content.0.image_url.url' is a data: URL whose data is not base64", t.value.sources)).toBe("'input.0.content.0.image_url' is a data: URL whose data is not base64");
  });
});

describe("responsesToChat: what it does not send is named, what it cannot carry refused", () => {
  it("reasoning items are not sent and listed by path in notSent; a request without them lists nothing", () => {
    const t = responsesToChat({ model: "writer", input: [{ role: "user", content: "a" }, { type: "reasoning", id: "rs_1", summary: [] }, { role: "user", content: "b" }] });
    expect(t.ok && t.value.notSent).toEqual(["input.1"]);
    expect(t.ok && t.value.chat.messages.map((m) => m.content)).toEqual(["a", "b"]);
    const plain = responsesToChat({ model: "writer", input: "a" });
    expect(plain.ok && plain.value.notSent).toEqual([]);
  });

  it("a text or json_object format takes no member besides type", () => {
    for (const type of ["text", "json_object"]) {
      const t = responsesToChat({ model: "writer", input: "a", text: { format: { type, bogus: 1 } } });
      expect(t).toMatchObject({ ok: false, param: "text.format.bogus" });
    }
    expect(chatOf({ model: "writer", input: "a", text: { format: { type: "json_object" } } }).response_format).toEqual({ type: "json_object" });
  });
});
