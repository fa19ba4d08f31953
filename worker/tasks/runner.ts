import { z } from "zod";
import { toJson, type Json } from "../json.ts";
import type { EndpointCaller, FailureKind, InputPart, SpecialistOutcome, SpecialistProgress, Usage } from "../routing/hop.ts";
import { abortReason } from "../routing/hedging.ts";
import { chatMessages, partsUnable } from "../routing/input-parts.ts";
import { policyGuard } from "../routing/policy-guard.ts";
import type { Specialist } from "../config/schema.ts";
import { binding, type Env } from "../env.ts";
import { admission, tenantPoolOf } from "../routing/admission.ts";
import { callCeilingUsd } from "../pools/reservation.ts";
import { callsMade, dispatch, fallbackChain, type Attempt } from "../routing/dispatch.ts";

export { callsMade };
import type { Runtime } from "../runtime.ts";
import type { StepSpec } from "./plan.ts";
import { traceAttempts } from "../observe/dispatch-spans.ts";
import { ATTR } from "../observe/attributes.ts";
import { tracedChoice, tracedVerification, type StepTrace } from "../observe/step-spans.ts";
import { takesHops } from "../routing/capabilities.ts";
import { splitToolName } from "../config/mcp.ts";

/** Everything one step call needs. */
export interface StepCall {
  rt: Runtime;
  env: Env;
  /** Calls one specialist through its protocol's adapter (`callSpecialist` of worker/protocols/adapters.ts). */
  call: EndpointCaller;
  step: StepSpec;
  input: string;
  /** Sent as `Idempotency-Key`: the same for every attempt of this step, across restarts. */
  idempotencyKey: string;
  context: Record<string, unknown>;
  traceparent: string;
  /** Intent already known for this input (the task's own input), reused instead of classifying. */
  knownIntentId?: string | undefined;
  /** Aborted on cancel. */
  signal: AbortSignal;
  /** Whose task this is: intents are cached per tenant, and policy rules match on it. */
  tenant: string;
  /** The task's totals so far (policy limits) and whether a human approved this step. */
  task?: { hops: number; costUsd: number };
  approved?: boolean;
  /** A tool step's templated arguments (the step names the tool: `step.tool`). */
  toolArguments?: Record<string, unknown> | undefined;
  /** Call exactly this specialist (a verification fallback, an ensemble's candidate, a hedge), not the step's. */
  force?: Specialist;
  /** The intent labels a forced call is about, for policy (an ensemble's candidates and a hedge are judged on the step's labels); none by default. */
  intents?: readonly string[] | undefined;
  /** Records this call's spans (intent, admission, each call attempt) under a step's span. */
  trace?: StepTrace | undefined;
  /**
   * The A2A message's parts beyond text, for a step whose input is the task's: carried as
   * a hop carries them (worker/protocols/a2a/parts.ts), and only to specialists that take them.
   */
  parts?: InputPart[] | undefined;
  /** Told of what the specialist says mid-call (a streaming A2A agent's events), with who said it and on which retry of the call (0: the first try). */
  progress?: ((p: SpecialistProgress & { specialist: string; retry: number }) => void) | undefined;
}

export type StepOutcome =
  | { ok: true; specialist: Specialist; output: Json | undefined; usage: Usage; costUsd: number; intentId?: string; attempts: Attempt[] }
  | { ok: false; detail: string; attempts: Attempt[]; kind?: FailureKind };

export type Choice = { ok: true; specialist: Specialist; intent?: { id: string; label: string; confidence: number } } | { ok: false; detail: string };

