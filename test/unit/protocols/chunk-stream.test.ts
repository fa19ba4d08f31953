import { describe, expect, it } from "vitest";
import { chunkStream, DONE, type ChunkStep, type ChunkTranslator } from "../../../worker/protocols/chunk-stream.ts";

const enc = new TextEncoder();
const source = (parts: string[], o: { hang?: boolean } = {}) => {
  let i = 0;
  let cancelled: unknown = "not cancelled";
  const stream = new ReadableStream<Uint8Array>({
    async pull(c) {
      if (i < parts.length) c.enqueue(enc.encode(parts[i++]!));
      else if (o.hang) await new Promise(() => {});
      else c.close();
    },
    cancel(reason) {
      cancelled = reason;
    },
  });
  return { stream, cancelled: () => cancelled };
};
const text = async (s: ReadableStream<Uint8Array>) => new Response(s).text();

/** Echoes each event's data as a chunk `{ got }`; `{ fail }` data is an error; `{ last: true }` or DONE ends it. */
class Echo implements ChunkTranslator {
  seen: { data: unknown; event: string | undefined }[] = [];
  ended = false;
  push(data: unknown, event: string | undefined): ChunkStep {
    this.seen.push({ data, event });
    if (data === DONE) return { chunks: [{ got: "[DONE]" }], done: true };
    const d = data as { fail?: string; last?: boolean };
    if (d.fail) return { chunks: [{ before: "error" }], error: { message: d.fail, type: "server_error" } };
    return { chunks: [{ got: data }], ...(d.last ? { done: true } : {}) };
  }
  end(): ChunkStep {
    this.ended = true;
    return { chunks: [{ end: true }] };
  }
}

describe("a provider's event stream as Chat Completions events", () => {
  it("each event's JSON data (split across reads anywhere) becomes the translator's chunks; DONE from a [DONE] event ends it with [DONE]", async () => {
    const t = new Echo();
    const { stream } = source(['data: {"a"', ':1}\n\nevent: delta\ndata: {"b":2}\n', "\ndata: [DONE]\n\n"]);
    expect(await text(chunkStream(stream, t))).toBe('data: {"got":{"a":1}}\n\ndata: {"got":{"b":2}}\n\ndata: {"got":"[DONE]"}\n\ndata: [DONE]\n\n');
    expect(t.seen.map((s) => s.event)).toEqual([undefined, "delta", undefined]);
    expect(t.ended).toBe(false);
  });

  it("a step that is done ends the stream: nothing after it is read into the output, and the provider's stream is cancelled", async () => {
    const { stream, cancelled } = source(['data: {"last":true}\n\ndata: {"x":1}\n\n', 'data: {"y":2}\n\n'], { hang: true });
    expect(await text(chunkStream(stream, new Echo()))).toBe('data: {"got":{"last":true}}\n\ndata: [DONE]\n\n');
    expect(cancelled()).toBeUndefined();
  });

  it("an error step sends its chunks, then one OpenAI error event, and nothing more", async () => {
    const out = await text(chunkStream(source(['data: {"fail":"overloaded"}\n\ndata: {"x":1}\n\n']).stream, new Echo()));
    expect(out).toBe('data: {"before":"error"}\n\ndata: {"error":{"code":null,"param":null,"message":"overloaded","type":"server_error"}}\n\n');
  });

  it("data that is not JSON is passed on once, as a JSON string (a garbage event for the reader), and ends the stream", async () => {
    const t = new Echo();
    const out = await text(chunkStream(source(['data: {"a":1}\n\ndata: <html>\n\ndata: {"b":2}\n\n']).stream, t));
    expect(out).toBe('data: {"got":{"a":1}}\n\ndata: "<html>"\n\n');
    expect(t.seen).toHaveLength(1);
  });

  it("a provider stream that ends without a done step (a cut event left over) gets what the translator's end() owes, no [DONE], and errors", async () => {
    const t = new Echo();
    const out = await read(chunkStream(source(['data: {"a":1}\n\n', 'data: {"b"']).stream, t));
    expect(out).toEqual({ text: 'data: {"got":{"a":1}}\n\ndata: {"end":true}\n\n', error: "the provider's stream ended before it was complete" });
    expect(t.ended).toBe(true);
  });

  it("aborting the signal errors the output at once (as an aborted fetch errors its body) and cancels the provider's stream", async () => {
    const { stream, cancelled } = source(['data: {"a":1}\n\n'], { hang: true });
    const ac = new AbortController();
    const reader = chunkStream(stream, new Echo(), ac.signal).getReader();
    expect(new TextDecoder().decode((await reader.read()).value)).toBe('data: {"got":{"a":1}}\n\n');
    const next = reader.read();
    ac.abort(new Error("stalled"));
    await expect(next).rejects.toThrow("stalled");
    expect(cancelled()).toEqual(new Error("stalled"));
  });

  it("cancelling the output cancels the provider's stream", async () => {
    const { stream, cancelled } = source([], { hang: true });
    await chunkStream(stream, new Echo()).cancel("client left");
    expect(cancelled()).toBe("client left");
  });

  it("a provider stream that errors errors the output", async () => {
    const broken = new ReadableStream<Uint8Array>({
      start(c) {
        c.enqueue(enc.encode('data: {"a":1}\n\n'));
        c.error(new Error("reset"));
      },
    });
    const reader = chunkStream(broken, new Echo()).getReader();
    await expect((async () => { for (;;) if ((await reader.read()).done) return; })()).rejects.toThrow("reset");
  });
});

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
