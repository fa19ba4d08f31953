/**
 * A Gemini stream (`:streamGenerateContent?alt=sse`: each event a whole
 * `GenerateContentResponse` carrying the next text of each candidate, complete function
 * calls, and at the end its `finishReason`; generate-content › streamGenerateContent)
 * as OpenAI `chat.completion.chunk`s (OpenAI API reference, "The chat completion chunk
 * object"). Pure and incremental: the adapter parses each event (an `{ "error": … }`
 * event is its to handle, wire.ts `GeminiError`) and pushes it; `end()` says whether
 * the stream was complete.
 *
 * - A candidate's first chunk carries `role: "assistant"`; then one chunk per event with
 *   its text (`delta.content`, thoughts left out) and function calls
 *   (`delta.tool_calls`, each whole: `index` counting the candidate's calls across the
 *   stream, `id`, `function.name`, all of `function.arguments`); logprobs with them.
 * - A `finishReason` → a chunk with an empty delta and `finish_reason` (mapped as in a
 *   whole reply, reply.ts); one with no usable answer is a failure.
 * - With `includeUsage` every chunk has `usage: null` and `end()` adds one chunk with
 *   `choices: []` and the last `usageMetadata` seen (Gemini repeats it, growing).
 * - Failures (a `Translation` refusal, `param` naming the Gemini field): a blocked
 *   prompt, a part Chat Completions cannot carry, more of a candidate after its
 *   finish reason. After one, the stream is over: every push returns it again.
 * - `end()` without a finish reason for every candidate (or with none seen): not
 *   complete, so the adapter reports the stream as truncated, never as a success.
 */
import type { ChatCompletionChunk } from "openai/resources/chat/completions";
import type { CompletionUsage } from "openai/resources/completions";
import { translated, untranslatable, type Translation } from "../translation.ts";
import { candidateParts, chatLogprobs, chatUsage, finishReason, toolCall, toolCallId, type ChatFinishReason, type GeminiToolCall } from "./reply.ts";
import type { GenerateContentResponse, UsageMetadata } from "./wire.ts";

/** A chunk's delta as this translation makes it: tool calls may carry Gemini's thought signature. */
export interface GeminiDelta {
  role?: "assistant";
  content?: string;
  tool_calls?: (GeminiToolCall & { index: number })[];
}

/** A `chat.completion.chunk` as this translation makes it. */
export type GeminiChunk = Omit<ChatCompletionChunk, "choices"> & {
  choices: { index: number; delta: GeminiDelta; logprobs: ChatCompletionChunk.Choice["logprobs"]; finish_reason: ChatFinishReason | null }[];
};

/** How a stream ended: complete (with the usage chunk, when asked), or cut short. */
export type StreamEnd = { complete: true; chunks: GeminiChunk[] } | { complete: false; detail: string };

export interface ChunkStreamOptions {
  /** The chunks' `id`, the same for every chunk; also the base of generated tool call ids when Gemini sends no `responseId`. */
  id: string;
  created: number;
  model: string;
  /** The client asked for `stream_options.include_usage`. */
  includeUsage: boolean;
}

/**
 * @example
 * const s = new GenerateContentStream({ id: "chatcmpl-1", created: 1, model: "gemini-2.5-flash", includeUsage: false });
 * s.push({ candidates: [{ content: { role: "model", parts: [{ text: "Hel" }] } }] }); // [chunk { delta: { role: "assistant", content: "Hel" } }]
 * s.push({ candidates: [{ content: { role: "model", parts: [{ text: "lo" }] }, finishReason: "STOP" }] }); // [chunk { delta: { content: "lo" } }, chunk { delta: {}, finish_reason: "stop" }]
 * s.end(); // { complete: true, chunks: [] }
 */
export class GenerateContentStream {
  readonly #o: ChunkStreamOptions;
  readonly #candidates = new Map<number, { calls: number; finished: boolean; started: boolean }>();
  #usage: UsageMetadata | undefined;
  #responseId: string | undefined;
  #failed: Translation<never> | undefined;

