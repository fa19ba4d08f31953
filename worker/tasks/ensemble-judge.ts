/**
 * The `judge` combine rule (issue 18): a judge specialist is sent the candidates'
 * answers (large ones by reference) and replies with the pick or a merge in a strict
 * JSON shape. Pure: building the request and checking the reply; the engine calls the
 * judge and resolves references.
 */
import { z } from "zod";
import { isJson, unfenced, type Json } from "../json.ts";
import type { Candidate, OkCandidate } from "./ensemble.ts";
import { screenableText, screenUnder, type ScreeningSettings } from "../policy/screening.ts";

/** One answer as the judge sees it: inlined when small, else a reference with its size (UTF-8 bytes of its JSON text) and the start of it. */
export type JudgeCandidate = { id: string; specialist: string; output: Json } | { id: string; specialist: string; ref: string; bytes: number; preview: string };

/** How answers are shown: inlined up to `inlineBytes` (default 4096), previews of `previewBytes` (default 512), references made by `ref` (default `candidate:<id>`). */
export interface JudgeRequestOptions {
  inlineBytes?: number | undefined;
  previewBytes?: number | undefined;
  ref?: ((id: string, candidate: OkCandidate) => string) | undefined;
}

/** What the judge is sent: the successful answers (id `c<n>`: the candidate's 1-based position, failed ones leaving gaps), the failed ones by name, and the reply shape. */
export interface JudgeRequest {
  candidates: JudgeCandidate[];
  failed: { id: string; specialist: string; failure: string }[];
  instructions: string;
}

export const JUDGE_INSTRUCTIONS =
  'Reply with one JSON object and nothing else: {"pick": "<id>", "reason": "..."} to choose one candidate by its id, or {"merge": <the combined answer as JSON>, "reason": "..."} to combine them. "reason" is optional; no other keys.';

const encoder = new TextEncoder();

/** The longest start of `text` whose UTF-8 encoding fits `bytes`, cut between code points, with "…" when cut. */
export function preview(text: string, bytes: number): string {
  if (encoder.encode(text).length <= bytes) return text;
  let used = 0;
  let out = "";
  for (const ch of text) {
    const n = encoder.encode(ch).length;
    if (used + n > bytes) break;
    used += n;
    out += ch;
  }
  return `${out}…`;
}

/**
 * The judge's view of the candidates. An output whose JSON text (UTF-8) is at most
 * `inlineBytes` is inlined; a larger one is sent as `{ id, specialist, ref, bytes,
 * preview }`, `preview` being the start of its text (a string output's own text, else
 * its JSON) within `previewBytes`, so a few large answers cannot fill the judge's context.
 *
 * @throws {RangeError} a negative or non-integer byte limit.
 * @example
 * judgeRequest([ok("a", "short"), fail("b"), ok("c", "x".repeat(10_000))], { inlineBytes: 100, previewBytes: 8 }).candidates
 * // [{ id: "c1", specialist: "a", output: "short" }, { id: "c3", specialist: "c", ref: "candidate:c3", bytes: 10002, preview: "xxxxxxxx…" }]
 */
export function judgeRequest(candidates: readonly Candidate[], opts: JudgeRequestOptions = {}): JudgeRequest {
  const inline = opts.inlineBytes ?? 4096;
  const previewBytes = opts.previewBytes ?? 512;
  for (const [name, v] of [["inlineBytes", inline], ["previewBytes", previewBytes]] as const) if (!(Number.isInteger(v) && v >= 0)) throw new RangeError(`${name} must be a non-negative integer, got ${v}`);
  const ref = opts.ref ?? ((id: string) => `candidate:${id}`);
  const out: JudgeCandidate[] = [];
  const failed: JudgeRequest["failed"] = [];
  candidates.forEach((c, i) => {
    const id = `c${i + 1}`;
    if (!c.ok) return void failed.push({ id, specialist: c.specialist, failure: c.failure });
    const text = JSON.stringify(c.output);
    const bytes = encoder.encode(text).length;
    if (bytes <= inline) return void out.push({ id, specialist: c.specialist, output: c.output });
    out.push({ id, specialist: c.specialist, ref: ref(id, c), bytes, preview: preview(typeof c.output === "string" ? c.output : text, previewBytes) });
  });
  return { candidates: out, failed, instructions: JUDGE_INSTRUCTIONS };
}

