/**
 * The OpenAI-compatible front door: `POST /v1/chat/completions` through the router
 * (pinned to the `bench-chat` specialist, an `openai-chat` endpoint) against the same
 * call made directly to the fake OpenAI server (examples/fake-openai), non-streaming
 * and streaming. The scenarios run in the scenario loop like the others (the streaming
 * pair on ⅔-length runs); a paired loop (paired.ts) per pair interleaves direct and
 * router for the headline 1-connection figures. The calibration pair `chat-proxy(-stream)`, a
 * bare Worker on the same workerd passing the same call through to the fake, is in each loop
 * too (chat-forwarder.ts compares the router with it). The translated hop, `chat-router-anthropic(-stream)`
 * (the same call to an `anthropic` specialist on the fake Anthropic API) with its own direct call
 * `chat-direct-anthropic(-stream)`, shares each kind of call's loop (chat-translated.ts compares it with
 * the pass-through hop). This file has the scenarios, those loops, the "router − direct" table and the targets.
 */
import { BENCH_ANTHROPIC_KEY_VALUE, BENCH_CHAT, BENCH_CHAT_MODEL, BENCH_CLAUDE } from "./build.ts";
import { translatedSummary, translatedText, type CpuBlocks, type TranslatedComparison } from "./chat-translated.ts";
import { CHAT_FORWARDED, forwarderSummary, forwarderTargets, forwarderText, type ForwarderComparison } from "./chat-forwarder.ts";
import type { LoadResult } from "./load.ts";
import { pairedSection, type PairedResult } from "./paired.ts";
import type { ScenarioRuns, TargetCheck } from "./report.ts";
import { scenarios, type Scenario } from "./scenarios.ts";
import { PAIRED } from "./added.ts";

/** Goals (issue): the router adds ≤ 0.5 ms p50 at 1 connection and serves ≥ 3,000 req/s at 50 connections. */
export const CHAT_GOAL_ADDED_P50_MS = 0.5;
export const CHAT_GOAL_RPS_50 = 3_000;
/** Portkey's gateway on this machine, same fake upstream (issue): +0.98 ms p50 at 1 connection, saturates near 1,000 req/s. */
export const PORTKEY_ADDED_P50_MS = 0.98;
export const PORTKEY_RPS = 1_000;

/** ~60 characters of user message. */
export const CHAT_MESSAGE = "what is the capital of australia, and roughly how many live there";

/**
 * [direct, router] scenario names: non-streaming, then streaming; per kind of call, the
 * pass-through hop (`bench-chat`, openai-chat, the fake OpenAI server) first, then the
 * translated hop (`bench-claude`, anthropic, the fake Anthropic API; chat-translated.ts).
 */
export const CHAT_PAIRS = [
  ["chat-direct", "chat-router"],
  ["chat-direct-anthropic", "chat-router-anthropic"],
  ["chat-direct-stream", "chat-router-stream"],
  ["chat-direct-anthropic-stream", "chat-router-anthropic-stream"],
] as const;

const isStreamed = (name: string) => name.endsWith("-stream");

/** The chat forwarder's scenario (calibration) for a router scenario, if it has one (the translated hop has none). */
const forwarderOf = (router: string) => CHAT_FORWARDED.find((f) => f.router === router)?.forwarder;

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

/** A whole Anthropic `message` whose first block is the fake's reply (`[<model>] heard: …`). */
function isMessage(text: string): boolean {
  try {
    const j = JSON.parse(text) as { type?: string; content?: { type?: string; text?: unknown }[] };
    const first = j.content?.[0];
    return j.type === "message" && first?.type === "text" && typeof first.text === "string" && first.text.includes("heard: ");
  } catch {
    return false;
  }
}

/** A whole Anthropic event stream: text deltas, `end_turn`, no error event, ending with `message_stop`. */
const isMessageStream = (text: string) =>
  text.endsWith('event: message_stop\ndata: {"type":"message_stop"}\n\n') && text.includes('"type":"text_delta"') && text.includes('"stop_reason":"end_turn"') && !text.includes("event: error");

/**
 * chat-direct, chat-proxy (with `urls.proxy`, the chat forwarder), chat-router, then with `urls.anthropic`
 * chat-direct-anthropic and chat-router-anthropic; then the same streaming.
 */
