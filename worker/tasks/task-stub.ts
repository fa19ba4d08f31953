import type { Env } from "../env.ts";
import { ProblemError } from "../http/problem.ts";

/** The task's Durable Object (one per task id); a 503 when the router has no TASK_AGENT binding. */
export function taskStub(env: Env, id: string) {
  const ns = env.TASK_AGENT;
  if (!ns) throw new ProblemError({ status: 503, slug: "misconfigured", title: "Router misconfigured", detail: "no TASK_AGENT Durable Object binding" });
  return ns.get(ns.idFromName(id));
}
