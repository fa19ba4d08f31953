/**
 * The `planner` skill: turns a goal in plain English into a plan for the
 * router, `{ steps: [{ id, input, dependsOn }], combine }`. Rule-based and
 * deterministic; steps name no specialist (the router classifies each input).
 *
 * Rules:
 *
 * 1. **Clauses.** The goal is split into requests by `splitClauses` (see
 *    `planner-clauses.ts`: "then", "and then", ";", "after that" always;
 *    " and " / ", " only between two self-contained requests). Step *i* is
 *    `s<i>` with the clause as its input. No clause → 422; more than
 *    `MAX_STEPS` (10) → 422.
 * 2. **References.** A clause after the first, without its own text payload
 *    (": …"), refers to the previous step when its head says "the result",
 *    "the answer", "the output", "the value", "the total" (optionally "the
 *    previous/last/above …", or with "that"/"this"), "that date/text/sum…",
 *    "it", "its", or a bare "that"/"this" at the end or before an operator or
 *    preposition ("that in km", "this times 2"). The dummy "it" of "what
 *    time/day is it" is not a reference. A referring step depends on the
 *    previous step, and the reference is replaced, in the first matching form:
 *    - a conversion of a conversion ("convert that to feet" after "convert 5
 *      km to miles"): `{{steps.sN.output.to.value}} {{steps.sN.output.to.unit}}`;
 *    - a date question about a date ("what day of the week is that" after
 *      "add 30 days to 2026-01-01"): `{{steps.sN.output.date}}`;
 *    - arithmetic on the result ("what is the result times 3", "add 5 to it",
 *      "double it", "its square root"): `{{steps.sN.output.value}}`
 *      (`.days` after a difference of dates);
 *    - a text operation (summarize, count words, …): the reference is taken
 *      out and the earlier output becomes the payload, "count its words" →
 *      "count the words of: {{steps.sN.output}}";
 *    - otherwise the earlier output's text in place, `{{steps.sN.output}}`.
 *    Which form fits is found by probing this worker's own skills with a
 *    sample value in place of the reference (e.g. `convertUnits`).
 * 3. **Parallelism.** Clauses without a reference depend on nothing and run in
 *    parallel.
 * 4. **Combine.** "last" when every step depends on the one before it (one
 *    chain; also a single step), else "concat".
 * 5. **Hints.** When `specialists` (`[{ id, description, intents }]`) is
 *    given, the summary names the specialist whose words best overlap each
 *    step's (only when one is clearly best); the plan itself never does.
 */
import { extractExpression, normalizeMath } from "./arithmetic.ts";
import { answerDate } from "./datetime.ts";
import { payloadStart, splitClauses, startsRequest } from "./planner-clauses.ts";
import { contentWords } from "./text.ts";
import { convertUnits } from "./units.ts";

export const MAX_STEPS = 10;

export interface PlanStep {
  id: string;
  input: string;
  dependsOn: string[];
}

export interface Plan {
  steps: PlanStep[];
  combine: "concat" | "last";
}

export interface SpecialistHint {
  id: string;
  description?: string | undefined;
  intents?: string[] | undefined;
}

export type PlannerResult = { ok: true; text: string; plan: Plan } | { ok: false; reason: string };

const REF = new RegExp(
  String.raw`\b(?:(?:the|that|this)\s+(?:(?:previous|last|above|prior|resulting)\s+)?(?:result|answer|output|outcome|value|number|total|figure|amount)s?(?!\s+(?:of|between)\b)` +
    String.raw`|(?:that|this)\s+(?:date|day|text|summary|sum|difference|product|conversion|quantity)` +
    String.raw`|its(?=\s+\p{L})|it(?!['’])` +
    String.raw`|(?:that|this)(?=\s*(?:$|[?.!,;)]|(?:to|in|into|by|times|plus|minus|divided|multiplied|over|as|from|with|squared|cubed|rounded|is|was|for|on|of|and|more|less|greater|smaller|larger|bigger|even|odd|prime)\b)))\b`,
  "giu",
);
const DUMMY_IT = /\b(?:time|day|date|year|month|week|hour)\s+is\s+$/iu;
const TEXT_VERB = /\b(?:summar|count|words?\b|sentences?\b|characters?\b|letters?\b|paragraphs?\b|analy[sz]e|shorten|condense|tl;?dr|gist|reading time)/iu;
const MATH_OP = /[-+*/^%!]|\b(?:sqrt|cbrt|abs|log|ln|sin|cos|tan|exp|floor|ceil|round|max|min)\b/u;
const TOKEN = "987654321";
const PROBE_NOW = new Date("2026-01-01T00:00:00Z");