  constructor(o: ChunkStreamOptions) {
    this.#o = o;
  }

  /** The usage so far (the last `usageMetadata` seen), in OpenAI's terms. */
  get usage(): CompletionUsage | undefined {
    return this.#usage && chatUsage(this.#usage);
  }

  /** The chunks one streamed response stands for (none for an event without news), or the failure it is. */
  push(res: GenerateContentResponse): Translation<GeminiChunk[]> {
    if (this.#failed) return this.#failed;
    if (res.usageMetadata) this.#usage = res.usageMetadata;
    this.#responseId ??= res.responseId ?? undefined;
    const candidates = res.candidates ?? [];
    if (candidates.length === 0 && res.promptFeedback?.blockReason) return this.#fail(untranslatable("promptFeedback.blockReason", `Gemini blocked the prompt (${res.promptFeedback.blockReason})`));
    const out: GeminiChunk[] = [];
    for (const [i, c] of candidates.entries()) {
      const index = c.index ?? i;
      const path = `candidates.${i}`;
      const parts = candidateParts(c, path);
      if (!parts.ok) return this.#fail(parts);
      const { text, calls } = parts.value;
      const news = Boolean(text) || calls.length > 0;
      let state = this.#candidates.get(index);
      if (state?.finished) {
        if (news) return this.#fail(untranslatable(path, `Gemini sent more of candidate ${index} after its finishReason`));
        continue;
      }
      if (!state) this.#candidates.set(index, (state = { calls: 0, finished: false, started: false }));
      const delta: GeminiDelta = state.started ? {} : { role: "assistant" };
      if (text) delta.content = text;
      if (calls.length > 0) {
        const base = this.#responseId ?? this.#o.id;
        delta.tool_calls = calls.map((call) => {
          const k = state.calls++;
          return { index: k, ...toolCall(call, call.id ?? toolCallId(base, index, k)) };
        });
      }
      if (news) out.push(this.#chunk(index, delta, c.logprobsResult ? chatLogprobs(c.logprobsResult) : null, null));
      if (!c.finishReason) {
        state.started ||= news;
        continue;
      }
      const reason = finishReason(c, state.calls > 0, path);
      if (!reason.ok) return this.#fail(reason);
      if (!news && !state.started) out.push(this.#chunk(index, { role: "assistant" }, null, null));
      out.push(this.#chunk(index, {}, null, reason.value));
      state.started = state.finished = true;
    }
    return translated(out);
  }

  /** Whether the stream was complete: a finish reason for every candidate; then the usage chunk, when asked for. */
  end(): StreamEnd {
    if (this.#failed && !this.#failed.ok) return { complete: false, detail: this.#failed.detail };
    if (this.#candidates.size === 0) return { complete: false, detail: "the Gemini stream ended before any candidate" };
    const open = [...this.#candidates].filter(([, s]) => !s.finished).map(([i]) => i);
    if (open.length > 0) return { complete: false, detail: `the Gemini stream ended before candidate ${open.join(", ")} had a finishReason` };
    if (!this.#o.includeUsage) return { complete: true, chunks: [] };
    return { complete: true, chunks: [{ id: this.#o.id, object: "chat.completion.chunk", created: this.#o.created, model: this.#o.model, choices: [], usage: this.usage ?? null }] };
  }

  #chunk(index: number, delta: GeminiDelta, logprobs: GeminiChunk["choices"][number]["logprobs"], finish: ChatFinishReason | null): GeminiChunk {
    const chunk: GeminiChunk = { id: this.#o.id, object: "chat.completion.chunk", created: this.#o.created, model: this.#o.model, choices: [{ index, delta, logprobs, finish_reason: finish }] };
    if (this.#o.includeUsage) chunk.usage = null;
    return chunk;
  }

  #fail(f: Translation<never>): Translation<never> {
    this.#failed = f;
    return f;
  }
}
