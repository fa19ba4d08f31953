import { z } from "zod";
import { parseJsonPath } from "../tasks/json-path.ts";

const SpecialistRef = z.string().regex(/^[a-z][a-z0-9_-]{0,63}$/);
/** An intent glob, as policies write them (worker/policy/glob.ts: `*` any run of characters). */
const IntentGlob = z.string().min(1).max(128);

/** The most candidates one ensemble calls: each is a full call (cost, pool slot, audit entry). */
export const MAX_ENSEMBLE = 5;

/**
 * An ensemble: the same input sent to several specialists, their answers combined
 * (docs/coordination.md). Candidates are `specialists` when named, else the step's
 * (or hop's) chosen specialist and its `fallbacks`, the first `size` of them.
 * - `combine: "vote"`: majority over normalised outputs (worker/tasks/ensemble.ts:
 *   numbers by value, text normalised, structured outputs at `path`), ties broken by
 *   confidence, then cost; agreement below `minAgreement` is a disagreement;
 * - `"judge"`: `judge` (a specialist) is sent the answers (over 4 KiB by reference)
 *   and replies `{"pick": "<id>"}` or `{"merge": …}`; an invalid reply is a disagreement;
 * - `"first"`: the first successful answer wins, the other calls are aborted.
 * A disagreement does `onDisagreement`: `"best"` (default) takes the vote's winner,
 * `"approval"` pauses for a human (a task step only), `"fail"` fails.
 */
export const Ensemble = z.lazy(() =>
  z
    .strictObject({
      size: z.number().int().min(2).max(MAX_ENSEMBLE).optional(),
      specialists: z.array(SpecialistRef).min(2).max(MAX_ENSEMBLE).optional(),
      combine: z.enum(["vote", "judge", "first"]),
      judge: SpecialistRef.optional(),
      /** A JSON path (RFC 9535 subset: worker/tasks/json-path.ts) to the value voted on in a structured output. */
      path: z
        .string()
        .max(256)
        .refine((p) => parseJsonPath(p).ok, "a JSON path like $.answer or $.items[0].id")
        .optional(),
      minAgreement: z.number().min(0).max(1).default(0),
      onDisagreement: z.enum(["best", "approval", "fail"]).default("best"),
    })
    .superRefine((e, ctx) => {
      if (e.combine === "judge" && e.judge === undefined) ctx.addIssue({ code: "custom", path: ["judge"], message: "combine 'judge' needs a judge specialist" });
      if (e.combine !== "judge" && e.judge !== undefined) ctx.addIssue({ code: "custom", path: ["judge"], message: `a judge is for combine 'judge', not '${e.combine}'` });
      if (e.combine !== "vote" && e.path !== undefined) ctx.addIssue({ code: "custom", path: ["path"], message: "path picks what a vote compares: for combine 'vote' only" });
      if (e.combine === "first" && (e.minAgreement > 0 || e.onDisagreement !== "best"))
        ctx.addIssue({ code: "custom", path: ["onDisagreement"], message: "combine 'first' takes the first answer: nothing to agree on" });
      if (e.specialists !== undefined && new Set(e.specialists).size !== e.specialists.length) ctx.addIssue({ code: "custom", path: ["specialists"], message: "a specialist is named twice" });
      if (e.specialists !== undefined && e.size !== undefined && e.size !== e.specialists.length)
        ctx.addIssue({ code: "custom", path: ["size"], message: `size ${e.size} but ${e.specialists.length} specialists named: give one or the other` });
    }),
);
export type Ensemble = z.infer<typeof Ensemble>;

/**
 * A hedged call (The Tail at Scale's deferred hedged request, worker/routing/hedge.ts):
 * if the specialist has not answered within `delayMs` (ms, or `"p95"`: its recent p95
 * latency from metrics, 50 ms..10 s, 1 s with fewer than 20 samples), `specialist`
 * (default: its first fallback) is called too; the first good answer wins and the
 * other call is aborted. Each hedge takes one extra call from the tenant's
 * `hedging` budget; without budget, no hedge.
 */
export const Hedge = z.lazy(() =>
  z.strictObject({
    delayMs: z.union([z.number().int().min(0).max(300_000), z.literal("p95")]),
    specialist: SpecialistRef.optional(),
  }),
);
export type Hedge = z.infer<typeof Hedge>;