/** The reply's shape: exactly one of `pick` (a candidate id) or `merge` (any JSON but null), and an optional `reason`; no other key. */
const JudgeReply = z.strictObject({
  pick: z.string().optional(),
  merge: z.unknown().optional(),
  reason: z.string().max(4000).optional(),
});

/** A judge's verdict: the candidate it picked, or the answer it merged; or why the reply is not one. */
export type JudgeVerdict = { ok: true; kind: "pick"; id: string; reason?: string } | { ok: true; kind: "merge"; merge: Json; reason?: string } | { ok: false; detail: string };

/**
 * Checks a judge's reply strictly: a JSON object (the reply itself, or its text with
 * nothing around it but white space and at most one code fence, json.ts `unfenced`) of
 * the {@link JudgeReply} shape, whose `pick` is one of `candidateIds`. Prose, extra keys, both or neither of
 * pick/merge, an unknown id, a null merge: invalid, with a detail saying which.
 *
 * @example
 * parseJudgeReply('{"pick":"c2","reason":"cites sources"}', ["c1", "c2"]) // { ok: true, kind: "pick", id: "c2", reason: "cites sources" }
 * parseJudgeReply('{"pick":"c9"}', ["c1", "c2"])                         // { ok: false, detail: "pick 'c9' is not a candidate (c1, c2)" }
 */
export function parseJudgeReply(reply: unknown, candidateIds: readonly string[]): JudgeVerdict {
  let value = reply;
  if (typeof reply === "string") {
    try {
      value = JSON.parse(unfenced(reply));
    } catch {
      return { ok: false, detail: `the reply is not JSON: '${preview(reply.trim(), 60)}'` };
    }
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) return { ok: false, detail: "the reply is not a JSON object" };
  const parsed = JudgeReply.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    return { ok: false, detail: issue.path.length > 0 ? `${issue.path.join(".")}: ${issue.message}` : issue.message };
  }
  const { pick, merge, reason } = parsed.data;
  const why = reason === undefined ? {} : { reason };
  if ((pick === undefined) === (merge === undefined)) return { ok: false, detail: "give exactly one of pick or merge" };
  if (pick !== undefined) {
    if (!candidateIds.includes(pick)) return { ok: false, detail: `pick '${preview(pick, 40)}' is not a candidate (${candidateIds.join(", ")})` };
    return { ok: true, kind: "pick", id: pick, ...why };
  }
  if (merge === null) return { ok: false, detail: "merge is null: pick a candidate or give the merged answer" };
  if (!isJson(merge)) return { ok: false, detail: "merge is not JSON" };
  return { ok: true, kind: "merge", merge, ...why };
}

/**
 * What a judge specialist is sent as its input: the request, the candidates' answers
 * as JSON (large ones by reference, {@link judgeRequest}), the failed ones by id, and
 * the reply's shape ({@link JUDGE_INSTRUCTIONS}). Its context also carries the request
 * itself (`context.ensemble`) for a judge that reads JSON.
 */
export function judgeInput(input: string, request: JudgeRequest): string {
  const failed = request.failed.length > 0 ? `\n\nFailed (no answer): ${request.failed.map((f) => `${f.id} (${f.specialist})`).join(", ")}` : "";
  return `Several specialists answered the same request. Choose the best answer, or merge them.\n\nRequest:\n${input}\n\nCandidates (JSON):\n${JSON.stringify(request.candidates, null, 1)}${failed}\n\n${request.instructions}`;
}

/**
 * Why the candidates' answers may not go to a judge: they are untrusted content on
 * their way to a specialist, screened like a step's rendered input or a hop's input
 * (policy/screening.ts); under screening `deny` or `approval` a flagged answer is not
 * sent (`flag` and `off` send it). Undefined when they may go.
 */
export function unjudgeable(settings: ScreeningSettings, candidates: readonly Candidate[]): string | undefined {
  const screened = screenUnder(settings, screenableText(candidates.flatMap((c) => (c.ok ? [c.output] : []))));
  if (screened.action !== "deny" && screened.action !== "approval") return undefined;
  return `the candidates' answers were flagged as a possible prompt injection (${screened.result.signals.join(", ")}): not sent to the judge`;
}
