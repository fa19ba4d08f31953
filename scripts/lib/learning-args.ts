/**
 * Options of the learning evaluations of scripts/eval.ts (`--few-shot`, `--corrections`,
 * `--escalation`): which mode, its own options, and the refusal of any other mode's.
 */

/** The learning modes, in the order they win when several are given (the others are then refused). */
export const LEARNING_MODES = ["few-shot", "corrections", "escalation"] as const;
export type LearningMode = (typeof LEARNING_MODES)[number];

/** Each mode's own options besides --json, --train and --domains. */
const OWN: Record<LearningMode, string[]> = { "few-shot": ["seeds"], corrections: ["seeds", "refit-every"], escalation: [] };

/** A learning mode's parsed options. */
export interface LearningOptions {
  mode: LearningMode;
  json: boolean;
  seeds: number;
  refitEvery: number;
  /** CLINC train/val file and domains file (both or neither: undefined = ../shared/datasets/clinc150). */
  data?: { train: string; domains: string };
}

/** The usage line of a mode. */
export function learningUsage(mode: LearningMode): string {
  return `usage: node scripts/eval.ts --${mode}${OWN[mode].map((o) => ` [--${o} ${o === "seeds" ? 5 : 50}]`).join("")} [--train FILE --domains FILE] [--json] [--html FILE]`;
}

/**
 * Reads `args` (as node:util parseArgs gives them): undefined when no learning mode is
 * asked for; `{ error }` (message and usage) for another mode's option, a second mode,
 * --train without --domains or the reverse, or a count that is not a positive integer.
 * `--max-acc-loss` has a default in eval.ts: only another value than "0.003" counts as given.
 *
 * @example
 * learningOptions({ "few-shot": true, seeds: "3" }) // { mode: "few-shot", json: false, seeds: 3, refitEvery: 50 }
 * learningOptions({ escalation: true, seeds: "3" }) // { error: "--seeds: not with --escalation\nusage: …" }
 */
export function learningOptions(args: Readonly<Record<string, string | boolean | undefined>>): LearningOptions | { error: string } | undefined {
  const mode = LEARNING_MODES.find((m) => args[m] === true);
  if (mode === undefined) return undefined;
  const usage = learningUsage(mode);
  const allowed = [mode, "json", "html", "train", "domains", ...OWN[mode]];
  const others = Object.entries(args)
    .filter(([key, v]) => !allowed.includes(key) && v !== undefined && v !== false && !(key === "max-acc-loss" && v === "0.003"))
    .map(([key]) => `--${key}`);
  if (others.length > 0) return { error: `${others.join(", ")}: not with --${mode}\n${usage}` };
  const { train, domains } = args;
  if (typeof train !== typeof domains) return { error: `--train and --domains go together (default: ../shared/datasets/clinc150)\n${usage}` };
  const count = (name: string, fallback: number): number | string => {
    const v = args[name];
    const n = v === undefined ? fallback : Number(v);
    return Number.isInteger(n) && n >= 1 ? n : `--${name} must be a positive integer, got ${JSON.stringify(v)}\n${usage}`;
  };
  const seeds = count("seeds", 5);
  const refitEvery = count("refit-every", 50);
  if (typeof seeds === "string") return { error: seeds };
  if (typeof refitEvery === "string") return { error: refitEvery };
  return { mode, json: args.json === true, seeds, refitEvery, ...(typeof train === "string" && typeof domains === "string" ? { data: { train, domains } } : {}) };
}
