/**
 * The pipeline simulation's model (`npm run eval -- --pipeline`, issue 18 item 4): the
 * oracle, the seeded draws and what each fake specialist and the simulated human decide.
 * Pure: no I/O (the HTTP server and the router glue are in pipeline-run.ts).
 *
 * A question is one step of one task: `"<model>/t<task>/s<step>: apply the rule to value <V>"`.
 * The right answer is g(V) = (7V + 3) mod 1000 (a bijection of 0..999, so a wrong value
 * never turns right again later in the chain); a task of 5 steps is right iff its last
 * answer is g⁵(V0). Every draw is a hash of (seed, role, specialist, question), so a run
 * is reproducible and a retry of the same call never re-rolls.
 */
import { fmix32, fnv1a } from "../../worker/intent/hash.ts";

/** How the workers' errors relate. */
export type ErrorModel = "independent" | "correlated";
/** Short form used inside questions. */
const TAG: Record<ErrorModel, string> = { independent: "ind", correlated: "cor" };

/** Steps of the pipeline. */
export const STEPS = 5;
/** Each worker call is right with this probability (both models). */
export const ACCURACY = 0.9;
/** Correlated model: share of questions that are "hard" (every worker gives the same wrong answer). */
export const HARD_SHARE = 0.05;
/** Correlated model: independent error rate on the other questions, so that the marginal accuracy stays {@link ACCURACY}. */
export const SOFT_ERROR = (1 - ACCURACY - HARD_SHARE) / (1 - HARD_SHARE);
/** Verifier: it catches a wrong answer with this probability… */
export const VERIFIER_CATCH = 0.9;
/** …and fails a right one with this probability. */
export const VERIFIER_FALSE_ALARM = 0.05;
/** Judge: picks a right candidate with this probability when there is one, else a random candidate. */
export const JUDGE_ACCURACY = 0.9;

/** The rule: g(V) = (7V + 3) mod 1000. */
export const rule = (v: number): number => (((7 * v + 3) % 1000) + 1000) % 1000;

/** g applied `n` times. */
export function ruleN(v: number, n: number): number {
  let x = v;
  for (let i = 0; i < n; i++) x = rule(x);
  return x;
}

/** A uniform draw in [0, 1) from the seed and the parts (FNV-1a, then the murmur3 finaliser). */
export function draw(seed: number, ...parts: (string | number)[]): number {
  return (fmix32(fnv1a(`${seed}|${parts.join("|")}`)) >>> 0) / 2 ** 32;
}

/** A task's starting value, 0..999. */
export const startValue = (seed: number, model: ErrorModel, task: number): number => Math.floor(draw(seed, "v0", TAG[model], task) * 1000);

/** The question of step `step` (1-based) of task `task` about value `value`. */
export function question(model: ErrorModel, task: number, step: number, value: number | string): string {
  return `${TAG[model]}/t${task}/s${step}: apply the rule to value ${value}`;
}

/** A parsed question: found anywhere in `text` (a judge's input quotes it). */
export interface Question {
  model: ErrorModel;
  task: number;
  step: number;
  value: number;
  /** The canonical question text, the key of every draw about it. */
  key: string;
}

const QUESTION = /\b(ind|cor)\/t(\d+)\/s(\d+): apply the rule to value (-?\d+)/;

/** The question in `text`, or undefined. */
export function parseQuestion(text: string): Question | undefined {
  const m = QUESTION.exec(text);
  if (!m) return undefined;
  const model: ErrorModel = m[1] === "ind" ? "independent" : "correlated";
  const [task, step, value] = [Number(m[2]), Number(m[3]), Number(m[4])];
  return { model, task, step, value, key: question(model, task, step, value) };
}

/** A wrong answer: the right one plus k in 1..9 (so two wrong answers agree 1 time in 9). */
const wrong = (truth: number, u: number): number => (truth + 1 + Math.floor(u * 9)) % 1000;

/**
 * What worker `specialist` answers to `q`. Independent model: its own draw, right with
 * probability {@link ACCURACY}. Correlated model: a shared draw per question makes it
 * "hard" with probability {@link HARD_SHARE} — every worker then gives the same wrong
 * answer — else the worker's own draw errs with probability {@link SOFT_ERROR}.
 */