export function chatScenarios(urls: { router: string; fake: string; proxy?: string; anthropic?: string }): Scenario[] {
  const json = { "content-type": "application/json" };
  const auth = { ...json, authorization: "Bearer dev-key" };
  const anthropicHeaders = { ...json, "x-api-key": BENCH_ANTHROPIC_KEY_VALUE, "anthropic-version": "2023-06-01" };
  const body = (model: string, stream: boolean) => {
    const s = JSON.stringify({ model, messages: [{ role: "user", content: CHAT_MESSAGE }], ...(stream ? { stream: true } : {}) });
    return { body: () => s, dynamic: false };
  };
  /** What the router's `anthropic` adapter sends the fake for `body(BENCH_CLAUDE, stream)` (chat-to-messages.ts: the endpoint's default `max_tokens`). */
  const messagesBody = (stream: boolean) => {
    const s = JSON.stringify({ model: BENCH_CHAT_MODEL, max_tokens: 4096, messages: [{ role: "user", content: CHAT_MESSAGE }], ...(stream ? { stream: true } : {}) });
    return { body: () => s, dynamic: false };
  };
  const asText = (json: unknown) => (typeof json === "string" ? json : JSON.stringify(json));
  const checkCompletion = (r: { json: unknown }) => (isCompletion(asText(r.json)) ? undefined : `not a chat.completion: ${asText(r.json).slice(0, 300)}`);
  const checkStream = (r: { json: unknown }) => (isStream(asText(r.json)) ? undefined : `not a complete chat.completion.chunk stream: ${asText(r.json).slice(0, 300)}`);
  const checkMessage = (r: { json: unknown }) => (isMessage(asText(r.json)) ? undefined : `not an Anthropic message: ${asText(r.json).slice(0, 300)}`);
  const checkMessageStream = (r: { json: unknown }) => (isMessageStream(asText(r.json)) ? undefined : `not a complete Anthropic message stream: ${asText(r.json).slice(0, 300)}`);
  const pinned = (id: string) => (r: { headers: Headers }) => (r.headers.get("x-switchyard-specialist") === id ? undefined : `x-switchyard-specialist is not ${id}`);
  const what = (stream: boolean) => (stream ? "stream: true, the whole SSE body read" : "non-streaming");
  const scenario = (stream: boolean, router: boolean): Scenario => {
    const [directName, routerName] = CHAT_PAIRS[stream ? 2 : 0];
    return {
      name: router ? routerName : directName,
      description: router
        ? `router POST /v1/chat/completions, model "${BENCH_CHAT}" (pinned; openai-chat → the fake OpenAI server), ${what(stream)}`
        : `POST <fake OpenAI>/v1/chat/completions, model "${BENCH_CHAT_MODEL}" (baseline for ${routerName}, no router), ${what(stream)}`,
      baseline: directName,
      shortLoad: stream,
      target: {
        url: router ? urls.router : urls.fake,
        path: "/v1/chat/completions",
        headers: router ? auth : json,
        ...body(router ? BENCH_CHAT : BENCH_CHAT_MODEL, stream),
        verify: stream ? isStream : isCompletion,
      },
      check: (r) => (stream ? checkStream(r) : checkCompletion(r)) ?? (router ? pinned(BENCH_CHAT)(r) : undefined),
    };
  };
  /** The translated hop: the same OpenAI request through the router to `bench-claude`, or its Anthropic equivalent straight to the fake Anthropic API. */
  const translated = (stream: boolean, router: boolean, fakeUrl: string): Scenario => {
    const [directName, routerName] = CHAT_PAIRS[stream ? 3 : 1];
    return {
      name: router ? routerName : directName,
      description: router
        ? `router POST /v1/chat/completions, model "${BENCH_CLAUDE}" (pinned; anthropic → the fake Anthropic API, request and reply translated), ${what(stream)}`
        : `POST <fake Anthropic>/v1/messages, model "${BENCH_CHAT_MODEL}", max_tokens 4096 (what ${routerName} sends; its baseline, no router), ${what(stream)}`,
      baseline: directName,
      shortLoad: stream,
      target: router
        ? { url: urls.router, path: "/v1/chat/completions", headers: auth, ...body(BENCH_CLAUDE, stream), verify: stream ? isStream : isCompletion }
        : { url: fakeUrl, path: "/v1/messages", headers: anthropicHeaders, ...messagesBody(stream), verify: stream ? isMessageStream : isMessage },
      check: router ? (r) => (stream ? checkStream(r) : checkCompletion(r)) ?? pinned(BENCH_CLAUDE)(r) : stream ? checkMessageStream : checkMessage,
    };
  };
  const forwarder = (stream: boolean, url: string): Scenario => {
    const [directName, router] = CHAT_PAIRS[stream ? 2 : 0];
    return {
      name: forwarderOf(router)!,
      description: `calibration for ${router}: the chat forwarder, a bare Worker on the same workerd passing POST /v1/chat/completions to the fake OpenAI server as is (body streamed both ways, nothing parsed), ${what(stream)}`,
      calibration: true,
      baseline: directName,
      shortLoad: stream,
      target: { url, path: "/v1/chat/completions", headers: json, ...body(BENCH_CHAT_MODEL, stream), verify: stream ? isStream : isCompletion },
      check: stream ? checkStream : checkCompletion,
    };
  };
  const proxied = (stream: boolean) => (urls.proxy ? [forwarder(stream, urls.proxy)] : []);
  const anthropic = (stream: boolean) => (urls.anthropic ? [translated(stream, false, urls.anthropic), translated(stream, true, urls.anthropic)] : []);
  return [scenario(false, false), ...proxied(false), scenario(false, true), ...anthropic(false), scenario(true, false), ...proxied(true), scenario(true, true), ...anthropic(true)];
}

