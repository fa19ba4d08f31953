/**
 * A stand-in for the Workers AI binding (`env.AI`) for tests, where there is no
 * network: a Worker whose RPC entrypoint `FakeWorkersAi` has the binding's
 * `run(model, inputs, options?)` and answers text generation in the real formats
 * (https://developers.cloudflare.com/workers-ai/models/, `AiTextGenerationOutput` of
 * `@cloudflare/workers-types`): `{ response, tool_calls?, usage }`, or with
 * `stream: true` a `ReadableStream` of server-sent events `data: {"response":"…","p":"…"}`,
 * a last event with `usage`, then `data: [DONE]`. Bound to the router as a service
 * binding with that entrypoint, `env.AI.run(…)` reaches it exactly as it would reach
 * Workers AI.
 *
 * The reply is `[<model>] heard: <last user message>`, streamed a word per event. With
 * `tools`, a call (the legacy form `{ name, arguments: object }`) of the first tool with
 * `{ "heard": <last user message> }`, unless the last message is a tool result: then the
 * reply is `[<model>] heard: <the result>` (a tool round trip ends). Failures as Workers AI throws them (an `Error`
 * whose message starts with the error code):
 *   @cf/test/capacity        throws "3040: Capacity temporarily exceeded, please try again."
 *   @cf/test/no-such-model   throws "5007: No such model @cf/test/no-such-model or task"
 *   @cf/test/upstream-error  throws "InferenceUpstreamError: 3043: Internal server error"
 *   @cf/test/hang            answers after 60 s
 *   @cf/test/garbage         answers `{ result: 42 }` (not a text-generation answer)
 *   @cf/test/openai-format   answers a whole `chat.completion` (as newer models do)
 * and streamed:
 *   @cf/test/stream-cut      two words, then the stream ends without usage or [DONE]
 *   @cf/test/stream-error    two words, then an event `{ "error": "…" }`
 *   @cf/test/stream-garbage  two words, then an event that is not JSON
 *   @cf/test/stream-stall    two words, then nothing for 60 s
 * `calls()` returns every `run` call received (model and inputs), oldest first;
 * `reset()` forgets them.
 */
import { WorkerEntrypoint } from "cloudflare:workers";

interface Call {
  model: string;
  inputs: Record<string, unknown>;
}

const calls: Call[] = [];
const enc = new TextEncoder();

function messagesOf(inputs: Record<string, unknown>): { role?: string; content?: unknown }[] {
  return Array.isArray(inputs.messages) ? (inputs.messages as { role?: string; content?: unknown }[]) : [];
}

function lastUser(inputs: Record<string, unknown>): string {
  const messages = messagesOf(inputs);
  const last = messages.at(-1);
  if (last?.role === "tool") return String(last.content ?? "");
  for (let i = messages.length - 1; i >= 0; i--) if (messages[i]!.role === "user") return String(messages[i]!.content ?? "");
  return typeof inputs.prompt === "string" ? inputs.prompt : "";
}

const words = (s: string) => s.split(/\s+/).filter(Boolean).length;

function sse(events: readonly string[], end: "done" | "cut" | "stall"): ReadableStream<Uint8Array> {
  let i = 0;
  return new ReadableStream<Uint8Array>({
    async pull(c) {
      if (i < events.length) {
        c.enqueue(enc.encode(`data: ${events[i++]}\n\n`));
        return;
      }
      if (end === "done") {
        c.enqueue(enc.encode("data: [DONE]\n\n"));
        c.close();
      } else if (end === "cut") c.close();
      else await new Promise((resolve) => setTimeout(resolve, 60_000)); // stall: nothing more for a minute
    },
  });
}

export class FakeWorkersAi extends WorkerEntrypoint {
  async run(model: string, inputs: Record<string, unknown>, _options?: Record<string, unknown>): Promise<unknown> {
    calls.push({ model, inputs: structuredClone(inputs) });
    if (model === "@cf/test/capacity") throw new Error("3040: Capacity temporarily exceeded, please try again.");
    if (model === "@cf/test/no-such-model") throw new Error(`5007: No such model ${model} or task`);
    if (model === "@cf/test/upstream-error") throw new Error("InferenceUpstreamError: 3043: Internal server error");
    if (model === "@cf/test/hang") return new Promise((resolve) => setTimeout(() => resolve({ response: "too late" }), 60_000)); // a timer, so workerd sees no hung promise
    if (model === "@cf/test/garbage") return { result: 42 };
    const heard = lastUser(inputs);
    const text = `[${model}] heard: ${heard}`;
    const prompt = words(JSON.stringify(inputs.messages ?? inputs.prompt ?? ""));
    const usage = { prompt_tokens: prompt, completion_tokens: words(text), total_tokens: prompt + words(text) };
    const tools = Array.isArray(inputs.tools) ? (inputs.tools as { name?: string; function?: { name?: string } }[]) : [];
    const tool = tools[0] && messagesOf(inputs).at(-1)?.role !== "tool" ? (tools[0].function?.name ?? tools[0].name) : undefined;
    if (model === "@cf/test/openai-format")
      return { id: "chatcmpl-fake", object: "chat.completion", created: 1, model, choices: [{ index: 0, message: { role: "assistant", content: text }, finish_reason: "stop" }], usage };
    if (inputs.stream !== true) return tool ? { response: "", tool_calls: [{ name: tool, arguments: { heard } }], usage } : { response: text, usage };
    const parts = text.split(" ").map((w, i) => JSON.stringify({ response: i === 0 ? w : ` ${w}`, p: "abcdef".slice(0, (i % 6) + 1) }));
    if (model === "@cf/test/stream-cut") return sse(parts.slice(0, 2), "cut");
    if (model === "@cf/test/stream-stall") return sse(parts.slice(0, 2), "stall");
    if (model === "@cf/test/stream-error") return sse([...parts.slice(0, 2), JSON.stringify({ error: "3043: Internal server error" })], "done");
    if (model === "@cf/test/stream-garbage") return sse([...parts.slice(0, 2), "<html>oops</html>"], "done");
    const events = tool ? [JSON.stringify({ response: "", tool_calls: [{ name: tool, arguments: { heard } }] })] : parts;
    return sse([...events, JSON.stringify({ response: "", usage })], "done");
  }

  calls(): Call[] {
    return calls;
  }

  reset(): void {
    calls.length = 0;
  }
}

export default {
  fetch(): Response {
    return new Response("the fake Workers AI binding is reached over RPC (FakeWorkersAi.run)", { status: 404 });
  },
};
