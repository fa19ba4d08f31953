import { describe, expect, it } from "vitest";
import { tokenUsage } from "../../../worker/protocols/pricing.ts";
import { usageOf } from "../../../worker/protocols/openai/wire.ts";

describe("the cost of a reply's tokens", () => {
  const pricing = { inputPerMTok: 3, outputPerMTok: 15, cachedInputPerMTok: 0.3, cacheWriteInputPerMTok: 3.75 };

  it("prices fresh, cached and cache-written input apart, and output", () => {
    const u = tokenUsage({ inputTokens: 1_000, cachedInputTokens: 600, cacheWriteInputTokens: 300, outputTokens: 100 }, pricing);
    expect(u).toEqual({ inputTokens: 1_000, outputTokens: 100, cachedInputTokens: 600, cacheWriteInputTokens: 300, costUsd: (100 * 3 + 600 * 0.3 + 300 * 3.75 + 100 * 15) / 1e6 });
  });

  it("cached and cache-write prices default to the input price", () => {
    const u = tokenUsage({ inputTokens: 1_000, cachedInputTokens: 600, cacheWriteInputTokens: 300, outputTokens: 0 }, { inputPerMTok: 2, outputPerMTok: 1 });
    expect(u.costUsd).toBeCloseTo((1_000 * 2) / 1e6, 15);
  });

  it("without pricing: the counts and no cost; zero cached counts are left out", () => {
    expect(tokenUsage({ inputTokens: 5, outputTokens: 7, cachedInputTokens: 0, cacheWriteInputTokens: 0 }, undefined)).toEqual({ inputTokens: 5, outputTokens: 7 });
  });

  it("a provider reporting more cached tokens than input tokens is clamped: cost never goes negative", () => {
    const u = tokenUsage({ inputTokens: 10, cachedInputTokens: 50, cacheWriteInputTokens: 5, outputTokens: 0 }, pricing);
    expect(u).toMatchObject({ cachedInputTokens: 10, costUsd: (10 * 0.3) / 1e6 });
    expect(u.cacheWriteInputTokens).toBeUndefined();
    const v = tokenUsage({ inputTokens: 10, cachedInputTokens: 4, cacheWriteInputTokens: 50, outputTokens: 0 }, pricing);
    expect(v).toMatchObject({ cachedInputTokens: 4, cacheWriteInputTokens: 6, costUsd: (4 * 0.3 + 6 * 3.75) / 1e6 });
  });

  it("an OpenAI usage's prompt_tokens_details.cached_tokens are priced as cached input", () => {
    const u = usageOf({ prompt_tokens: 2_000, completion_tokens: 10, prompt_tokens_details: { cached_tokens: 1_024 } }, pricing);
    expect(u).toEqual({ inputTokens: 2_000, outputTokens: 10, cachedInputTokens: 1_024, costUsd: (976 * 3 + 1_024 * 0.3 + 10 * 15) / 1e6 });
    expect(usageOf({ prompt_tokens: 2, completion_tokens: 1, prompt_tokens_details: null }, undefined)).toEqual({ inputTokens: 2, outputTokens: 1 });
  });
});
