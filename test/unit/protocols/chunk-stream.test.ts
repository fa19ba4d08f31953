import { describe, expect, it } from "vitest";
import { chunkStream, type ChunkStep, type ChunkTranslator } from "../../../worker/protocols/chunk-stream.ts";

/** A provider stream of `data:` events, then its end. */
const provider = (...events: string[]) =>
  new ReadableStream<Uint8Array>({
    start(c) {
      for (const e of events) c.enqueue(new TextEncoder().encode(`data: ${e}\n\n`));
      c.close();
    },
  });

/** Each event's `text` as a content chunk, `finish` as a finish chunk; `end()` as given. */
const translator = (end: ChunkStep): ChunkTranslator => ({
  push: (data) => {
    const d = data as { text?: string; finish?: boolean };
    return { chunks: [{ choices: [{ index: 0, delta: d.text ? { content: d.text } : {}, finish_reason: d.finish ? "stop" : null }] }] };
  },
  end: () => end,
});

/** What a reader of the translated stream gets: its text, and the error it ended with, if any. */
async function read(s: ReadableStream<Uint8Array>): Promise<{ text: string; error?: string }> {
  const reader = s.getReader();
  let text = "";
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return { text };
      text += new TextDecoder().decode(value);
    }
  } catch (e) {
    return { text, error: (e as Error).message };
  }
}

describe("chunkStream: how a translated provider stream ends", () => {
  it("a translator whose end() is done: the chunks it still owes, then [DONE], and a clean end", async () => {
    const out = await read(chunkStream(provider('{"text":"hi"}'), translator({ chunks: [{ usage: { total_tokens: 1 } }], done: true })));
    expect(out.error).toBeUndefined();
    expect(out.text.split("\n\n").filter(Boolean).at(-1)).toBe("data: [DONE]");
    expect(out.text).toContain('"usage":{"total_tokens":1}');
  });

  it("a provider stream that ends before the translator is done errors after the chunks, even when a finish reason was sent", async () => {
    const out = await read(chunkStream(provider('{"text":"hi"}', '{"finish":true}'), translator({ chunks: [{ owed: true }], truncated: "the stream ended before message_stop" })));
    expect(out.error).toBe("the stream ended before message_stop");
    expect(out.text).toContain('"finish_reason":"stop"');
    expect(out.text).toContain('{"owed":true}'); // what end() still owed was sent before the error
    expect(out.text).not.toContain("[DONE]");
  });

  it("without a reason from end(), the error says the provider's stream was not complete", async () => {
    const out = await read(chunkStream(provider('{"text":"hi"}'), translator({ chunks: [] })));
    expect(out.error).toBe("the provider's stream ended before it was complete");
    expect(out.text).toContain('"content":"hi"');
  });
});
