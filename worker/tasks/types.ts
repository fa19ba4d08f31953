import type { Json, JsonObject } from "../json.ts";
import type { Plan, StepStatus } from "./plan.ts";

/** Lifecycle of a task. The last four are terminal. */
export type TaskStatus = "planning" | "running" | "awaiting_approval" | "succeeded" | "failed" | "cancelled" | "rejected";

export const TERMINAL: ReadonlySet<TaskStatus> = new Set(["succeeded", "failed", "cancelled", "rejected"]);

/** A verifier's verdict on one step output. */
export interface Verdict {
  verifier: string;
  specialist: string;
  pass: boolean;
  score: number;
  reason: string;
  at: string;
}

/** A pause for a human decision. */
export interface ApprovalGate {
  step: string;
  reason: string;
  since: string;
  /** Epoch ms after which the gate rejects itself. */
  expiresAt: number;
}

/** The task as stored (one row) and shown (`GET /v1/tasks/:id`). */
export interface TaskDoc {
  id: string;
  tenant: string;
  goal: string;
  input: string;
  status: TaskStatus;
  plan: Plan | null;
  /** Specialist asked for the plan, while `status` is "planning". */
  planner: string | null;
  workflow: string | null;
  /** Content hash of the submitted body: the same idempotency key with another body is a conflict. */
  bodyHash: string;
  createdAt: string;
  updatedAt: string;
  result?: Json;
  error?: string;
  /** Small context, sent inline to every step. */
  context?: JsonObject;
  /** Large context, stored once in the task and sent by reference. */
  contextRef?: { sha256: string; bytes: number };
  /** Intent of the task's input, classified once at submission. */
  intentId?: string;
  /**
   * The parts of the A2A message that started the task, when it had more than text
   * (data, files): each step whose input is the task's input gets them, as a hop would.
   */
  inputParts?: JsonObject[];
  /** The A2A contextId the message gave (also in `context` for the steps, which may be stored by reference). */
  a2aContextId?: string;
  approvalTtlSeconds: number;
  /** Trace context of the submitting request; every step call continues it. */
  traceparent: string;
  costUsd: number;
  hops: number;
  awaiting?: ApprovalGate;
  /** The task's input was flagged by screening (mode approval): a human approves before the first step. */
  inputGate?: string;
  inputScreening?: { flagged: boolean; score: number; signals: string[] };
  /** The control plane's task index has it (listings, tenant-wide cancel); set once indexing succeeded. */
  indexed?: boolean;
  /** Where state changes are POSTed (docs/queues.md, "Webhooks"), and whether they are signed; the secret is kept apart and never shown. */
  callback?: { url: string; signed: boolean };
}

/** One candidate of an ensemble step: what it answered (over 4 KiB: `ref`, `GET {url}`), or why it failed; cost (USD) and latency (ms). */
export interface CandidateRecord {
  /** `c<n>`: its 1-based place among the candidates (the id a judge picks and a reviewer's `pick` names). */
  id: string;
  specialist: string;
  ok: boolean;
  output?: Json;
  ref?: { url: string; sha256: string; bytes: number };
  failure?: string;
  costUsd: number;
  latencyMs: number;
}

/** How a step was coordinated (docs/coordination.md): the strategy and why, and what the ensemble or hedge did. */
export interface CoordinationRecord {
  strategy: string;
  ensemble?: {
    combine: "vote" | "judge" | "first";
    candidates: CandidateRecord[];
    /** `approval`: a human decides (the step's gate). */
    decision: "accepted" | "approval" | "failed";
    detail: string;
    /** The candidate whose answer is the step's (none for a judge's merge or a failure). */
    winner?: string;
    /** Votes for the most voted answer over the candidates that answered (3 decimals). */
    agreement?: number;
    votes?: { key: string; specialists: string[] }[];
    /** Who gave the most voted answer. */
    agreed?: string[];
    judge?: { specialist: string; verdict: "pick" | "merge" | "invalid"; reason?: string; detail?: string };
  };
  hedge?: { primary: string; hedgeWith: string; delayMs: number; delaySource: "fixed" | "p95" | "fallback"; hedged: boolean; winner: string; abortedLoser: boolean; budgetDenied: boolean; hedgeRefused?: string };
}

/** One step's state. */
export interface StepDoc {
  id: string;
  status: StepStatus;
  attempts: number;
  specialist?: string;
  intentId?: string;
  input?: string;
  output?: Json;
  error?: string;
  startedAt?: string;
  finishedAt?: string;
  /** While running: epoch ms after which a crashed run is presumed dead and resumed. */
  leaseUntil?: number;
  /**
   * The step's run went through the steps queue (beyond `tasks.inlineSteps`): the
   * attempt its message was sent for, when (epoch ms), and when that run began in the
   * TaskAgent (epoch ms; absent while the message is on its way). A run reported for
   * another attempt, or for a step no longer running, is ignored.
   */
  dispatch?: { attempt: number; at: number; runAt?: number };
  /** A human approved this step (its gate will not pause again). */
  approved?: boolean;
  /** The output failed verification and is waiting for a human to accept it. */
  unverifiedOutput?: Json;
  verdicts: Verdict[];
  costUsd: number;
  /** Screening flagged this step's output. */
  screening?: { flagged: boolean; score: number; signals: string[] };
  /** How the step was coordinated (an ensemble, a hedge), when it was. */
  coordination?: CoordinationRecord;
  /** Runs of this step that ended in an exception (not a failed call): bounded, then the step fails. */
  crashes?: number;
  /** Waiting out a transient refusal: not run before this (epoch ms). */
  notBefore?: number;
  /** When it first had to wait (epoch ms), and how many times it has. */
  waitingSince?: number;
  waits?: number;
}

/** One Server-Sent Event of a task's progress. */
export interface TaskEvent {
  seq: number;
  type: string;
  at: string;
  data: JsonObject;
}

/** Key in a task's `context` that keeps the A2A contextId its client chose (the control plane indexes it for ListTasks). */
export const A2A_CONTEXT_KEY = "a2aContextId";
