import type { Specialist } from "../config/schema.ts";

const utf8 = new TextEncoder();

/**
 * What admission reserves against daily budgets for one call, USD: an upper bound of
 * what the call can cost, settled to the real cost when it ends (pools/budget.ts), so
 * calls in flight count against the budget and concurrent callers cannot overspend
 * it by more than one call's ceiling.
 *
 * - `costPerCall`, plus for a priced chat model (`pricing`, USD per million tokens)
 *   whose request bounds its reply (`max_completion_tokens` / `max_tokens`, or the
 *   endpoint's default `maxTokens`): the UTF-8
 *   bytes of the whole request body and the system prompt as input tokens (a
 *   byte-level tokenizer makes at most one token a byte) and the reply bound as output
 *   tokens;
 * - else the specialist's `limits.maxCallCostUsd` (the operator's ceiling for one call);
 * - else `costPerCall` alone: a call whose cost is reported afterwards (a priced model
 *   asked for an unbounded reply, a service reporting `costUsd`) is bounded only if
 *   `maxCallCostUsd` is set (docs/limits-and-resilience.md).
 * A computed bound above `maxCallCostUsd` is capped by it.
 *
 * @example
 * callCeilingUsd(gpt, { messages: [{ role: "user", content: "hi" }], max_tokens: 100 }) // 0.0000xx…
 */
export function callCeilingUsd(s: Pick<Specialist, "costPerCall" | "endpoint" | "limits">, chat?: Record<string, unknown>): number {
  const ceiling = s.limits.maxCallCostUsd;
  const e = s.endpoint;
  const pricing = "pricing" in e ? e.pricing : undefined;
  const reply = chat ? replyBound(chat, "maxTokens" in e ? e.maxTokens : undefined) : undefined;
  if (pricing && chat && reply !== undefined) {
    // every byte the upstream is sent can be billed as input: the whole body (tools, schemas, unknown fields) and the system prompt
    const system = ("systemPrompt" in e ? e.systemPrompt : undefined) ?? "";
    const input = utf8.encode(JSON.stringify(chat)).length + utf8.encode(system).length;
    // the dearest input price bounds any mix of fresh, cached and cache-written input
    const inputPrice = Math.max(pricing.inputPerMTok, pricing.cachedInputPerMTok ?? 0, pricing.cacheWriteInputPerMTok ?? 0);
    const bound = s.costPerCall + (input * inputPrice + reply * pricing.outputPerMTok) / 1_000_000;
    return ceiling === undefined ? bound : Math.min(bound, ceiling);
  }
  return ceiling ?? s.costPerCall;
}

/**
 * The reply bound of a chat request, in tokens (times `n` choices), if any: its own
 * `max_completion_tokens` / `max_tokens`, else the endpoint's default `maxTokens` (an
 * `anthropic` endpoint always has one; the Messages API requires it).
 */
function replyBound(chat: Record<string, unknown>, endpointMax: number | undefined): number | undefined {
  const max = typeof chat.max_completion_tokens === "number" ? chat.max_completion_tokens : typeof chat.max_tokens === "number" ? chat.max_tokens : endpointMax;
  if (max === undefined) return undefined;
  const n = typeof chat.n === "number" && chat.n > 1 ? chat.n : 1;
  return max * n;
}
