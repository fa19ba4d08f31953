/**
 * The OpenAI-compatible front door: `POST /v1/chat/completions` through the router
 * (pinned to the `bench-chat` specialist, an `openai-chat` endpoint) against the same
 * call made directly to the fake OpenAI server (examples/fake-openai), non-streaming
 * and streaming. The scenarios run in the scenario loop like the others (the streaming
 * pair on ⅔-length runs); a paired loop (paired.ts) per pair interleaves direct and
 * router for the headline 1-connection figures. The calibration pair `chat-proxy(-stream)`, a
 * bare Worker on the same workerd passing the same call through to the fake, is in each loop
 * too (chat-forwarder.ts compares the router with it). This file has the scenarios, that loop,
 * the "router − direct" table and the targets.
 */
import { BENCH_CHAT, BENCH_CHAT_MODEL } from "./build.ts";
import { CHAT_FORWARDED, forwarderSummary, forwarderTargets, forwarderText, type ForwarderComparison } from "./chat-forwarder.ts";
import type { LoadResult } from "./load.ts";
import { pairedSection, type PairedResult } from "./paired.ts";
import type { ScenarioRuns, TargetCheck } from "./report.ts";
import type { Scenario } from "./scenarios.ts";

/** Goals (issue): the router adds ≤ 0.5 ms p50 at 1 connection and serves ≥ 3,000 req/s at 50 connections. */
export const CHAT_GOAL_ADDED_P50_MS = 0.5;
export const CHAT_GOAL_RPS_50 = 3_000;
/** Portkey's gateway on this machine, same fake upstream (issue): +0.98 ms p50 at 1 connection, saturates near 1,000 req/s. */
export const PORTKEY_ADDED_P50_MS = 0.98;
export const PORTKEY_RPS = 1_000;

/** ~60 characters of user message. */
export const CHAT_MESSAGE = "what is the capital of australia, and roughly how many live there";

/** [direct, router] scenario names: non-streaming, then streaming. */
export const CHAT_PAIRS = [
  ["chat-direct", "chat-router"],
  ["chat-direct-stream", "chat-router-stream"],
] as const;

/** The chat forwarder's scenario (calibration) for a router scenario. */
const forwarderOf = (router: string) => CHAT_FORWARDED.find((f) => f.router === router)!.forwarder;

/** A whole `chat.completion` whose first choice is the fake's reply (`[<model>] heard: …`). */
function isCompletion(text: string): boolean {
  try {
    const j = JSON.parse(text) as { object?: string; choices?: { message?: { content?: unknown } }[] };
    const content = j.choices?.[0]?.message?.content;
    return j.object === "chat.completion" && typeof content === "string" && content.includes("heard: ");
  } catch {
    return false;
  }
}

/** A whole SSE body: `chat.completion.chunk` events, a `finish_reason`, no error event, ending with `data: [DONE]`. */
const isStream = (text: string) =>
  text.endsWith("data: [DONE]\n\n") && text.includes('"object":"chat.completion.chunk"') && text.includes('"finish_reason":"stop"') && !text.includes('data: {"error"');

