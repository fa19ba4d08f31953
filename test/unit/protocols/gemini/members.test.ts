import { describe, expect, it } from "vitest";
import { chatToGenerateContent } from "../../../../worker/protocols/gemini/translate.ts";
import { unsentMembers } from "../../../../worker/protocols/gemini/contents.ts";

const hi = [{ role: "user", content: "hi" }];
const TOOLS = [{ type: "function", function: { name: "f" } }];
const call = { id: "c1", type: "function", function: { name: "f", arguments: "{}" } };
const image = (image_url: Record<string, unknown>) => ({ role: "user", content: [{ type: "image_url", image_url }] });
/** A refusal's param, its detail naming it. */
const refused = (chat: Record<string, unknown>) => {
  const r = chatToGenerateContent({ messages: hi, ...chat });
  if (r.ok) throw new Error(`not refused: ${JSON.stringify(r.value)}`);
  expect(r.detail).toContain(r.param);
  return r.param;
};
const sent = (chat: Record<string, unknown>) => {
  const r = chatToGenerateContent({ messages: hi, ...chat });
  if (!r.ok) throw new Error(`refused ${r.param}: ${r.detail}`);
  return r.value;
};

describe("Gemini: every member of a tool call, a tool choice, a response format and an image is carried or refused", () => {
  it("an unknown member of an assistant's tool call or of its function is refused naming its path (the openai SDK leaves no index on accumulated calls)", () => {
    expect(refused({ messages: [...hi, { role: "assistant", content: null, tool_calls: [{ ...call, bogus: 1 }] }] })).toBe("messages.1.tool_calls.0.bogus");
    expect(refused({ messages: [...hi, { role: "assistant", content: null, tool_calls: [{ ...call, index: 0 }] }] })).toBe("messages.1.tool_calls.0.index");
    expect(refused({ messages: [...hi, { role: "assistant", content: null, tool_calls: [{ ...call, function: { ...call.function, bogus: 1 } }] }] })).toBe("messages.1.tool_calls.0.function.bogus");
    const google = { google: { thought_signature: "sig" } };
    expect(sent({ messages: [...hi, { role: "assistant", content: null, tool_calls: [{ ...call, extra_content: google, bogus: null }] }, ...hi] }).contents[1]).toEqual({ role: "model", parts: [{ functionCall: { name: "f", args: {}, id: "c1" }, thoughtSignature: "sig" }] });
  });

  it("an unknown member of a tool_choice, of its function, of allowed_tools is refused naming its path", () => {
    expect(refused({ tools: TOOLS, tool_choice: { type: "function", function: { name: "f" }, bogus: 1 } })).toBe("tool_choice.bogus");
    expect(refused({ tools: TOOLS, tool_choice: { type: "function", function: { name: "f", bogus: 1 } } })).toBe("tool_choice.function.bogus");
    expect(refused({ tools: TOOLS, tool_choice: { type: "allowed_tools", allowed_tools: { mode: "auto", tools: [{ type: "function", function: { name: "f" } }], bogus: 1 } } })).toBe("tool_choice.allowed_tools.bogus");
    expect(refused({ tools: TOOLS, tool_choice: { type: "allowed_tools", allowed_tools: { mode: "auto", tools: [{ type: "function", function: { name: "f", bogus: 1 } }] } } })).toBe("tool_choice.allowed_tools.tools.0.function.bogus");
    expect(sent({ tools: TOOLS, tool_choice: { type: "function", function: { name: "f" } } }).toolConfig).toEqual({ functionCallingConfig: { mode: "ANY", allowedFunctionNames: ["f"] } });
  });

  it("response_format: a json_schema member other than name, description, schema, strict is refused, and so is a member beside type", () => {
    expect(refused({ response_format: { type: "json_schema", json_schema: { name: "n", schema: { type: "object" }, bogus: 1 } } })).toBe("response_format.json_schema.bogus");
    expect(refused({ response_format: { type: "json_object", bogus: 1 } })).toBe("response_format.bogus");
    expect(refused({ response_format: { type: "json_object", json_schema: { schema: {} } } })).toBe("response_format.json_schema");
    const format = { type: "json_schema", json_schema: { name: "n", description: "d", schema: { type: "object" }, strict: false } };
    expect(sent({ response_format: format }).generationConfig).toEqual({ responseMimeType: "application/json", responseJsonSchema: { description: "d", type: "object" } });
  });

  it("an image_url member other than url and detail is refused", () => {
    expect(refused({ messages: [image({ url: "https://x/a.png", bogus: 1 })] })).toBe("messages.0.content.0.image_url.bogus");
    expect(refused({ messages: [{ role: "user", content: [{ type: "input_audio", input_audio: { data: "AAAA", format: "wav", bogus: 1 } }] }] })).toBe("messages.0.content.0.input_audio.bogus");
    expect(sent({ messages: [image({ url: "https://x/a.png", detail: "low", bogus: null })] }).contents[0]!.parts).toEqual([{ fileData: { fileUri: "https://x/a.png", mimeType: "image/png" }, mediaResolution: { level: "MEDIA_RESOLUTION_LOW" } }]);
  });
});