/** Which specialist takes a step: named, by intent label, by a known intent id, or by classifying its input. */
export async function chooseSpecialist(c: StepCall, defer: (p: Promise<unknown>) => void): Promise<Choice> {
  const { rt, step } = c;
  if (c.force) return { ok: true, specialist: c.force };
  if (step.tool) {
    const server = splitToolName(step.tool)?.server ?? step.tool;
    const s = rt.registry.get(server);
    return s?.endpoint.type === "mcp" ? { ok: true, specialist: s } : { ok: false, detail: `step '${step.id}': no MCP server '${server}' for tool '${step.tool}'` };
  }
  if (step.specialist) {
    const s = rt.registry.get(step.specialist);
    return s ? { ok: true, specialist: s } : { ok: false, detail: `step '${step.id}': unknown specialist '${step.specialist}'` };
  }
  if (step.intent) {
    const s = rt.config.specialists.find((x) => x.intents.some((i) => i.label === step.intent));
    return s ? { ok: true, specialist: s } : { ok: false, detail: `step '${step.id}': no specialist declares intent '${step.intent}'` };
  }
  const known = c.knownIntentId ? (await (await rt.intentsFor(c.tenant)).lookup(c.knownIntentId, defer, c.tenant))?.record : undefined;
  const record = known ?? (await (await rt.intentsFor(c.tenant)).classify(c.input, defer, c.tenant)).record;
  const s = rt.registry.get(record.specialist);
  if (!s) return { ok: false, detail: `step '${step.id}': intent resolves to unregistered '${record.specialist}'` };
  return { ok: true, specialist: s, intent: { id: record.id, label: record.label, confidence: record.confidence } };
}

/**
 * The labels a step's call is about, for policy: the classified label, the label the
 * step names, or every label of the specialist it names (its fallbacks are judged on
 * these too).
 */
export function stepLabels(c: StepCall, choice: Extract<Choice, { ok: true }>): string[] {
  if (c.force) return [...(c.intents ?? [])];
  const named = c.step.specialist ? choice.specialist.intents.map((i) => i.label) : [];
  return [...(choice.intent ? [choice.intent.label] : []), ...(c.step.intent ? [c.step.intent] : []), ...named];
}

/** Runs one step: choose, then call with the specialist's (or the step's) timeout, retries and fallbacks. */
export async function runStep(c: StepCall, defer: (p: Promise<unknown>) => void): Promise<StepOutcome> {
  const byInput = !c.force && !c.step.specialist && !c.step.intent && !c.step.tool;
  const choice = await tracedChoice(c.trace, byInput ? (c.knownIntentId ? "known" : "classified") : undefined, () => chooseSpecialist(c, defer));
  if (!choice.ok) return { ok: false, detail: choice.detail, attempts: [] };
  // a tool step's input is its arguments: the message's parts are not its to carry
  const parts = c.step.tool ? undefined : c.parts;
  const unable = parts ? partsUnable(parts) : undefined;
  // a routed step whose choice cannot take the message's parts goes to the cheapest specialist that can, as a hop does
  const able = unable && byInput && unable(choice.specialist) ? [...c.rt.registry.values()].filter((s) => takesHops(s) && !unable(s)).sort((a, b) => a.costPerCall - b.costPerCall)[0] : undefined;
  const chosen = able ?? choice.specialist;
  const first = { ...chosen, timeoutMs: c.step.timeoutMs ?? chosen.timeoutMs, retries: c.step.retries ?? chosen.retries };
  const all = c.force ? [first] : fallbackChain(first, c.rt.registry);
  const chain = unable ? all.filter((s) => !unable(s)) : all;
  if (unable && chain.length === 0) return { ok: false, detail: `step '${c.step.id}': ${unable(first)?.param}: ${unable(first)?.detail}`, attempts: [], kind: "refused" };
  const messages = parts ? chatMessages(parts) : undefined;
  const request = {
    input: c.input,
    ...(parts ? { parts } : {}),
    ...(messages ? { messages } : {}),
    ...(choice.intent ? { intent: choice.intent } : {}),
    ...(c.step.tool ? { tool: { name: splitToolName(c.step.tool)?.tool ?? c.step.tool, arguments: c.toolArguments ?? {} } } : {}),
    context: c.context,
    idempotencyKey: c.idempotencyKey,
    traceparent: c.traceparent,
  };
  const admit = policyGuard(
    c.rt.policy,
    { tenant: c.tenant, intents: stepLabels(c, choice), inputChars: c.input.length, tool: c.step.tool, task: c.task, approved: c.approved },
    admission(c.env, c.rt.config.router, c.idempotencyKey, defer, Math.random, tenantPoolOf(c.rt.config, c.tenant), (s) => callCeilingUsd(s)),
    new Map(),
  );
  const call = async (s: Specialist, attempt: number, traceparent: string): Promise<SpecialistOutcome> => {
    const o = await c.call(
      s,
      { ...request, traceparent },
      {
        binding: (n) => binding(c.env, n),
        signal: AbortSignal.any([c.signal, AbortSignal.timeout(s.timeoutMs)]),
        ...(c.progress ? { progress: (p: SpecialistProgress) => c.progress?.({ ...p, specialist: s.id, retry: attempt }) } : {}),
      },
    );
    // cancelled by the router (the task, or a hedge's or ensemble's other call answering first): not the specialist's failure
    return !o.ok && c.signal.aborted ? { ok: false, failure: { kind: "client_closed", detail: `cancelled: ${abortReason(c.signal)}` } } : o;
  };
  const result = await dispatch(chain, {
    ...traceAttempts(c.trace?.tracer, c.trace?.parent, { admit, call }, c.traceparent, c.step.tool ? { [ATTR.tool]: c.step.tool } : {}),
    sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
    rng: Math.random,
    now: () => Date.now(),
  });
  if (!result.ok) return { ok: false, detail: `${result.attempts.at(-1)?.specialist ?? "specialist"}: ${result.failure.detail}`, attempts: result.attempts, kind: result.failure.kind };
  const toolError = c.step.tool ? toolErrorText(result.output) : undefined;
  if (toolError !== undefined) return { ok: false, detail: `${c.step.tool}: the tool reported an error: ${toolError}`, attempts: result.attempts, kind: "refused" };
  return {
    ok: true,
    specialist: result.specialist,
    output: toJson(result.output), // as the task store keeps it
    usage: result.usage,
    costUsd: result.specialist.costPerCall + (result.usage.costUsd ?? 0),
    ...(choice.intent ? { intentId: choice.intent.id } : {}),
    attempts: result.attempts,
  };
}