/**
 * A coordination rule: the strategy for the steps (and, with `hops: true`, the one-hop
 * routes) it matches. `match.intent` is a glob on the intent labels (a step's `intent`,
 * its classified label, or the labels of the specialist it names); `match.workflow` a
 * workflow id; `match.specialist` a glob on the specialist the call was decided for;
 * every one given must match. The first matching rule applies; a step's own `ensemble` or `hedge` wins over
 * every rule.
 */
export const CoordinationRule = z.lazy(() =>
  z
    .strictObject({
      match: z
        .strictObject({ intent: IntentGlob.optional(), workflow: SpecialistRef.optional(), specialist: IntentGlob.optional() })
        .refine((m) => m.intent !== undefined || m.workflow !== undefined || m.specialist !== undefined, "match an intent glob, a workflow, a specialist glob, or several"),
      ensemble: Ensemble.optional(),
      hedge: Hedge.optional(),
      /** Apply to one-hop routes too (a non-streamed hop; default only plan steps). */
      hops: z.boolean().default(false),
    })
    .superRefine((r, ctx) => {
      if ((r.ensemble === undefined) === (r.hedge === undefined)) ctx.addIssue({ code: "custom", path: [], message: "give one of ensemble or hedge" });
      if (r.hops && r.ensemble?.onDisagreement === "approval") ctx.addIssue({ code: "custom", path: ["ensemble", "onDisagreement"], message: "a one-hop route has no approval gate: use 'best' or 'fail' (or hops: false)" });
    }),
);
export type CoordinationRule = z.infer<typeof CoordinationRule>;

/**
 * Each tenant's budget of hedge calls: at most `maxExtraCalls` in any `windowSeconds`
 * (kept in a RateLimitPool Durable Object per tenant, so it holds across the edge).
 * `maxExtraCalls: 0` (default): no hedging at all.
 */
export const HedgingSettings = z.lazy(() =>
  z.strictObject({
    maxExtraCalls: z.number().int().min(0).max(1_000_000).default(0),
    windowSeconds: z.number().int().min(1).max(86_400).default(60),
  }),
);
export type HedgingSettings = z.infer<typeof HedgingSettings>;

interface Refs {
  specialists: readonly { id: string; endpoint: { type: string } }[];
  workflows: readonly { id: string; plan: { steps: readonly { ensemble?: Ensemble | undefined; hedge?: Hedge | undefined }[] } }[];
  coordination: readonly CoordinationRule[];
}

/** Why a specialist an ensemble or hedge names cannot be one of its calls (unknown; an MCP server, which takes tool calls only), or undefined. */
export function strategySpecialistIssue(id: string, type: string | undefined): string | undefined {
  if (type === undefined) return `unknown specialist '${id}'`;
  return type === "mcp" ? `'${id}' is an MCP server: it takes tool calls, not a step's or hop's input` : undefined;
}

/** The specialists an ensemble or hedge names that cannot take its calls. */
function strategyIssues(e: Ensemble | undefined, h: Hedge | undefined, types: ReadonlyMap<string, string>, at: (string | number)[]): { path: (string | number)[]; message: string }[] {
  const issues: { path: (string | number)[]; message: string }[] = [];
  const known = (id: string | undefined, path: (string | number)[]) => {
    const why = id === undefined ? undefined : strategySpecialistIssue(id, types.get(id));
    if (why !== undefined) issues.push({ path: [...at, ...path], message: why });
  };
  e?.specialists?.forEach((s, i) => known(s, ["ensemble", "specialists", i]));
  known(e?.judge, ["ensemble", "judge"]);
  known(h?.specialist, ["hedge", "specialist"]);
  return issues;
}

/** Cross-reference checks: specialists and workflows a rule or a workflow step's strategy names exist. */
export function coordinationIssues(cfg: Refs): { path: (string | number)[]; message: string }[] {
  const ids = new Map(cfg.specialists.map((s) => [s.id, s.endpoint.type]));
  const workflows = new Set(cfg.workflows.map((w) => w.id));
  const issues = cfg.coordination.flatMap((r, i) => {
    const out = strategyIssues(r.ensemble, r.hedge, ids, ["coordination", i]);
    if (r.match.workflow !== undefined && !workflows.has(r.match.workflow)) out.push({ path: ["coordination", i, "match", "workflow"], message: `unknown workflow '${r.match.workflow}'` });
    return out;
  });
  cfg.workflows.forEach((w, i) => w.plan.steps.forEach((s, j) => issues.push(...strategyIssues(s.ensemble, s.hedge, ids, ["workflows", i, "plan", "steps", j]))));
  return issues;
}
