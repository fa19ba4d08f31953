/**
 * Combine rules for ensemble steps (issue 18): the same input sent to N specialists,
 * their answers combined by `vote` (here), `judge` (ensemble-judge.ts) or `first`
 * (here). Pure: no I/O, no clock, no randomness; the engine makes the calls (each
 * through policies, pools, budgets and the audit chain) and hands the outcomes in.
 */
import { isJson, type Json } from "../json.ts";
import { canonicalJson } from "./audit.ts";
import { parseJsonPath, selectPath, type PathSegment } from "./json-path.ts";

/** One specialist's answer to an ensemble step: its output, what it said of its confidence (0..1), what it cost (USD) and took (ms); or why it failed. */
export type Candidate = OkCandidate | { specialist: string; ok: false; failure: string };
export interface OkCandidate {
  specialist: string;
  ok: true;
  output: Json;
  confidence?: number | undefined;
  costUsd: number;
  latencyMs: number;
}

/** How outputs are compared: `path` (see json-path.ts) picks the value voted on inside a structured output. */
export interface NormalizeOptions {
  path?: string | undefined;
}

/** A vote's key (a JSON text, stable across key order and spelling), or why the candidate abstains. */
export type Normalized = { ok: true; key: string } | { ok: false; abstain: string };

/** Sentence-final punctuation stripped from the end of a text answer (after NFKC, so full-width `！？，．；：` are here too). */
const TRAILING = /[.,;:!?\u3002\u3001\u061F\u0964]+$/u;
/** A decimal number, exactly: sign, digits, fraction, exponent. No thousands separators, hex, `Infinity` or `NaN`. */
const NUMBER = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:e[+-]?\d+)?$/;

/**
 * The text rule: Unicode NFKC (UAX #15: full-width and compatibility forms folded,
 * `"４２"` → `"42"`, `"…"` → `"..."`), lower case (`toLowerCase`, locale-independent),
 * every run of white space (JS `\s`) as one space, trimmed, then any run of `.,;:!?`,
 * `。`, `、`, `؟` or `।` at the end removed and trimmed again.
 *
 * @example
 * normalizeText("  The  ANSWER is Paris!! ") // "the answer is paris"
 */
export function normalizeText(s: string): string {
  return s.normalize("NFKC").toLowerCase().replace(/\s+/g, " ").trim().replace(TRAILING, "").trim();
}

/** A chat specialist's answer text (an object output with a string `text`, as plan templates read it: plan.ts `outputText`). */
export function answerText(output: unknown): string | undefined {
  if (output && typeof output === "object" && !Array.isArray(output) && typeof (output as { text?: unknown }).text === "string") return (output as { text: string }).text;
  return undefined;
}

function parseJson(text: string): Json | undefined {
  try {
    return JSON.parse(text) as Json;
  } catch {
    return undefined;
  }
}

function pathOf(path: string): PathSegment[] {
  const parsed = parseJsonPath(path);
  if (!parsed.ok) throw new RangeError(`invalid JSON path '${path}': ${parsed.detail}`);
  return parsed.segments;
}

/** The value voted on: the output itself, a chat output's text, or the value at the path. */
function votedValue(output: unknown, segments: PathSegment[] | undefined): { value: unknown } | { abstain: string } {
  if (segments === undefined) return { value: answerText(output) ?? output };
  if (!isJson(output)) return { abstain: "the output is not JSON" };
  // the output itself first; then, a string (or a chat output's text) read as JSON
  const direct = typeof output === "string" ? undefined : selectPath(output, segments);
  if (direct?.found) return { value: direct.value };
  const text = typeof output === "string" ? output : answerText(output);
  const parsed = text === undefined ? undefined : parseJson(text);
  if (parsed === undefined && direct === undefined) return { abstain: "the output is not JSON text, so the path finds nothing" };
  const miss = parsed === undefined ? direct! : selectPath(parsed, segments);
  return miss.found ? { value: miss.value } : { abstain: `no value at ${miss.missing}` };
}

/**
 * The key a candidate's output votes under. Equal keys are equal answers:
 * - numbers by value: a finite number, or a string that is exactly a decimal number
 *   once normalised as text (`42`, `42.0`, `"42"`, `" +42. "`, `"４２"` are one answer;
 *   compared as IEEE doubles, `-0` as `0`). `"1,000"` is text, not a number: the comma
 *   is a thousands separator in some locales and a decimal one in others;
 * - text by {@link normalizeText}; an answer that normalises to nothing abstains;
 * - booleans and null as themselves; objects and arrays by canonical JSON (audit.ts
 *   `canonicalJson`: key order ignored, values compared exactly, strings in them not
 *   normalised);
 * - without a path, a chat output (`{ text, … }`) votes by its text; with one, the path
 *   is read in the output, else in its text parsed as JSON (a model answering JSON).
 * A missing path, or a value that is not JSON (NaN, ±Infinity, undefined), abstains.
 *
 * @throws {RangeError} `opts.path` is not a path of the json-path.ts subset.
 * @example
 * normalize({ a: { b: ["42.0"] } }, { path: "$.a.b[0]" }) // { ok: true, key: "42" }
 * normalize("Paris.")                                     // { ok: true, key: "\"paris\"" }
 */