describe("Gemini: inline data must be base64", () => {
  it("a data: URL (image, file) or audio whose data is not base64 is refused naming it, never sent as inlineData", () => {
    for (const url of ["data:image/png;base64,@@@notbase64!!", "data:image/png;base64,", "data:image/png;base64,AAAAA", "data:image/png;base64,AA=A", "data:image/png;base64,AA AA"])
      expect(refused({ messages: [image({ url })] }), url).toBe("messages.0.content.0.image_url.url");
    expect(refused({ messages: [{ role: "user", content: [{ type: "file", file: { file_data: "data:application/pdf;base64,%%%" } }] }] })).toBe("messages.0.content.0.file.file_data");
    expect(refused({ messages: [{ role: "user", content: [{ type: "input_audio", input_audio: { data: "not base64!", format: "wav" } }] }] })).toBe("messages.0.content.0.input_audio.data");
    for (const data of ["iVBORw0KGgo=", "AAAA", "AA", "AA==", "_-8="]) expect(sent({ messages: [image({ url: `data:image/png;base64,${data}` })] }).contents[0]!.parts, data).toEqual([{ inlineData: { mimeType: "image/png", data } }]);
  });
});

describe("Gemini: a message whose content is an empty list", () => {
  it("is refused naming messages.N.content, as a missing content is (an assistant's may have tool_calls)", () => {
    expect(refused({ messages: [{ role: "user", content: [] }] })).toBe("messages.0.content");
    expect(refused({ messages: [...hi, { role: "assistant", content: [] }, ...hi] })).toBe("messages.1.content");
    expect(refused({ messages: [{ role: "system", content: [] }, ...hi] })).toBe("messages.0.content");
    expect(sent({ messages: [...hi, { role: "assistant", content: [], tool_calls: [call] }, { role: "tool", tool_call_id: "c1", content: "ok" }] }).contents).toHaveLength(3);
  });
});

describe("a file part's filename (Gemini's inlineData has no name)", () => {
  it("is not sent, and listed by path as not sent", () => {
    const messages = [{ role: "user", content: [{ type: "text", text: "read" }, { type: "file", file: { file_data: "data:application/pdf;base64,JVBERi0=", filename: "a.pdf" } }] }];
    const t = chatToGenerateContent({ messages });
    expect(t).toMatchObject({ ok: true, value: { contents: [{ role: "user", parts: [{ text: "read" }, { inlineData: { mimeType: "application/pdf", data: "JVBERi0=" } }] }] } });
    expect(JSON.stringify(t)).not.toContain("a.pdf");
    expect(unsentMembers(messages)).toEqual(["messages.0.content.1.file.filename"]);
    expect(unsentMembers([{ role: "user", content: "hi" }])).toEqual([]);
  });
});
