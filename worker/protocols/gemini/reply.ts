/**
 * What a whole reply and a stream share when a Gemini candidate becomes an OpenAI
 * choice (generate-content › Candidate, FinishReason, UsageMetadata, LogprobsResult):
 * its parts, finish reason, tool calls, log probabilities and the usage.
 */
import type { ChatCompletion, ChatCompletionMessageFunctionToolCall } from "openai/resources/chat/completions";
import type { CompletionUsage } from "openai/resources/completions";
import { translated, untranslatable, type Translation } from "../translation.ts";
import type { Candidate, LogprobsResult, Part, UsageMetadata } from "./wire.ts";

/** An OpenAI tool call, with the Gemini thought signature where there was one (as Google's own OpenAI-compatible endpoint carries it). */
export type GeminiToolCall = ChatCompletionMessageFunctionToolCall & { extra_content?: { google: { thought_signature: string } } };

/** The finish reasons a Gemini candidate can end with in OpenAI's terms. */
export type ChatFinishReason = "stop" | "length" | "tool_calls" | "content_filter";

/**
 * Gemini's `finishReason` in OpenAI's terms. `STOP` → `stop` (`tool_calls` when the
 * candidate called functions); `MAX_TOKENS` and `CONTINUATION` (the per-request token
 * limit) → `length`; every safety, recitation, blocklist, prohibited-content, SPII,
 * language and Model Armor stop → `content_filter`. The rest (`MALFORMED_FUNCTION_CALL`,
 * `UNEXPECTED_TOOL_CALL`, `TOO_MANY_TOOL_CALLS`, `MISSING_THOUGHT_SIGNATURE`,
 * `MALFORMED_RESPONSE`, `OTHER`, `FINISH_REASON_UNSPECIFIED`, image failures, and any
 * value added later) mean the candidate is no usable answer: undefined, a failure.
 */
const FINISH: Readonly<Record<string, ChatFinishReason>> = {
  STOP: "stop",
  MAX_TOKENS: "length",
  CONTINUATION: "length",
  SAFETY: "content_filter",
  RECITATION: "content_filter",
  LANGUAGE: "content_filter",
  BLOCKLIST: "content_filter",
  PROHIBITED_CONTENT: "content_filter",
  SPII: "content_filter",
  IMAGE_SAFETY: "content_filter",
  IMAGE_PROHIBITED_CONTENT: "content_filter",
  IMAGE_RECITATION: "content_filter",
  MODEL_ARMOR: "content_filter",
};

/** A candidate's finish reason in OpenAI's terms, or a failure naming it (`path` is the candidate's). */
export function finishReason(c: Pick<Candidate, "finishReason" | "finishMessage">, calledFunctions: boolean, path: string): Translation<ChatFinishReason> {
  const reason = c.finishReason ? FINISH[c.finishReason] : undefined;
  if (!reason) return untranslatable(`${path}.finishReason`, `Gemini ended the candidate with ${c.finishReason ?? "no finishReason"}${c.finishMessage ? `: ${c.finishMessage}` : ""}`);
  return translated(reason === "stop" && calledFunctions ? "tool_calls" : reason);
}

/** The answer in a candidate's parts: its text (`null` when none), its function calls. Thought parts are left out. */
export interface CandidateParts {
  text: string | null;
  calls: NonNullable<Part["functionCall"] & { thoughtSignature?: string | null }>[];
}

/** Members of a part that carry no answer of their own. */
const ANNOTATIONS = new Set(["thought", "thoughtSignature", "partMetadata"]);

/**
 * A candidate's text parts (thoughts left out) joined as they come, and its function
 * calls; a part Chat Completions has no place for (`inlineData`, `executableCode`, …)
 * is a failure naming it.
 */
export function candidateParts(c: Candidate, path: string): Translation<CandidateParts> {
  let text: string | null = null;
  const calls: CandidateParts["calls"] = [];
  for (const [j, p] of (c.content?.parts ?? []).entries()) {
    if (p.functionCall) calls.push({ ...p.functionCall, thoughtSignature: p.thoughtSignature });
    else if (typeof p.text === "string") {
      if (p.thought !== true) text = (text ?? "") + p.text;
    } else {
      const other = Object.keys(p).find((k) => !ANNOTATIONS.has(k) && p[k] != null);
      if (other) return untranslatable(`${path}.content.parts.${j}.${other}`, `Chat Completions has no place for Gemini's '${other}' part`);
    }
  }
  return translated({ text, calls });
}

/**
 * The id of a function call: Gemini's own when it sent one, else
 * `call_<response id>_<candidate index>_<call index>`, the same in a whole reply and
 * in a stream of the same response.
 */
export const toolCallId = (responseId: string, candidate: number, k: number) => `call_${responseId}_${candidate}_${k}`;

/** One function call as an OpenAI tool call: `args` as a JSON string, the thought signature kept. */
export function toolCall(call: CandidateParts["calls"][number], id: string): GeminiToolCall {
  const out: GeminiToolCall = { id, type: "function", function: { name: call.name, arguments: JSON.stringify(call.args ?? {}) } };
  if (call.thoughtSignature) out.extra_content = { google: { thought_signature: call.thoughtSignature } };
  return out;
}

const utf8 = new TextEncoder();

/** A `LogprobsResult` as OpenAI's `choices[].logprobs`: per chosen token, its log probability, UTF-8 bytes and top alternatives. */
export function chatLogprobs(r: LogprobsResult): ChatCompletion.Choice.Logprobs {
  const token = (t: { token?: string | null; logProbability?: number | null }) => ({ token: t.token ?? "", logprob: t.logProbability ?? 0, bytes: [...utf8.encode(t.token ?? "")] });
  // Stryker disable next-line ArrayDeclaration: an entry without candidates gives no alternatives either
  const top = r.topCandidates ?? [];
  return { content: (r.chosenCandidates ?? []).map((c, i) => ({ ...token(c), top_logprobs: (top[i]?.candidates ?? []).map(token) })), refusal: null };
}

/**
 * `usageMetadata` as OpenAI's `usage`: `prompt_tokens` = prompt + tool-use prompt
 * tokens (cached ones included, as OpenAI counts them); `completion_tokens` =
 * candidates + thoughts tokens (OpenAI counts reasoning tokens as completion tokens and
 * details them); `total_tokens` = Gemini's total; `cached_tokens` = `cachedContentTokenCount`;
 * `reasoning_tokens` = `thoughtsTokenCount`.
 */
export function chatUsage(u: UsageMetadata): CompletionUsage {
  const prompt = (u.promptTokenCount ?? 0) + (u.toolUsePromptTokenCount ?? 0);
  const thoughts = u.thoughtsTokenCount ?? 0;
  const completion = (u.candidatesTokenCount ?? 0) + thoughts;
  return {
    prompt_tokens: prompt,
    completion_tokens: completion,
    total_tokens: u.totalTokenCount ?? prompt + completion,
    prompt_tokens_details: { cached_tokens: u.cachedContentTokenCount ?? 0 },
    completion_tokens_details: { reasoning_tokens: thoughts },
  };
}