export function normalize(output: unknown, opts: NormalizeOptions = {}): Normalized {
  const picked = votedValue(output, opts.path === undefined ? undefined : pathOf(opts.path));
  if ("abstain" in picked) return { ok: false, abstain: picked.abstain };
  const v = picked.value;
  if (typeof v === "number") return Number.isFinite(v) ? { ok: true, key: numberKey(v) } : { ok: false, abstain: `not a finite number (${v})` };
  if (!isJson(v)) return { ok: false, abstain: "the value is not JSON" };
  if (typeof v !== "string") return { ok: true, key: canonicalJson(v) };
  const text = normalizeText(v);
  if (text === "") return { ok: false, abstain: "an empty answer" };
  const n = NUMBER.test(text) ? Number(text) : NaN;
  return { ok: true, key: Number.isFinite(n) ? numberKey(n) : JSON.stringify(text) };
}

const numberKey = (n: number) => JSON.stringify(n === 0 ? 0 : n);

/** What an ensemble does when agreement is below `minAgreement`: ask a human, fail the step, or take the best answer anyway. */
export type OnDisagreement = "approval" | "fail" | "best";

/** A vote's options: how outputs are compared, and the least agreement (0..1) taken without {@link OnDisagreement}. */
export interface VoteOptions extends NormalizeOptions {
  minAgreement?: number | undefined;
}

/** One answer of a vote: its key and who gave it, in candidate order. */
export interface VoteTally {
  key: string;
  specialists: string[];
}

/**
 * A vote's outcome. `agreement` is votes for the winner over successful candidates
 * (abstainers count as successful: an answer without a vote does not agree);
 * `disagreement` is `agreement < minAgreement` with the agreement rounded to two
 * decimals, as thresholds are written (2 of 3, 0.666…, is 0.67 and meets
 * `minAgreement: 0.67`; 3 of 5 is 0.6); `tied` says the top answers had equal votes
 * and the tie rule chose; `reason` shows answers' keys up to {@link REASON_KEY_CHARS}
 * characters. With no vote at all, no winner.
 */
export type VoteResult =
  | { ok: true; winner: OkCandidate; key: string; agreement: number; disagreement: boolean; tied: boolean; votes: VoteTally[]; abstained: { specialist: string; reason: string }[]; failed: { specialist: string; failure: string }[]; reason: string }
  | { ok: false; reason: "no_candidates" | "all_failed" | "all_abstained"; agreement: 0; disagreement: true; votes: []; abstained: { specialist: string; reason: string }[]; failed: { specialist: string; failure: string }[] };

/** Orders candidates for a tie: higher confidence (none given ranks below any), then lower cost, then earlier. */
function better(a: { c: OkCandidate; i: number }, b: { c: OkCandidate; i: number }): boolean {
  const ca = Number.isFinite(a.c.confidence) ? a.c.confidence! : -Infinity;
  const cb = Number.isFinite(b.c.confidence) ? b.c.confidence! : -Infinity;
  if (ca !== cb) return ca > cb;
  if (a.c.costUsd !== b.c.costUsd) return a.c.costUsd < b.c.costUsd;
  return a.i < b.i;
}

/**
 * Majority vote over the normalised outputs of the successful candidates. The answer
 * with most votes wins; among answers with equal votes, and among the candidates of the
 * winning answer (whose output is the step's), the tie rule of {@link better} decides:
 * highest confidence, then lowest cost, then candidate order.
 *
 * @throws {RangeError} `minAgreement` outside 0..1, or an invalid `path`.
 * @example
 * vote([ok("a", 42), ok("b", "42.0"), ok("c", 41)], { minAgreement: 0.6 })
 * // { ok: true, key: "42", agreement: 0.666…, disagreement: false, winner: <a>, votes: [{ key: "42", specialists: ["a", "b"] }, { key: "41", specialists: ["c"] }], … }
 */
