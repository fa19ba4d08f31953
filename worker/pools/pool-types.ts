import type { BudgetSnapshot } from "./budget.ts";
import type { BreakerConfig, BreakerSnapshot, BreakerState } from "./breaker.ts";
import type { LeaseSnapshot } from "./leases.ts";
import type { UsageSnapshot } from "./usage-window.ts";
import type { WindowSnapshot } from "./window.ts";

// Types of Pool (see pool.ts): config, admission results, snapshot and view.

/** Limits of one pool; an absent limit is unlimited. `rpm`/`tpm` are per `windowMs`. */
export interface PoolConfig {
  rpm?: number;
  tpm?: number;
  concurrency?: number;
  dailyBudgetUsd?: number;
  breaker?: BreakerConfig;
  /** Default 60_000. */
  windowMs?: number;
  /** Default 30_000. */
  leaseTtlMs?: number;
}

export type DenyReason = "rate" | "tokens" | "concurrency" | "budget" | "breaker";
export interface AdmitRequest {
  leaseId: string;
  /** Estimated cost, reserved against the daily budget. */
  costUsd: number;
  /** Request slots to take from `rpm` (default 1). */
  units?: number;
}
/** `retryAfterMs` is `Infinity` when the request can never fit (units > rpm, cost > daily budget). */
export type AdmitResult =
  | { ok: true; leaseId?: string; expiresAt?: number; probe: boolean }
  | { ok: false; reason: DenyReason; retryAfterMs: number };
export interface FinishOutcome {
  ok: boolean;
  costUsd?: number;
  tokens?: number;
}
export interface GrantResult {
  granted: number;
  /** Use the granted slots before this time (epoch ms). */
  validUntil: number;
  /** Until at least one more slot is free (0: now; Infinity: rpm is 0). */
  retryAfterMs: number;
}
/** What a lease remembers until `finish`. */
export interface LeaseData {
  reservedUsd: number;
  at: number;
  probe: boolean;
}
export interface PoolSnapshot {
  v: 1;
  config: PoolConfig;
  rate?: WindowSnapshot;
  tokens: UsageSnapshot;
  leases?: LeaseSnapshot<LeaseData>;
  budget?: BudgetSnapshot;
  breaker?: BreakerSnapshot;
}
/** JSON summary for `GET /v1/pools/:name`; `null` = not limited / not tracked. */
export interface PoolView {
  limits: { rpm: number | null; tpm: number | null; concurrency: number | null; dailyBudgetUsd: number | null; windowMs: number; leaseTtlMs: number };
  requests: { used: number; available: number } | null;
  tokens: { used: number; available: number | null };
  leases: { active: number; available: number | null } | null;
  budget: { spentUsd: number; remainingUsd: number; resetsAt: number } | null;
  breaker: { state: BreakerState } | null;
}