type Shape = { kind: "units"; unit: string } | { kind: "date" | "diff" | "other" };

/** Whether the expression found in `text` contains `token` and does something with it. */
function arithmeticOn(text: string, token: string): boolean {
  const expr = extractExpression(normalizeMath(text));
  return expr !== undefined && expr.includes(token) && (MATH_OP.test(expr.replace(token, "")) || /\bround(?:ed)?\b/iu.test(text));
}

/** What the output of a step with input `sample` will look like, judged by this worker's skills. */
function shapeOf(sample: string): Shape {
  const u = convertUnits(sample);
  if (u.ok) return { kind: "units", unit: u.to.unit };
  const d = answerDate(sample, { now: PROBE_NOW });
  if (d.ok) return { kind: d.operation === "diff" ? "diff" : "date" };
  return { kind: "other" };
}

function findReference(head: string): { index: number; text: string } | undefined {
  for (const m of head.matchAll(REF)) {
    if (m[0].toLowerCase() === "it" && DUMMY_IT.test(head.slice(0, m.index))) continue;
    return { index: m.index, text: m[0] };
  }
  return undefined;
}

/** `fill(x)` writes the clause with `x` in place of its reference ("double it" → "2 times x", "its square root" → "the square root of x"). */
function filler(clause: string, ref: { index: number; text: string }): (x: string) => string {
  let before = clause.slice(0, ref.index);
  let after = clause.slice(ref.index + ref.text.length);
  let suffix = "";
  if (ref.text.toLowerCase() === "its") {
    const np = /^\s*((?:square|cube) root|absolute value|natural log|[\p{L}-]+)/iu.exec(after);
    before += `the ${np?.[1] ?? ""} of `;
    after = after.slice(np?.[0].length ?? 0);
  }
  const verb = /\b(double|twice|triple|halve|half of)\s+$/iu.exec(before);
  if (verb !== undefined && verb !== null) {
    const v = (verb[1] as string).toLowerCase();
    before = before.slice(0, verb.index) + (v === "triple" ? "3 times " : v.startsWith("hal") ? "" : "2 times ");
    if (v.startsWith("hal")) suffix = " divided by 2";
  }
  return (x) => `${before}${x}${suffix}${after}`.replace(/\s{2,}/gu, " ").trim();
}

/** The input and a probe sample of a step whose clause refers to step `prev`. */
function substitute(clause: string, ref: { index: number; text: string }, prev: { id: string; sample: string }): { input: string; sample: string } {
  const fill = filler(clause, ref);
  const out = (path: string) => `{{steps.${prev.id}.output${path === "" ? "" : `.${path}`}}}`;
  const shape = shapeOf(prev.sample);
  if (shape.kind === "units") {
    const sample = fill(`7 ${shape.unit}`);
    if (convertUnits(sample).ok) return { input: fill(`${out("to.value")} ${out("to.unit")}`), sample };
  }
  if (shape.kind === "date" && answerDate(fill("2026-01-01"), { now: PROBE_NOW }).ok) return { input: fill(out("date")), sample: fill("2026-01-01") };
  if (arithmeticOn(fill(TOKEN), TOKEN)) return { input: fill(out(shape.kind === "diff" ? "days" : "value")), sample: fill("7") };
  if (TEXT_VERB.test(clause)) {
    const lead = fill("").replace(/[\s?.!,;:]+$/u, "");
    return { input: `${lead}: ${out("")}`, sample: `${lead}: some text` };
  }
  return { input: fill(out("")), sample: fill("some text") };
}