/** chat-direct, chat-proxy (with `urls.proxy`, the chat forwarder), chat-router, then the same three streaming. */
export function chatScenarios(urls: { router: string; fake: string; proxy?: string }): Scenario[] {
  const json = { "content-type": "application/json" };
  const auth = { ...json, authorization: "Bearer dev-key" };
  const body = (model: string, stream: boolean) => {
    const s = JSON.stringify({ model, messages: [{ role: "user", content: CHAT_MESSAGE }], ...(stream ? { stream: true } : {}) });
    return { body: () => s, dynamic: false };
  };
  const asText = (json: unknown) => (typeof json === "string" ? json : JSON.stringify(json));
  const checkCompletion = (r: { json: unknown }) => (isCompletion(asText(r.json)) ? undefined : `not a chat.completion: ${asText(r.json).slice(0, 300)}`);
  const checkStream = (r: { json: unknown }) => (isStream(asText(r.json)) ? undefined : `not a complete chat.completion.chunk stream: ${asText(r.json).slice(0, 300)}`);
  const pinned = (r: { headers: Headers }) => (r.headers.get("x-switchyard-specialist") === BENCH_CHAT ? undefined : `x-switchyard-specialist is not ${BENCH_CHAT}`);
  const scenario = (stream: boolean, router: boolean): Scenario => {
    const [directName, routerName] = CHAT_PAIRS[stream ? 1 : 0];
    const what = stream ? "stream: true, the whole SSE body read" : "non-streaming";
    return {
      name: router ? routerName : directName,
      description: router
        ? `router POST /v1/chat/completions, model "${BENCH_CHAT}" (pinned; openai-chat → the fake OpenAI server), ${what}`
        : `POST <fake OpenAI>/v1/chat/completions, model "${BENCH_CHAT_MODEL}" (baseline for ${routerName}, no router), ${what}`,
      baseline: directName,
      shortLoad: stream,
      target: {
        url: router ? urls.router : urls.fake,
        path: "/v1/chat/completions",
        headers: router ? auth : json,
        ...body(router ? BENCH_CHAT : BENCH_CHAT_MODEL, stream),
        verify: stream ? isStream : isCompletion,
      },
      check: (r) => (stream ? checkStream(r) : checkCompletion(r)) ?? (router ? pinned(r) : undefined),
    };
  };
  const forwarder = (stream: boolean, url: string): Scenario => {
    const [directName, router] = CHAT_PAIRS[stream ? 1 : 0];
    return {
      name: forwarderOf(router),
      description: `calibration for ${router}: the chat forwarder, a bare Worker on the same workerd passing POST /v1/chat/completions to the fake OpenAI server as is (body streamed both ways, nothing parsed), ${stream ? "stream: true, the whole SSE body read" : "non-streaming"}`,
      calibration: true,
      baseline: directName,
      shortLoad: stream,
      target: { url, path: "/v1/chat/completions", headers: json, ...body(BENCH_CHAT_MODEL, stream), verify: stream ? isStream : isCompletion },
      check: stream ? checkStream : checkCompletion,
    };
  };
  const proxied = (stream: boolean) => (urls.proxy ? [forwarder(stream, urls.proxy)] : []);
  return [scenario(false, false), ...proxied(false), scenario(false, true), scenario(true, false), ...proxied(true), scenario(true, true)];
}

/**
 * Per pair whose router scenario and its direct or forwarder scenario `only` selects: direct,
 * forwarder and router (those selected) interleaved, one request at a time (paired.ts), `maxMs`
 * shared between the loops. One loop per kind of call, so the streaming router's heavier requests
 * do not slow the non-streaming ones they would follow.
 */
export async function chatPaired(
  list: Scenario[],
  only: Set<string> | undefined,
  o: { maxMs: number; isStopped: () => boolean; log: (s?: string) => void; workerdPids?: readonly number[] },
): Promise<PairedResult[]> {
  const selected = (n: string) => (!only || only.has(n)) && list.some((sc) => sc.name === n);
  const loops = CHAT_PAIRS.flatMap(([d, r]) => {
    const names = [d, forwarderOf(r), r].filter(selected);
    return selected(r) && names.length >= 2 ? [{ router: r, names }] : [];
  });
  const out: PairedResult[] = [];
  for (const { router, names } of loops) {
    if (o.isStopped()) break;
    out.push(await pairedSection(`OpenAI front door, ${router}`, names, list, { ...o, maxMs: o.maxMs / loops.length }));
  }
  return out;
}

export interface ChatRow {
  pair: string;
  /** "paired", "sequential" or the autocannon connection count. */
  measure: string;
  connections?: number;
  direct: { p50: number; p99: number; rps?: number };
  router: { p50: number; p99: number; rps?: number };
  addedP50Ms: number;
  addedP99Ms: number;
  /** router req/s ÷ direct req/s (autocannon rows). */
  rpsRatio?: number;
  /** workerd CPU µs per router request (sequential and autocannon rows). */
  routerWorkerdUsPerReq?: number;
}