export function vote(candidates: readonly Candidate[], opts: VoteOptions = {}): VoteResult {
  const min = opts.minAgreement ?? 0;
  if (!(min >= 0 && min <= 1)) throw new RangeError(`minAgreement must be in 0..1, got ${min}`);
  const failed = candidates.flatMap((c) => (c.ok ? [] : [{ specialist: c.specialist, failure: c.failure }]));
  const abstained: { specialist: string; reason: string }[] = [];
  const groups = new Map<string, { key: string; members: { c: OkCandidate; i: number }[] }>();
  let successful = 0;
  candidates.forEach((c, i) => {
    if (!c.ok) return;
    successful++;
    const n = normalize(c.output, opts);
    if (!n.ok) return void abstained.push({ specialist: c.specialist, reason: n.abstain });
    const g = groups.get(n.key) ?? { key: n.key, members: [] };
    g.members.push({ c, i });
    groups.set(n.key, g);
  });
  if (groups.size === 0) {
    const reason = candidates.length === 0 ? "no_candidates" : successful === 0 ? "all_failed" : "all_abstained";
    return { ok: false, reason, agreement: 0, disagreement: true, votes: [], abstained, failed };
  }
  const ranked = [...groups.values()]
    .map((g) => ({ ...g, best: g.members.reduce((w, m) => (better(m, w) ? m : w)) }))
    .sort((a, b) => b.members.length - a.members.length || (better(a.best, b.best) ? -1 : 1));
  const top = ranked[0]!;
  const agreement = top.members.length / successful;
  // at two decimals, as thresholds are written: 2 of 3 (0.666…) meets `minAgreement: 0.67`
  const below = Math.round(agreement * 100) / 100 < min;
  const tied = ranked.length > 1 && ranked[1]!.members.length === top.members.length;
  const votes = ranked.map((g) => ({ key: g.key, specialists: g.members.map((m) => m.c.specialist) }));
  const others = votes.slice(1).map((v) => `${v.specialists.map((s) => `'${s}'`).join(", ")}: ${shown(v.key)}`);
  const reason =
    `vote: ${top.members.length} of ${successful} agree on ${shown(top.key)} (${votes[0]!.specialists.map((s) => `'${s}'`).join(", ")})` +
    (tied ? ", a tie broken by confidence, cost, then order" : "") +
    (others.length > 0 ? `; ${others.join("; ")}` : "") +
    (abstained.length > 0 ? `; ${abstained.length} abstained` : "") +
    (failed.length > 0 ? `; ${failed.length} failed` : "") +
    (below ? `; agreement ${Math.round(agreement * 100) / 100} is below ${min}` : "");
  return { ok: true, winner: top.best.c, key: top.key, agreement, disagreement: below, tied, votes, abstained, failed, reason };
}

/** The longest answer key a vote's `reason` shows (UTF-16 code units); a longer one is cut, with "…". */
export const REASON_KEY_CHARS = 80;

/** An answer's key as a reason shows it: whole up to {@link REASON_KEY_CHARS}, else cut (between code points) with "…". */
function shown(key: string): string {
  if (key.length <= REASON_KEY_CHARS) return key;
  let out = "";
  for (const p of key) {
    if (out.length + p.length > REASON_KEY_CHARS - 1) break;
    out += p;
  }
  return `${out}…`;
}

/** What the engine does with a vote: take the winner, open an approval gate with the tally, or fail the step with a detail. */
export type VoteAction = { action: "accept"; winner: OkCandidate } | { action: "approval"; votes: VoteTally[] } | { action: "fail"; detail: string };

/**
 * A vote's result under `onDisagreement`: agreement at or above the threshold is always
 * accepted; below it, "best" accepts the winner anyway, "approval" asks a human,
 * "fail" fails. No vote at all fails whatever the setting (there is nothing to approve).
 */
export function settleVote(result: VoteResult, onDisagreement: OnDisagreement): VoteAction {
  if (!result.ok) return { action: "fail", detail: `no answer to vote on: ${result.reason.replace("_", " ")}` };
  if (!result.disagreement || onDisagreement === "best") return { action: "accept", winner: result.winner };
  if (onDisagreement === "approval") return { action: "approval", votes: result.votes };
  return { action: "fail", detail: result.reason };
}

/** Where a `first` ensemble stands: a winner and the calls to cancel, still waiting on some, or every call failed. */
export type FirstResult =
  | { state: "won"; winner: OkCandidate; cancel: string[] }
  | { state: "waiting"; pending: string[] }
  | { state: "failed"; failed: { specialist: string; failure: string }[] };

/**
 * `first`: the first successful answer wins. `finished` are the candidates in the order
 * they completed, `launched` every specialist called; the winner is the first ok one in
 * `finished`, and the launched ones that had not finished by then are to be cancelled
 * (those that finished after it in the same batch are just ignored).
 *
 * @throws {RangeError} a specialist launched twice, or one finished that was not launched.
 * @example
 * firstSuccess([fail("a"), ok("b", 1)], ["a", "b", "c"]) // { state: "won", winner: <b>, cancel: ["c"] }
 */
export function firstSuccess(finished: readonly Candidate[], launched: readonly string[]): FirstResult {
  if (new Set(launched).size !== launched.length) throw new RangeError("a specialist was launched twice");
  for (const c of finished) if (!launched.includes(c.specialist)) throw new RangeError(`'${c.specialist}' finished but was not launched`);
  const done = new Set(finished.map((c) => c.specialist));
  const winner = finished.find((c): c is OkCandidate => c.ok);
  if (winner) return { state: "won", winner, cancel: launched.filter((s) => !done.has(s)) };
  const pending = launched.filter((s) => !done.has(s));
  if (pending.length > 0) return { state: "waiting", pending };
  return { state: "failed", failed: finished.flatMap((c) => (c.ok ? [] : [{ specialist: c.specialist, failure: c.failure }])) };
}