export function workerAnswer(seed: number, specialist: string, q: Question): number {
  const truth = rule(q.value);
  if (q.model === "correlated" && draw(seed, "hard", q.key) < HARD_SHARE) return wrong(truth, draw(seed, "hard-k", q.key));
  const errorRate = q.model === "correlated" ? SOFT_ERROR : 1 - ACCURACY;
  return draw(seed, "w", specialist, q.key) < errorRate ? wrong(truth, draw(seed, "k", specialist, q.key)) : truth;
}

/** Latency (ms) of a worker call: 20..40 ms; a slow-tail worker takes 1500 ms on 10 % of its calls. */
export function workerLatencyMs(seed: number, specialist: string, q: Question, slowTail: boolean): number {
  if (slowTail && draw(seed, "slow", specialist, q.key) < 0.1) return 1500;
  return 20 + Math.floor(draw(seed, "lat", specialist, q.key) * 21);
}

/** The number a worker's output `{ text }` (or a bare string) says, or undefined. */
export function answerOf(output: unknown): number | undefined {
  const text = typeof output === "string" ? output : output && typeof output === "object" ? (output as { text?: unknown }).text : undefined;
  return typeof text === "string" && /^-?\d+$/.test(text.trim()) ? Number(text.trim()) : undefined;
}

/** Whether `output` is the right answer to `q`. */
export const isRight = (q: Question, output: unknown): boolean => answerOf(output) === rule(q.value);

/** The verifier's verdict on `specialist`'s `output` for `q` (its own draw per checked specialist). */
export function verifierVerdict(seed: number, q: Question, specialist: string, output: unknown): { pass: boolean; score: number; reason: string } {
  const u = draw(seed, "verify", specialist, q.key);
  if (isRight(q, output)) return u < VERIFIER_FALSE_ALARM ? { pass: false, score: 0.3, reason: "looks wrong (a false alarm)" } : { pass: true, score: 0.95, reason: "checked" };
  return u < VERIFIER_CATCH ? { pass: false, score: 0.1, reason: "wrong answer" } : { pass: true, score: 0.9, reason: "checked (missed the error)" };
}

/** An ensemble candidate as a judge or reviewer sees it. */
export interface Candidate {
  id: string;
  output?: unknown;
}

/** The judge's pick: a right candidate with probability {@link JUDGE_ACCURACY} when one exists, else a uniformly random candidate. */
export function judgePick(seed: number, q: Question, candidates: readonly Candidate[]): string | undefined {
  const answered = candidates.filter((c) => c.output !== undefined);
  if (answered.length === 0) return undefined;
  const right = answered.filter((c) => isRight(q, c.output));
  if (right.length > 0 && draw(seed, "judge", q.key) < JUDGE_ACCURACY) return right[0]!.id;
  return answered[Math.floor(draw(seed, "judge-any", q.key) * answered.length)]!.id;
}

/** What the simulated human does at a gate. */
export type HumanDecision = { action: "approve"; pick?: string } | { action: "reject" };

/**
 * The simulated human, who knows the truth: at an ensemble's disagreement, picks a right
 * candidate if there is one, else rejects; at a verification gate, approves the
 * unverified output if it is right, else rejects.
 */
export function humanDecision(q: Question, gate: { candidates: readonly Candidate[] } | { unverifiedOutput: unknown }): HumanDecision {
  if ("candidates" in gate) {
    const right = gate.candidates.find((c) => c.output !== undefined && isRight(q, c.output));
    return right ? { action: "approve", pick: right.id } : { action: "reject" };
  }
  return isRight(q, gate.unverifiedOutput) ? { action: "approve" } : { action: "reject" };
}

/** Whether a plain pipeline (one call of `specialist` per step) ends right for this task: every step right on the true chain. */
export function plainPredicted(seed: number, model: ErrorModel, task: number, specialist: string): boolean {
  let v = startValue(seed, model, task);
  for (let s = 1; s <= STEPS; s++) {
    const q = parseQuestion(question(model, task, s, v))!;
    if (workerAnswer(seed, specialist, q) !== rule(v)) return false;
    v = rule(v);
  }
  return true;
}
