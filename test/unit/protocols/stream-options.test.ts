import { describe, expect, it } from "vitest";
import { chatToMessages } from "../../../worker/protocols/anthropic/chat-to-messages.ts";
import { chatToGenerateContent } from "../../../worker/protocols/gemini/translate.ts";
import { streamOptionsRefusal } from "../../../worker/protocols/translation.ts";
import { chatToWorkersAi } from "../../../worker/protocols/workers-ai/translate.ts";

const messages = [{ role: "user", content: "hi" }];

describe("stream_options on a translated model", () => {
  it("takes include_usage (a boolean) and refuses any other member, naming it", () => {
    expect(streamOptionsRefusal({ stream_options: { include_usage: true } })).toBeUndefined();
    expect(streamOptionsRefusal({ stream_options: {} })).toBeUndefined();
    expect(streamOptionsRefusal({})).toBeUndefined();
    expect(streamOptionsRefusal({ stream_options: { include_usage: true, bogus: 1 } })).toMatchObject({ ok: false, param: "stream_options.bogus" });
    expect(streamOptionsRefusal({ stream_options: { include_obfuscation: false } })).toMatchObject({ ok: false, param: "stream_options.include_obfuscation" });
    expect(streamOptionsRefusal({ stream_options: { include_usage: "yes" } })).toMatchObject({ ok: false, param: "stream_options.include_usage" });
    expect(streamOptionsRefusal({ stream_options: [1] })).toMatchObject({ ok: false, param: "stream_options" });
  });

  it("every translator refuses an unknown member before anything else", () => {
    const chat = { messages, stream_options: { bogus: 1 } };
    expect(chatToMessages(chat, { model: "m", defaultMaxTokens: 10 })).toMatchObject({ ok: false, param: "stream_options.bogus" });
    expect(chatToGenerateContent(chat)).toMatchObject({ ok: false, param: "stream_options.bogus" });
    expect(chatToWorkersAi(chat, {})).toMatchObject({ ok: false, param: "stream_options.bogus" });
    expect(chatToWorkersAi({ messages, stream_options: { include_usage: true } }, {})).toMatchObject({ ok: true });
  });
});