/**
 * Per kind of call (non-streaming, streaming): the direct, forwarder and router scenarios of its pairs
 * that `only` selects, interleaved one request at a time (paired.ts), when at least one router
 * scenario and one other were selected; `maxMs` shared between the loops. One loop per kind of call,
 * so the streaming router's heavier requests do not slow the non-streaming ones they would follow;
 * the pass-through and the translated hop (with their own directs) share their kind's loop.
 */
export async function chatPaired(
  list: Scenario[],
  only: Set<string> | undefined,
  o: { maxMs: number; isStopped: () => boolean; log: (s?: string) => void; workerdPids?: readonly number[] },
): Promise<PairedResult[]> {
  const selected = (n: string | undefined): n is string => n !== undefined && (!only || only.has(n)) && list.some((sc) => sc.name === n);
  const loops = [false, true].flatMap((stream) => {
    const pairs = CHAT_PAIRS.filter(([, r]) => isStreamed(r) === stream);
    const names = pairs.flatMap(([d, r]): (string | undefined)[] => [d, forwarderOf(r), r]).filter(selected);
    const routers = pairs.map(([, r]): string => r).filter(selected);
    return routers.length && names.length >= 2 ? [{ router: routers.join(", "), names }] : [];
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
  /** The translated hop (anthropic) against the pass-through hop (openai-chat), chat-translated.ts: CPU ratio, added p50 over each own direct. */
  translated: TranslatedComparison[];
}

/** router − direct per pair: the paired loop, each scenario's own sequential loop, then each autocannon connection count both ran. */
export function chatSummary(runs: ScenarioRuns[], paired: PairedResult[] = [], cpuBlocks: Record<string, CpuBlocks> = {}): ChatSummary {
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
  return { goals, portkey: { addedP50Ms: PORTKEY_ADDED_P50_MS, rps: PORTKEY_RPS }, rows, paired, calibration, forwarder: forwarderSummary(runs, paired), translated: translatedSummary(runs, paired, cpuBlocks) };
}

const f3 = (n: number | undefined) => (n === undefined || !Number.isFinite(n) ? "—" : n.toFixed(3));
const plus = (n: number) => (Number.isFinite(n) ? `${n >= 0 ? "+" : ""}${n.toFixed(3)}` : "—");
const int = (n: number | undefined) => (n === undefined || !Number.isFinite(n) ? "—" : Math.round(n).toLocaleString("en-US"));

/** The "OpenAI front door: router − direct" section, then "router vs the chat forwarder", then the translated hop; each only when its scenarios ran. */
export function chatText(s: ChatSummary): string[] {
  return [...directText(s), ...forwarderText(s.forwarder), ...translatedText(s.translated)];
}

function directText(s: ChatSummary): string[] {
  if (!s.rows.length) return [];
  const head = ["router scenario", "measure", "direct p50", "router p50", "+p50 ms", "direct p99", "router p99", "+p99 ms", "direct req/s", "router req/s", "router ÷ direct", "router workerd µs/req"];
  const rows = s.rows.map((r) => [r.pair, r.measure, f3(r.direct.p50), f3(r.router.p50), plus(r.addedP50Ms), f3(r.direct.p99), f3(r.router.p99), plus(r.addedP99Ms), int(r.direct.rps), int(r.router.rps), r.rpsRatio === undefined ? "" : `${r.rpsRatio.toFixed(2)}×`, int(r.routerWorkerdUsPerReq)]);
  const w = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (c: string[]) => c.map((x, i) => (i < 2 ? x.padEnd(w[i]!) : x.padStart(w[i]!))).join("  ");
  return [
    `\n== OpenAI front door: router − direct (POST /v1/chat/completions, each against its own fake's direct call; goal ≤ ${s.goals.addedP50Ms} ms added p50 at 1 connection, ≥ ${int(s.goals.rps50)} req/s at 50 connections) ==`,
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

/** The names `--only` takes: every load scenario (both modes' lists, every chat pairing) and the sections run by name. */
export const ONLY_NAMES: ReadonlySet<string> = (() => {
  const dummy = "http://127.0.0.1:1";
  return new Set([
    ...scenarios({ router: dummy, lruOnly: dummy, upstream: dummy, proxy: dummy }, "x").map((sc) => sc.name),
    ...chatScenarios({ router: dummy, fake: dummy, proxy: dummy, anthropic: dummy }).map((sc) => sc.name),
    ...PAIRED,
    ...["paired", "pools", "task", "mcp", "queues"],
  ]);
})();