export interface ChatSummary {
  goals: { addedP50Ms: number; rps50: number };
  portkey: { addedP50Ms: number; rps: number };
  rows: ChatRow[];
  /** The paired loops' own results (per target: latency, unexpected responses). */
  paired: PairedResult[];
  /** workerd-proxy − direct (a bare forwarding Worker on the same workerd), when both ran: the floor for any Worker that makes one subrequest. */
  calibration?: { proxyAddedP50Ms?: number; proxyRps50?: number; proxyWorkerdUsPerReq50?: number };
  /** The router against the chat forwarder (chat-forwarder.ts): CPU, added p50 and req/s ratios with their targets. */
  forwarder: ForwarderComparison[];
}

/** router − direct per pair: the paired loop, each scenario's own sequential loop, then each autocannon connection count both ran. */
export function chatSummary(runs: ScenarioRuns[], paired: PairedResult[] = []): ChatSummary {
  const rows: ChatRow[] = [];
  for (const [d, r] of CHAT_PAIRS) {
    const direct = runs.find((x) => x.name === d);
    const router = runs.find((x) => x.name === r);
    const loop = paired.find((p) => p.targets[d] && p.targets[r]);
    const pd = loop?.targets[d]?.latency;
    const pr = loop?.targets[r]?.latency;
    const row = (measure: string, a: LoadResult["latency"], b: LoadResult["latency"], connections?: number, ra?: number, rb?: number, us?: number): ChatRow => ({
      pair: r,
      measure,
      connections,
      direct: { p50: a.p50, p99: a.p99, rps: ra },
      router: { p50: b.p50, p99: b.p99, rps: rb },
      addedP50Ms: b.p50 - a.p50,
      addedP99Ms: b.p99 - a.p99,
      rpsRatio: ra && rb !== undefined ? rb / ra : undefined,
      routerWorkerdUsPerReq: us,
    });
    if (pd?.count && pr?.count) rows.push(row("paired", pd, pr));
    if (direct?.sequential && router?.sequential) rows.push(row("sequential", direct.sequential.latency, router.sequential.latency, undefined, undefined, undefined, router.sequential.workerdUsPerReq));
    for (const l of direct?.load ?? []) {
      const o = router?.load.find((x) => x.connections === l.connections);
      if (o) rows.push(row(`${l.connections} conn${l.connections > 1 ? "s" : ""}`, l.latency, o.latency, l.connections, l.rps, o.rps, o.workerdUsPerReq));
    }
  }
  const proxy = runs.find((x) => x.name === "workerd-proxy");
  const direct = runs.find((x) => x.name === "direct");
  const p50 = proxy?.load.find((l) => l.connections === 50);
  const calibration = proxy?.sequential && direct?.sequential
    ? { proxyAddedP50Ms: proxy.sequential.latency.p50 - direct.sequential.latency.p50, proxyRps50: p50?.rps, proxyWorkerdUsPerReq50: p50?.workerdUsPerReq }
    : undefined;
  const goals = { addedP50Ms: CHAT_GOAL_ADDED_P50_MS, rps50: CHAT_GOAL_RPS_50 };
  return { goals, portkey: { addedP50Ms: PORTKEY_ADDED_P50_MS, rps: PORTKEY_RPS }, rows, paired, calibration, forwarder: forwarderSummary(runs, paired) };
}

const f3 = (n: number | undefined) => (n === undefined || !Number.isFinite(n) ? "—" : n.toFixed(3));
const plus = (n: number) => (Number.isFinite(n) ? `${n >= 0 ? "+" : ""}${n.toFixed(3)}` : "—");
const int = (n: number | undefined) => (n === undefined || !Number.isFinite(n) ? "—" : Math.round(n).toLocaleString("en-US"));

/** The "OpenAI front door: router − direct" section, then "router vs the chat forwarder"; each only when its scenarios ran. */
export function chatText(s: ChatSummary): string[] {
  return [...directText(s), ...forwarderText(s.forwarder)];
}

