import { describe, expect, it } from "vitest";
import type { Translation } from "../../../../worker/protocols/translation.ts";
import { messagesToChat } from "../../../../worker/protocols/anthropic/messages-to-chat.ts";
import { countTokensExtra, unsentBlocks } from "../../../../worker/protocols/anthropic/door-request.ts";
import { MessagesRequest } from "../../../../worker/protocols/anthropic/wire.ts";

/**
 * The Anthropic front door: messagesToChat refuses members OpenAI cannot take and a
 * tool result that answers no tool use, naming the path; the request schema refuses
 * base64 that is not base64 and image URLs that are not http(s); count_tokens takes
 * only its own fields.
 */
const req = (messages: unknown[], extra: Record<string, unknown> = {}) => MessagesRequest.parse({ model: "auto", max_tokens: 10, messages, ...extra });
function refused(t: Translation<unknown>, param: string, detail?: string): void {
  expect(t).toMatchObject({ ok: false, param });
  if (!t.ok) expect(t.detail).toContain(`'${param}'`);
  if (!t.ok && detail) expect(t.detail).toContain(detail);
}
const user = (content: unknown, extra: Record<string, unknown> = {}) => ({ role: "user", content, ...extra });
const use = { type: "tool_use", id: "toolu_1", name: "f", input: {} };
const PNG = "iVBORw0KGgo=";

describe("messagesToChat: members OpenAI cannot take are refused, naming the path", () => {
  it("on a text block, a message, an image source, a tool_use and a tool_result", () => {
    refused(messagesToChat(req([user([{ type: "text", text: "hi", zzz: 1 }])])), "messages.0.content.0.zzz");
    refused(messagesToChat(req([user("hi", { extra_member: 1 })])), "messages.0.extra_member");
    refused(messagesToChat(req([user([{ type: "image", source: { type: "base64", media_type: "image/png", data: PNG, qq: 2 } }])])), "messages.0.content.0.source.qq");
    refused(messagesToChat(req([user([{ type: "image", source: { type: "url", url: "https://example.com/a.png" }, transformations: {} }])])), "messages.0.content.0.transformations");
    refused(messagesToChat(req([user("q"), { role: "assistant", content: [{ ...use, toolset_name: "x" }] }])), "messages.1.content.0.toolset_name");
    refused(messagesToChat(req([user("q"), { role: "assistant", content: [use] }, user([{ type: "tool_result", tool_use_id: "toolu_1", content: "r", zzz: 1 }])])), "messages.2.content.0.zzz");
    refused(messagesToChat(req([user("q")], { system: [{ type: "text", text: "s", zzz: 1 }] })), "system.0.zzz");
  });

  it("cache_control, a direct caller and null members ask for nothing", () => {
    const t = messagesToChat(req([user([{ type: "text", text: "hi", cache_control: { type: "ephemeral" }, citations: null }]), { role: "assistant", content: [{ ...use, caller: { type: "direct" } }] }, user([{ type: "tool_result", tool_use_id: "toolu_1", content: "r" }])]));
    expect(t.ok).toBe(true);
  });

  it("a tool_result whose tool_use_id matches no earlier tool_use is refused (Anthropic refuses it too)", () => {
    refused(messagesToChat(req([user([{ type: "tool_result", tool_use_id: "toolu_x", content: "r" }])])), "messages.0.content.0.tool_use_id", "no earlier tool_use");
    refused(messagesToChat(req([user("q"), { role: "assistant", content: [use] }, user([{ type: "tool_result", tool_use_id: "toolu_2", content: "r" }])])), "messages.2.content.0.tool_use_id");
  });
});

describe("messagesToChat: tool_choice, cache_control and empty content", () => {
  const tools = [{ name: "f", input_schema: { type: "object" } }];
  it("an unknown member of tool_choice is refused, naming it", () => {
    refused(messagesToChat(req([user("q")], { tools, tool_choice: { type: "tool", name: "f", bogus: 1 } })), "tool_choice.bogus");
    refused(messagesToChat(req([user("q")], { tools, tool_choice: { type: "none", disable_parallel_tool_use: true } })), "tool_choice.disable_parallel_tool_use");
    expect(messagesToChat(req([user("q")], { tools, tool_choice: { type: "any", disable_parallel_tool_use: true } })).ok).toBe(true);
  });

  it("an unknown member of cache_control is refused wherever it stands; type and ttl are omitted as before", () => {
    const cc = { type: "ephemeral", bogus: 1 };
    refused(messagesToChat(req([user("q")], { cache_control: cc })), "cache_control.bogus");
    refused(messagesToChat(req([user([{ type: "text", text: "q", cache_control: cc }])])), "messages.0.content.0.cache_control.bogus");
    refused(messagesToChat(req([user("q")], { system: [{ type: "text", text: "s", cache_control: cc }] })), "system.0.cache_control.bogus");
    refused(messagesToChat(req([user("q")], { tools: [{ ...tools[0], cache_control: cc }] })), "tools.0.cache_control.bogus");
    expect(messagesToChat(req([user("q")], { cache_control: { type: "ephemeral", ttl: "1h" } })).ok).toBe(true);
  });

  it("empty content is refused at messages.N.content, except in a final assistant turn (Anthropic's rule)", () => {
    refused(messagesToChat(req([user([])])), "messages.0.content", "must not be empty");
    refused(messagesToChat(req([user("")])), "messages.0.content");
    refused(messagesToChat(req([user("q"), { role: "assistant", content: [] }, user("r")])), "messages.1.content");
    expect(messagesToChat(req([user("q"), { role: "assistant", content: [] }])).ok).toBe(true);
  });
});

