import { z } from "zod";

/**
 * Settings of routing that learns from outcomes (docs/intents.md, "Learning from
 * feedback"): where corrections become training examples, the guards against a
 * tenant poisoning the classifier, and how outcome-aware choice weighs its evidence.
 * The choice itself is switched on by `router.selection: "learned"`.
 */
export const LearningSettings = z.lazy(() =>
  z.strictObject({
    /**
     * Where a correction's example goes: `"tenant"` (default) teaches only the model
     * that routes that tenant's requests; `"global"` teaches the model every tenant
     * routes with (the same rate limit and cap apply: one tenant's corrections move a
     * label for everyone only that far without review).
     */
    scope: z.enum(["tenant", "global"]).default("tenant"),
    /** Corrections (feedback with a right label) one tenant may give per rolling hour; more teach nothing (the feedback is stored, its answer says `learned.status: "refused"`). */
    correctionsPerHour: z.number().int().min(0).max(100_000).default(30),
    /**
     * How far learned examples may move a label without review: in one scope, a label
     * holds at most `max(minPerLabel, ⌊maxShare × its configured examples⌋)` active
     * learned examples; more wait as `pending` until an admin approves them.
     */
    maxShare: z.number().min(0).max(100).default(0.5),
    minPerLabel: z.number().int().min(0).max(10_000).default(5),
    /** Learned examples (any status but reverted/rejected) one scope may hold; more are refused (409). */
    maxPerScope: z.number().int().min(1).max(10_000).default(500),
    /** A correction's input longer than this (characters) is not learned (the feedback is still stored). */
    maxExampleChars: z.number().int().min(1).max(2000).default(1000),
    /**
     * Outcome-aware choice (`router.selection: "learned"`; outcomes lose half their
     * weight in an hour, routing/selection.ts `DEFAULT_SELECTION`): the cost and latency
     * weights and how long an isolate reuses the counts it read.
     */
    selection: z
      .strictObject({
        /** How much one USD of cost per call lowers a candidate's sampled success rate. */
        costWeight: z.number().min(0).max(1_000_000).default(0),
        /** How much one second of a candidate's mean latency for the intent lowers its sampled success rate. */
        latencyWeight: z.number().min(0).max(1_000).default(0),
        /** How long an isolate reuses the outcome counts it read before reading them again, ms. */
        statsTtlMs: z.number().int().min(0).max(600_000).default(5000),
      })
      .default({ costWeight: 0, latencyWeight: 0, statsTtlMs: 5000 }),
  }),
);
export type LearningSettings = z.infer<typeof LearningSettings>;