function directText(s: ChatSummary): string[] {
  if (!s.rows.length) return [];
  const head = ["router scenario", "measure", "direct p50", "router p50", "+p50 ms", "direct p99", "router p99", "+p99 ms", "direct req/s", "router req/s", "router ÷ direct", "router workerd µs/req"];
  const rows = s.rows.map((r) => [r.pair, r.measure, f3(r.direct.p50), f3(r.router.p50), plus(r.addedP50Ms), f3(r.direct.p99), f3(r.router.p99), plus(r.addedP99Ms), int(r.direct.rps), int(r.router.rps), r.rpsRatio === undefined ? "" : `${r.rpsRatio.toFixed(2)}×`, int(r.routerWorkerdUsPerReq)]);
  const w = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (c: string[]) => c.map((x, i) => (i < 2 ? x.padEnd(w[i]!) : x.padStart(w[i]!))).join("  ");
  return [
    `\n== OpenAI front door: router − direct (POST /v1/chat/completions, same fake OpenAI server; goal ≤ ${s.goals.addedP50Ms} ms added p50 at 1 connection, ≥ ${int(s.goals.rps50)} req/s at 50 connections) ==`,
    line(head),
    w.map((n) => "-".repeat(n)).join("  "),
    ...rows.map(line),
    `(latencies in ms; paired = direct and router (and the chat forwarder) interleaved one request at a time, one keep-alive connection each (drift hits all alike; the headline);`,
    ` sequential = each scenario's own single-connection node:http loop; the other rows: autocannon at that connection count; a difference of p99s is a rough guide;`,
    ` Portkey's gateway on this machine, same fake upstream: +${s.portkey.addedP50Ms} ms p50 at 1 connection, saturates near ${int(s.portkey.rps)} req/s)`,
    ...(s.calibration
      ? [
          `(calibration, this run: workerd-proxy, a bare forwarding Worker on the same workerd, adds ${plus(s.calibration.proxyAddedP50Ms ?? NaN)} ms p50 (own sequential loop) and serves ${int(s.calibration.proxyRps50)} req/s at 50 connections` +
            ` (${int(s.calibration.proxyWorkerdUsPerReq50)} workerd µs/req): the floor for any Worker that makes one subrequest here)`,
        ]
      : []),
  ];
}

/**
 * Added p50 at 1 connection (the paired loop, else the own sequential loop; autocannon's 1-connection figure alongside)
 * and router req/s at 50 connections, non-streaming, when chat-direct and chat-router ran; then the forwarder ratios.
 */
export function chatTargets(s: ChatSummary): TargetCheck[] {
  return [...(s.rows.length ? directTargets(s) : []), ...forwarderTargets(s.forwarder)];
}

function directTargets(s: ChatSummary): TargetCheck[] {
  const [, routerName] = CHAT_PAIRS[0];
  const seq = s.rows.find((r) => r.pair === routerName && r.measure === "paired") ?? s.rows.find((r) => r.pair === routerName && r.measure === "sequential");
  const one = s.rows.find((r) => r.pair === routerName && r.connections === 1);
  const fifty = s.rows.find((r) => r.pair === routerName && r.connections === 50);
  const rps = fifty?.router.rps;
  return [
    {
      name: `OpenAI front door: added p50, 1 connection (${seq?.measure ?? "paired"} loop; Portkey +${s.portkey.addedP50Ms} ms)`,
      target: `≤ ${s.goals.addedP50Ms} ms`,
      measured: seq ? `${plus(seq.addedP50Ms)} ms${one ? ` (autocannon 1 conn: ${plus(one.addedP50Ms)} ms)` : ""}` : "not measured",
      met: seq ? seq.addedP50Ms <= s.goals.addedP50Ms : undefined,
    },
    {
      name: `OpenAI front door: router req/s, 50 connections (Portkey ~${int(s.portkey.rps)})`,
      target: `≥ ${int(s.goals.rps50)} req/s`,
      measured: rps === undefined ? "not measured" : `${int(rps)} req/s (direct ${int(fifty?.direct.rps)}, ${fifty?.rpsRatio?.toFixed(2)}×)`,
      met: rps === undefined ? undefined : rps >= s.goals.rps50,
    },
  ];
}