/** The text of a tool's error result (`isError: true`, MCP 2025-11-25 "Error Handling"), or undefined for any other output. */
function toolErrorText(output: unknown): string | undefined {
  const r = output as { isError?: unknown; content?: unknown } | null;
  if (!r || typeof r !== "object" || r.isError !== true) return undefined;
  const texts = Array.isArray(r.content) ? r.content.flatMap((p: { type?: unknown; text?: unknown }) => (p?.type === "text" && typeof p.text === "string" ? [p.text] : [])) : [];
  return texts.join(" ").slice(0, 1000) || "(no text)";
}

/** What a verifier must answer (as its `output`). */
export const VerdictReply = z.object({ pass: z.boolean(), score: z.number().min(0).max(1), reason: z.string().max(2000) });

/**
 * Asks `verifier` about one output; an unusable verifier reply counts as a failed
 * verification. The calls it made and what they cost (USD) are added to `calls` (they
 * are the task's hops and cost too).
 */
export async function verifyOutput(
  c: Omit<StepCall, "step" | "force">,
  verifier: Specialist,
  checked: { output: unknown; specialist: string; intent?: string | undefined },
  calls?: { n: number; costUsd: number },
): Promise<z.infer<typeof VerdictReply>> {
  return tracedVerification(c.trace, verifier.id, checked.specialist, async (trace) => {
    const outcome = await runStep(
      {
        ...c,
        step: { id: "verify", input: c.input, dependsOn: [], requireApproval: false },
        force: verifier,
        context: { ...c.context, verification: { input: c.input, ...checked } },
        trace,
      },
      (p) => void p.catch(() => {}),
    );
    if (calls) {
      calls.n += callsMade(outcome.attempts);
      calls.costUsd += outcome.ok ? outcome.costUsd : 0;
    }
    if (!outcome.ok) return { pass: false, score: 0, reason: `verifier failed: ${outcome.detail}` };
    const verdict = VerdictReply.safeParse(outcome.output);
    return verdict.success ? verdict.data : { pass: false, score: 0, reason: "verifier returned no { pass, score, reason }" };
  });
}