describe("MessagesRequest: base64 and image URLs", () => {
  const issue = (block: unknown) => {
    const r = MessagesRequest.safeParse({ model: "auto", max_tokens: 10, messages: [user([block])] });
    return r.success ? undefined : r.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ");
  };
  it("base64 data that is not base64 is refused, naming the field", () => {
    expect(issue({ type: "image", source: { type: "base64", media_type: "image/png", data: "!!!notbase64$$$" } })).toMatch(/^messages\.0\.content\.0\.source\.data: must be base64/);
    expect(issue({ type: "document", source: { type: "base64", media_type: "application/pdf", data: "%%%" } })).toMatch(/^messages\.0\.content\.0\.source\.data: must be base64/);
    expect(issue({ type: "image", source: { type: "base64", media_type: "image/png", data: PNG } })).toBeUndefined();
  });
  it("an image URL that is not an absolute http(s) URL is refused, naming the field", () => {
    expect(issue({ type: "image", source: { type: "url", url: "javascript:alert(1)" } })).toMatch(/^messages\.0\.content\.0\.source\.url: must be an absolute http\(s\) URL/);
    expect(issue({ type: "image", source: { type: "url", url: "not a url" } })).toMatch(/^messages\.0\.content\.0\.source\.url/);
    expect(issue({ type: "image", source: { type: "url", url: "http://169.254.169.254/a.png" } })).toBeUndefined(); // the provider's fetch, not the router's
  });
});

describe("count_tokens: only its own fields", () => {
  it("stream, max_tokens and unknown fields are named; the documented ones pass", () => {
    expect(countTokensExtra({ model: "auto", messages: [], stream: true })).toBe("stream");
    expect(countTokensExtra({ model: "auto", messages: [], zzz: 1 })).toBe("zzz");
    expect(countTokensExtra({ model: "auto", messages: [], max_tokens: 5 })).toBe("max_tokens");
    expect(countTokensExtra({ model: "auto", messages: [], system: "s", tools: [], tool_choice: { type: "auto" }, thinking: { type: "disabled" }, output_config: {}, cache_control: null, context_management: {} })).toBeUndefined();
  });
});

describe("tool_choice without tools (the Anthropic door → an OpenAI-format specialist)", () => {
  it("a choice other than none needs tools, as Anthropic's API says; none without tools asks for nothing", () => {
    for (const tool_choice of [{ type: "any" }, { type: "auto" }, { type: "tool", name: "f" }]) {
      const t = messagesToChat(MessagesRequest.parse({ model: "auto", max_tokens: 5, messages: [{ role: "user", content: "hi" }], tool_choice }));
      expect(t, JSON.stringify(tool_choice)).toMatchObject({ ok: false, param: "tool_choice" });
    }
    const none = messagesToChat(MessagesRequest.parse({ model: "auto", max_tokens: 5, messages: [{ role: "user", content: "hi" }], tool_choice: { type: "none" } }));
    expect(none).toMatchObject({ ok: true, value: { tool_choice: "none" } });
    const withTools = messagesToChat(MessagesRequest.parse({ model: "auto", max_tokens: 5, messages: [{ role: "user", content: "hi" }], tools: [{ name: "f", input_schema: { type: "object" } }], tool_choice: { type: "any" } }));
    expect(withTools).toMatchObject({ ok: true, value: { tool_choice: "required" } });
  });
});

describe("earlier assistant turns (the Anthropic door → an OpenAI-format specialist)", () => {
  const turns = (assistant: unknown[]) => MessagesRequest.parse({ model: "auto", max_tokens: 5, messages: [{ role: "user", content: "q" }, { role: "assistant", content: assistant }, { role: "user", content: "again" }] });

  it("thinking blocks are not sent and are listed by path; text is carried", () => {
    const req = turns([{ type: "thinking", thinking: "hmm", signature: "s" }, { type: "text", text: "a" }, { type: "redacted_thinking", data: "x" }]);
    expect(unsentBlocks(req)).toEqual(["messages.1.content.0", "messages.1.content.2"]);
    expect(messagesToChat(req)).toMatchObject({ ok: true, value: { messages: [{ role: "user" }, { role: "assistant", content: "a" }, { role: "user" }] } });
    expect(unsentBlocks(turns([{ type: "text", text: "a" }]))).toEqual([]);
  });

  it("non-empty citations on an assistant text block are refused, naming them", () => {
    const citation = { type: "char_location", cited_text: "x", document_index: 0, document_title: null, start_char_index: 0, end_char_index: 1 };
    expect(messagesToChat(turns([{ type: "text", text: "a", citations: [citation] }]))).toMatchObject({ ok: false, param: "messages.1.content.0.citations" });
    expect(messagesToChat(turns([{ type: "text", text: "a", citations: [] }]))).toMatchObject({ ok: true });
  });
});