const isRequest = (s: string): boolean => startsRequest(s) || findReference(s) !== undefined;

/** Crude stem for comparing words ("converts" ~ "convert", "summarize" ~ "summary"). */
const stem = (w: string): string => w.slice(0, 5);

/** The specialist whose id, description and intents share the most words with `text`, if one is clearly best. */
function hintFor(text: string, specialists: readonly SpecialistHint[]): string | undefined {
  const mine = new Set(contentWords(text).map(stem));
  const scored = specialists.map((s) => {
    const theirs = new Set(contentWords([s.id, s.description ?? "", ...(s.intents ?? [])].join(" ").replace(/[._-]/gu, " ")).map(stem));
    return { id: s.id, score: [...mine].filter((w) => theirs.has(w)).length };
  });
  const best = Math.max(0, ...scored.map((s) => s.score));
  const top = scored.filter((s) => s.score === best);
  return best > 0 && top.length === 1 ? top[0]?.id : undefined;
}

/** A step input with placeholders shown as `[s1 value]`, `[s1 output]`, … */
const human = (input: string): string =>
  input.replace(/\{\{steps\.([a-z0-9_-]+)\.output((?:\.[\w-]+)*)\}\}/gu, (_m, id: string, path: string) => `[${id} ${path.split(".").at(-1) || "output"}]`);

/**
 * Plans `goal`: one step per clause, chained where a clause refers to the
 * previous result (rules above).
 *
 * @example
 * plan("convert 5 km to miles, then what is the result times 3").plan
 * // { steps: [{ id: "s1", input: "convert 5 km to miles", dependsOn: [] },
 * //           { id: "s2", input: "what is {{steps.s1.output.value}} times 3", dependsOn: ["s1"] }], combine: "last" }
 * plan("; then ;") // { ok: false, reason: "No request found in the goal …" }
 */
export function plan(goal: string, specialists: readonly SpecialistHint[] = []): PlannerResult {
  const clauses = splitClauses(goal, isRequest);
  if (clauses.length === 0) return { ok: false, reason: 'No request found in the goal (try something like "convert 5 km to miles, then what is the result times 3")' };
  if (clauses.length > MAX_STEPS)
    return { ok: false, reason: `The goal has ${clauses.length} requests; the planner makes at most ${MAX_STEPS} steps (split it into smaller goals)` };

  const steps: Array<PlanStep & { sample: string }> = [];
  clauses.forEach((clause, i) => {
    const id = `s${i + 1}`;
    const prev = steps[i - 1];
    const ref = prev === undefined || payloadStart(clause) >= 0 ? undefined : findReference(clause);
    if (prev === undefined || ref === undefined) steps.push({ id, input: clause, dependsOn: [], sample: clause });
    else steps.push({ id, ...substitute(clause, ref, prev), dependsOn: [prev.id] });
  });

  const chain = steps.every((s, i) => i === 0 || (s.dependsOn.length === 1 && s.dependsOn[0] === steps[i - 1]?.id));
  const combine = chain ? "last" : "concat";
  const lines = steps.map((s, i) => {
    const hint = specialists.length > 0 ? hintFor(s.sample, specialists) : undefined;
    return `${i + 1}. ${s.id}: ${human(s.input)}${s.dependsOn.length > 0 ? ` (after ${s.dependsOn.join(", ")})` : ""}${hint === undefined ? "" : ` [likely ${hint}]`}`;
  });
  const how =
    steps.length === 1
      ? "1 step; the answer is its output"
      : chain
        ? `${steps.length} steps in one chain; the answer is the last step's output`
        : `${steps.length} steps, independent ones in parallel; the answers are joined in order`;
  return {
    ok: true,
    text: `Plan: ${how}.\n${lines.join("\n")}`,
    plan: { steps: steps.map(({ id, input, dependsOn }) => ({ id, input, dependsOn })), combine },
  };
}
