import type OpenAI from "openai";

/** What a streamed `chat.completion` added up to, as the `openai` client read it. */
export interface ReadChatStream {
  /** The first choice's content deltas, joined. */
  text: string;
  /** The last `finish_reason` seen (null if none came). */
  finish: string | null;
  /** The usage chunk's usage, if one came. */
  usage: OpenAI.CompletionUsage | undefined;
  /** How many chunks came. */
  count: number;
  /** Every chunk's `object` (each should be `chat.completion.chunk`). */
  objects: string[];
}

/** Reads an `openai` client's chat completion stream to its end. */
export async function readChatStream(stream: AsyncIterable<OpenAI.ChatCompletionChunk>): Promise<ReadChatStream> {
  const r: ReadChatStream = { text: "", finish: null, usage: undefined, count: 0, objects: [] };
  for await (const chunk of stream) {
    r.count++;
    r.objects.push(chunk.object);
    r.text += chunk.choices[0]?.delta.content ?? "";
    r.finish = chunk.choices[0]?.finish_reason ?? r.finish;
    if (chunk.usage) r.usage = chunk.usage;
  }
  return r;
}
