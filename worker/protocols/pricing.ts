import type { Pricing } from "../config/schema.ts";
import type { Usage } from "../routing/hop.ts";

/**
 * Token counts of one reply, in the router's terms (every provider's usage is mapped
 * onto these): `inputTokens` counts every input token, cached ones included;
 * `cachedInputTokens` of them were read from the provider's prompt cache,
 * `cacheWriteInputTokens` written to it (Anthropic only).
 */
export interface TokenCounts {
  inputTokens: number;
  outputTokens: number;
  cachedInputTokens?: number | undefined;
  cacheWriteInputTokens?: number | undefined;
}

/**
 * The hop's `Usage` for these counts, with their cost under `pricing` (USD per
 * million tokens; cached and cache-write input at their own prices, each defaulting
 * to `inputPerMTok`). Without `pricing`, no `costUsd`. Counts are clamped so the
 * cached and cache-write shares never exceed the input.
 *
 * @example
 * tokenUsage({ inputTokens: 1000, cachedInputTokens: 800, outputTokens: 100 }, { inputPerMTok: 3, outputPerMTok: 15, cachedInputPerMTok: 0.3 })
 * // { inputTokens: 1000, outputTokens: 100, cachedInputTokens: 800, costUsd: 0.00234 }  (200×3 + 800×0.3 + 100×15) / 1e6
 */
export function tokenUsage(counts: TokenCounts, pricing: Pricing | undefined): Usage {
  const out: Usage = { inputTokens: counts.inputTokens, outputTokens: counts.outputTokens };
  const cached = Math.min(counts.cachedInputTokens ?? 0, counts.inputTokens);
  const written = Math.min(counts.cacheWriteInputTokens ?? 0, counts.inputTokens - cached);
  if (cached > 0) out.cachedInputTokens = cached;
  if (written > 0) out.cacheWriteInputTokens = written;
  if (pricing) {
    const fresh = counts.inputTokens - cached - written;
    out.costUsd =
      (fresh * pricing.inputPerMTok +
        cached * (pricing.cachedInputPerMTok ?? pricing.inputPerMTok) +
        written * (pricing.cacheWriteInputPerMTok ?? pricing.inputPerMTok) +
        counts.outputTokens * pricing.outputPerMTok) /
      1_000_000;
  }
  return out;
}
